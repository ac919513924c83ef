// SPDX-License-Identifier: MIT
// The SVM backend's vCPU: its VMCB and the guest registers VMRUN does not keep.
#pragma once

#include <stdint.h>

#include "arch/x86/svm/gprs.h"

struct pd;
struct nova_vcpu_state;

// The part of the state-save area a vCPU event shows, kept to undo a refused VMRUN.
#define SVM_SAVED_FIRST 0x400
#define SVM_SAVED_END   0x648

struct vcpu {
    void *vmcb;
    uint64_t vmcb_pa;
    struct svm_gprs g;
    struct pd *pd;
    uint8_t supplied[SVM_SAVED_END - SVM_SAVED_FIRST];
};

void svm_get_state(struct vcpu *v, struct nova_vcpu_state *s, uint64_t mtd);
void svm_set_state(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd);
