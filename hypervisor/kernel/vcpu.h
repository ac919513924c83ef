// SPDX-License-Identifier: MIT
// One interface for virtual CPUs; each vendor backend (SVM, VMX) implements it.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/status.h"

struct ec;
struct pd;
struct vcpu;
struct nova_vcpu_state;

// What a backend's run returns besides an event number (enum nova_vmexit or a vector).
#define VCPU_HANDLED 0x100u // the exit needs nothing from the VMM: enter again
#define VCPU_HOST_IRQ 0x101u // a host interrupt is pending: take it, then enter again

struct vcpu_ops {
    const char *name;
    void (*cpu_init)(void); // on every CPU, before its first guest
    enum nova_status (*create)(struct vcpu **out, struct pd *pd);
    void (*destroy)(struct vcpu *v);
    unsigned (*run)(struct vcpu *v); // until an exit: VCPU_HANDLED, VCPU_HOST_IRQ or an event
    void (*get)(struct vcpu *v, struct nova_vcpu_state *s, uint64_t mtd);
    void (*set)(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd);
};

// The backend the boot CPU supports, or NULL when it has no usable virtualization.
extern const struct vcpu_ops *vcpu_backend;

void vcpu_select_backend(void);
// Runs the vCPU ec (the current EC) until the VMM or the scheduler has to act.
void vcpu_run(struct ec *ec);
