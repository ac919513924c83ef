// SPDX-License-Identifier: MIT
// Test guest flavours driven from outside: a guest that spins for ever, and a CLI phase.
//
// Long mode only, entered from testguest.S with its GDT, stack and 1:1 page tables. The words
// at TESTGUEST_SHARED are what the root reads and writes while the guest runs.
#include "testguest.h"
#include "vmm_hc.h"

    .text
    .code64

// SPIN: counts at TESTGUEST_COUNTER for ever, interrupts on, without an exit but the safety
// exit every TESTGUEST_SPIN_ROUNDS rounds (counted first at TESTGUEST_SPUN); every
// TESTGUEST_IRQ_RECALL the VMM injects prints a line and returns to the loop.
    .globl spin
spin:
    call idt_init
    mov $TESTGUEST_IRQ_RECALL, %edi
    lea irq_recall(%rip), %rax
    call set_gate
    lea msg_spin(%rip), %rsi
    call puts64
    sti
1:  mov $TESTGUEST_SPIN_ROUNDS, %ecx
2:  incq TESTGUEST_COUNTER
    dec %ecx
    jnz 2b
    incq TESTGUEST_SPUN
    mov $VMM_HC_MARK, %eax
    mov $TESTGUEST_MARK_SPUN, %ebx
    vmmcall
    jmp 1b

irq_recall:
    push %rax
    push %rdx
    push %rsi
    lea msg_recalled(%rip), %rsi
    call puts64
    pop %rsi
    pop %rdx
    pop %rax
    iretq

// WINDOW: interrupts off, counting until the root sets TESTGUEST_CLI_GO, then TESTGUEST_CLI_TAIL
// rounds more; TESTGUEST_CLI_DONE, STI, and the interrupt the VMM has been holding must come.
// Each round of the wait takes a CPUID exit, which the window request must outlive; the exits
// also give the root its CPU whether or not host interrupts leave the guest.
    .globl window
window:
    call idt_init
    mov $TESTGUEST_IRQ_WINDOW, %edi
    lea irq_window(%rip), %rax
    call set_gate
    lea msg_cli(%rip), %rsi
    call puts64
    cli
    movq $1, TESTGUEST_CLI_START
1:  incq TESTGUEST_COUNTER
    xor %eax, %eax
    cpuid
    cmpq $0, TESTGUEST_CLI_GO
    je 1b
    mov $TESTGUEST_CLI_TAIL, %ecx
2:  dec %ecx
    jnz 2b
    movq $1, TESTGUEST_CLI_DONE
    sti
    mov $TESTGUEST_IRQ_WAIT, %ecx // in the STI's shadow: the window opens after it
3:  cmpb $0, window_seen(%rip)
    jne 4f
    dec %ecx
    jnz 3b
    jmp fail
4:  cli
    jmp done

irq_window:
    push %rax
    push %rdx
    push %rsi
    lea msg_window(%rip), %rsi
    call puts64
    movb $1, window_seen(%rip)
    pop %rsi
    pop %rdx
    pop %rax
    iretq

window_seen:  .byte 0
msg_spin:     .asciz "guest: spinning\n"
msg_recalled: .asciz "guest: recalled\n"
msg_cli:      .asciz "guest: interrupts off\n"
msg_window:   .asciz "guest: window interrupt\n"

    .section .note.GNU-stack, "", @progbits
