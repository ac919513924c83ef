// SPDX-License-Identifier: MIT
// Test guest flavour INJECT: a #GP with an error code and a #UD, injected by the VMM on request.
//
// Long mode only, entered from testguest.S with its GDT, stack and 1:1 page tables. Each
// VMMCALL that asks for an exception gets it on the reply, with the next instruction as the
// return address: the handler reports its frame to the VMM and returns there.
#include "testguest.h"
#include "vmm_hc.h"

#define VEC_UD 6
#define VEC_GP 13

    .text
    .code64

    .globl inject
inject:
    call idt_init
    mov $VEC_GP, %edi
    lea gp_handler(%rip), %rax
    call set_gate
    mov $VEC_UD, %edi
    lea ud_handler(%rip), %rax
    call set_gate
    mov $VMM_HC_MARK, %eax
    mov $TESTGUEST_MARK_GP_PLEASE, %ebx
    vmmcall
    cmpb $1, gp_seen(%rip) // the #GP came in before this instruction
    jne fail
    mov $VMM_HC_MARK, %eax
    mov $TESTGUEST_MARK_UD_PLEASE, %ebx
    vmmcall
    cmpb $1, ud_seen(%rip)
    jne fail
    jmp done

// Saves what it and puts64 use; tells the VMM mark with the frame's first two words in RCX, RDX.
.macro HANDLER_ENTRY mark
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    mov $\mark, %ebx
    mov 40(%rsp), %rcx
    mov 48(%rsp), %rdx
    mov $VMM_HC_MARK, %eax
    vmmcall
.endm

.macro HANDLER_EXIT
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
.endm

// Frame: error code, RIP, CS, RFLAGS, RSP, SS.
gp_handler:
    HANDLER_ENTRY TESTGUEST_MARK_GP_SEEN
    movb $1, gp_seen(%rip)
    lea msg_gp(%rip), %rsi
    call puts64
    HANDLER_EXIT
    add $8, %rsp // the error code
    iretq

// Frame: RIP, CS, RFLAGS, RSP, SS: no error code.
ud_handler:
    HANDLER_ENTRY TESTGUEST_MARK_UD_SEEN
    movb $1, ud_seen(%rip)
    lea msg_ud(%rip), %rsi
    call puts64
    HANDLER_EXIT
    iretq

gp_seen: .byte 0
ud_seen: .byte 0
msg_gp:  .asciz "guest: #GP handler ran\n"
msg_ud:  .asciz "guest: #UD handler ran\n"

    .section .note.GNU-stack, "", @progbits
