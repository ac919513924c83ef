// SPDX-License-Identifier: MIT
// Entering a guest with VMRUN: the general registers VMRUN leaves alone travel through memory.
#include "arch/x86/svm/gprs.h"

    .text
// void svm_vmrun(uint64_t vmcb_pa, uint64_t host_pa, struct svm_gprs *g)
// The guest's FS, GS, TR, LDTR and syscall MSRs come from its VMCB by VMLOAD; the host's are
// kept in host_pa meanwhile (AMD APM Vol. 2, 15.5.2). GIF is clear around the switch.
    .globl svm_vmrun
svm_vmrun:
    push %rbp
    push %rbx
    push %r12
    push %r13
    push %r14
    push %r15
    push %rdx               // 16(%rsp): g
    push %rdi               // 8(%rsp): guest VMCB
    push %rsi               // 0(%rsp): host save area
    // With V_INTR_MASKING the host's IF decides whether host interrupts end the guest's
    // run (AMD APM Vol. 2, 15.21.1): IF is on while GIF keeps them out until VMRUN.
    clgi
    sti
    mov %rsi, %rax
    vmsave
    mov 8(%rsp), %rax
    vmload
    mov 16(%rsp), %rax
    mov GPR_RBX(%rax), %rbx
    mov GPR_RCX(%rax), %rcx
    mov GPR_RDX(%rax), %rdx
    mov GPR_RSI(%rax), %rsi
    mov GPR_RDI(%rax), %rdi
    mov GPR_RBP(%rax), %rbp
    mov GPR_R8(%rax), %r8
    mov GPR_R9(%rax), %r9
    mov GPR_R10(%rax), %r10
    mov GPR_R11(%rax), %r11
    mov GPR_R12(%rax), %r12
    mov GPR_R13(%rax), %r13
    mov GPR_R14(%rax), %r14
    mov GPR_R15(%rax), %r15
    mov 8(%rsp), %rax
    vmrun
    mov 16(%rsp), %rax      // the host's RAX and RSP are back; RAX is free
    mov %rbx, GPR_RBX(%rax)
    mov %rcx, GPR_RCX(%rax)
    mov %rdx, GPR_RDX(%rax)
    mov %rsi, GPR_RSI(%rax)
    mov %rdi, GPR_RDI(%rax)
    mov %rbp, GPR_RBP(%rax)
    mov %r8, GPR_R8(%rax)
    mov %r9, GPR_R9(%rax)
    mov %r10, GPR_R10(%rax)
    mov %r11, GPR_R11(%rax)
    mov %r12, GPR_R12(%rax)
    mov %r13, GPR_R13(%rax)
    mov %r14, GPR_R14(%rax)
    mov %r15, GPR_R15(%rax)
    mov 8(%rsp), %rax
    vmsave
    mov 0(%rsp), %rax
    vmload
    cli
    stgi
    add $24, %rsp
    pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %rbx
    pop %rbp
    ret

    .section .note.GNU-stack, "", @progbits
