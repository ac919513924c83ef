// SPDX-License-Identifier: MIT
// Exception and interrupt entry stubs: build a struct cpu_regs frame and call C.
#include "arch/x86/memlayout.h"
#include "arch/x86/percpu.h"
#include "arch/x86/regs.h"

    .macro PUSH_GPRS
    push %rax
    push %rbx
    push %rcx
    push %rdx
    push %rsi
    push %rdi
    push %rbp
    push %r8
    push %r9
    push %r10
    push %r11
    push %r12
    push %r13
    push %r14
    push %r15
    .endm

// Vectors where the CPU pushes an error code (Intel SDM Vol. 3, Table 6-1).
#define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

    .text
    .altmacro   // lets "%vec" pass the value of vec to the macro
    .macro STUB v
    .balign 16
    .if HAS_ERROR(\v)
    .else
    pushq $0
    .endif
    pushq $\v
    jmp trap_common
    .endm

    .balign 16
    .globl trap_stubs
trap_stubs:
    .set vec, 0
    .rept 256
    STUB %vec
    .set vec, vec + 1
    .endr
    .noaltmacro

// Coming from user mode the CPU has switched to TSS.rsp0, the end of the current EC's
// register frame, so the frame lands in the EC itself; C then runs on the CPU's own stack.
trap_common:
    PUSH_GPRS
    mov %rsp, %rdi
    testb $3, 18 * 8(%rsp)  // the saved CS: did the trap come from user mode?
    jz 1f
    swapgs
    mov %gs:PERCPU_KSTACK_TOP, %rsp
1:  cld
    call trap_dispatch      // returns the frame to resume
    jmp resume

// SYSCALL: RCX holds the user RIP, R11 the user RFLAGS. Build the same frame as a trap.
    .globl syscall_entry
syscall_entry:
    swapgs
    mov %rsp, %gs:PERCPU_USER_RSP
    mov %gs:PERCPU_FRAME_TOP, %rsp
    pushq $SEL_UDATA
    pushq %gs:PERCPU_USER_RSP
    push %r11
    pushq $SEL_UCODE
    push %rcx
    pushq $0                // error code
    pushq $SYSCALL_VECTOR
    PUSH_GPRS
    mov %rsp, %rdi
    mov %gs:PERCPU_KSTACK_TOP, %rsp
    call syscall_dispatch   // returns the frame to resume
    jmp resume

// C entry: resume_frame(frame) leaves the kernel through the common exit below.
    .globl resume_frame
resume_frame:
    mov %rdi, %rax

// rax: the frame to resume. Every return to user mode and to the kernel goes through here.
    .globl resume
resume:
    mov %rax, %rsp
    testb $3, 18 * 8(%rsp)
    jz 1f
    swapgs
1:  pop %r15
    pop %r14
    pop %r13
    pop %r12
    pop %r11
    pop %r10
    pop %r9
    pop %r8
    pop %rbp
    pop %rdi
    pop %rsi
    pop %rdx
    pop %rcx
    pop %rbx
    pop %rax
    add $16, %rsp
    iretq

    .section .note.GNU-stack, "", @progbits
