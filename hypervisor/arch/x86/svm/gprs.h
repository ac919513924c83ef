// SPDX-License-Identifier: MIT
// The guest registers VMRUN does not save, kept by the kernel between exits; layout for vmrun.S.
#pragma once

#define GPR_RBX 0
#define GPR_RCX 8
#define GPR_RDX 16
#define GPR_RSI 24
#define GPR_RDI 32
#define GPR_RBP 40
#define GPR_R8  48
#define GPR_R9  56
#define GPR_R10 64
#define GPR_R11 72
#define GPR_R12 80
#define GPR_R13 88
#define GPR_R14 96
#define GPR_R15 104

#ifndef __ASSEMBLER__
#include <stdint.h>

struct svm_gprs {
    uint64_t rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
};

_Static_assert(__builtin_offsetof(struct svm_gprs, r15) == GPR_R15, "vmrun.S layout");

void svm_vmrun(uint64_t vmcb_pa, uint64_t host_pa, struct svm_gprs *g);
#endif
