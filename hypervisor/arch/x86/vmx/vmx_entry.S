// SPDX-License-Identifier: MIT
// Entering a guest with VMLAUNCH or VMRESUME; the exit lands at vmx_exit_point with the host RSP.
#include "arch/x86/vmx/vmx_vcpu.h"

#define VMCS_HOST_RSP 0x6c14

    .text
// unsigned vmx_enter(struct vmx_gprs *g, uint64_t launched)
    .globl vmx_enter
vmx_enter:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdi               // 0(%rsp): g, where the exit finds it
    mov $VMCS_HOST_RSP, %eax
    vmwrite %rsp, %rax
    mov VG_CR2(%rdi), %rax  // CR2 is not in the VMCS
    mov %rax, %cr2
    test %rsi, %rsi         // only MOVs follow: the flags survive
    mov VG_RAX(%rdi), %rax
    mov VG_RBX(%rdi), %rbx
    mov VG_RCX(%rdi), %rcx
    mov VG_RDX(%rdi), %rdx
    mov VG_RSI(%rdi), %rsi
    mov VG_RBP(%rdi), %rbp
    mov VG_R8(%rdi), %r8
    mov VG_R9(%rdi), %r9
    mov VG_R10(%rdi), %r10
    mov VG_R11(%rdi), %r11
    mov VG_R12(%rdi), %r12
    mov VG_R13(%rdi), %r13
    mov VG_R14(%rdi), %r14
    mov VG_R15(%rdi), %r15
    mov VG_RDI(%rdi), %rdi
    jz 1f
    vmresume
    jmp 2f
1:  vmlaunch
2:  add $8, %rsp            // VMfailInvalid or VMfailValid: the host goes on here
    mov $1, %eax
    jmp 3f

    .globl vmx_exit_point
vmx_exit_point:
    push %rdi
    mov 8(%rsp), %rdi
    mov %rax, VG_RAX(%rdi)
    popq VG_RDI(%rdi)
    mov %rbx, VG_RBX(%rdi)
    mov %rcx, VG_RCX(%rdi)
    mov %rdx, VG_RDX(%rdi)
    mov %rsi, VG_RSI(%rdi)
    mov %rbp, VG_RBP(%rdi)
    mov %r8, VG_R8(%rdi)
    mov %r9, VG_R9(%rdi)
    mov %r10, VG_R10(%rdi)
    mov %r11, VG_R11(%rdi)
    mov %r12, VG_R12(%rdi)
    mov %r13, VG_R13(%rdi)
    mov %r14, VG_R14(%rdi)
    mov %r15, VG_R15(%rdi)
    mov %cr2, %rax
    mov %rax, VG_CR2(%rdi)
    add $8, %rsp
    xor %eax, %eax
3:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .section .note.GNU-stack, "", @progbits
