// SPDX-License-Identifier: MIT
// The VMX backend's vCPU: its VMCS and the guest registers VM exits do not save.
#pragma once

#define VG_RAX 0
#define VG_RBX 8
#define VG_RCX 16
#define VG_RDX 24
#define VG_RSI 32
#define VG_RDI 40
#define VG_RBP 48
#define VG_R8  56
#define VG_R9  64
#define VG_R10 72
#define VG_R11 80
#define VG_R12 88
#define VG_R13 96
#define VG_R14 104
#define VG_R15 112
#define VG_CR2 120

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

struct pd;
struct nova_vcpu_state;

struct vmx_gprs {
    uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15, cr2;
};

_Static_assert(__builtin_offsetof(struct vmx_gprs, cr2) == VG_CR2, "vmx_entry.S layout");

struct vcpu {
    void *vmcs;
    uint64_t vmcs_pa;
    struct vmx_gprs g;
    struct pd *pd;
    int cpu;       // where the VMCS was set up and is current (-1: not yet)
    bool launched; // VMRESUME from now on
    uint64_t guest_kgs; // the guest\'s IA32_KERNEL_GS_BASE: SWAPGS does not exit
    uint16_t vpid;
};

// 0 after a VM exit, 1 when VMLAUNCH or VMRESUME failed (CF or ZF).
unsigned vmx_enter(struct vmx_gprs *g, uint64_t launched);
void vmx_exit_point(void);

// The VMCS of v current on this CPU, set up the first time.
void vmx_load(struct vcpu *v);
void vmx_get_state(struct vcpu *v, struct nova_vcpu_state *s, uint64_t mtd);
void vmx_set_state(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd);
#endif
