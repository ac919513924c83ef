// SPDX-License-Identifier: MIT
// Test guest flavour REVOKE: a page the VMM revokes while the guest waits, read again.
//
// Long mode only, entered from testguest.S with its GDT, stack and 1:1 page tables (they map
// TESTGUEST_REVOKED, beyond the RAM: the VMM puts a page of its own there before the start).
#include "testguest.h"
#include "vmm_hc.h"

#define PAGE_WORDS 512

    .text
    .code64

    .globl revoke
revoke:
    call fill_page
    lea msg_written(%rip), %rsi
    call puts64
    mov $VMM_HC_MARK, %eax
    mov $TESTGUEST_MARK_WRITTEN, %ebx
    vmmcall
    call check_page // the translation is fresh in the TLB again, after the exit
    movq $1, TESTGUEST_REVOKE_READY
    call wait_go
    mov TESTGUEST_REVOKED, %rax // the first access since the revoke: a nested page fault
    call page_is_zero
    jne 1f
    lea msg_fresh(%rip), %rsi
    call puts64
    mov $VMM_HC_MARK, %eax
    mov $TESTGUEST_MARK_FRESH, %ebx
    vmmcall
    jmp done
1:  lea msg_kept(%rip), %rsi
    movabs $TESTGUEST_PATTERN, %rax
    cmp %rax, TESTGUEST_REVOKED
    je 2f
    lea msg_other(%rip), %rsi
2:  call puts64
    jmp fail

// The pattern in every word of the page, read back.
fill_page:
    movabs $TESTGUEST_PATTERN, %rax
    mov $TESTGUEST_REVOKED, %edi
    mov $PAGE_WORDS, %ecx
    rep stosq
check_page:
    movabs $TESTGUEST_PATTERN, %rax
    mov $TESTGUEST_REVOKED, %edi
    mov $PAGE_WORDS, %ecx
    repe scasq
    jne fail
    ret

// Spins until the root's word, without an exit but a CPUID every TESTGUEST_SPIN_ROUNDS rounds.
wait_go:
1:  mov $TESTGUEST_SPIN_ROUNDS, %ecx
2:  cmpq $0, TESTGUEST_REVOKE_GO
    jne 3f
    pause
    dec %ecx
    jnz 2b
    xor %eax, %eax
    cpuid
    jmp 1b
3:  ret

// ZF set if every word of the page reads zero.
page_is_zero:
    xor %eax, %eax
    mov $TESTGUEST_REVOKED, %edi
    mov $PAGE_WORDS, %ecx
    repe scasq
    ret

msg_written: .asciz "guest: pattern written\n"
msg_fresh:   .asciz "guest: page is fresh\n"
msg_kept:    .asciz "guest: page kept its pattern\n"
msg_other:   .asciz "guest: page holds neither zeros nor the pattern\n"

    .section .note.GNU-stack, "", @progbits
