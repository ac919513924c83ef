// SPDX-License-Identifier: MIT
// Start-up code of the other CPUs: copied to AP_TRAMPOLINE, it goes from real mode to long mode.
#include "arch/x86/memlayout.h"

#define AP_TRAMPOLINE 0x8000
#define T(sym) ((sym) - ap_trampoline + AP_TRAMPOLINE)

    .section .rodata
    .code16
    .balign 16
    .globl ap_trampoline
ap_trampoline:
    cli
    cld
    xor %ax, %ax
    mov %ax, %ds
    lgdtl T(tgdt_ptr)
    mov %cr0, %eax
    or $1, %eax                 // protected mode
    mov %eax, %cr0
    ljmpl $0x08, $T(ap32)

    .code32
ap32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %cr4, %eax
    or $0xa0, %eax              // PAE, PGE
    mov %eax, %cr4
    mov T(tr_cr3), %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx       // EFER as the boot CPU has it: LME, NXE, SCE
    mov T(tr_efer), %eax
    xor %edx, %edx
    wrmsr
    mov %cr0, %eax
    or $0x80010000, %eax        // PG, WP
    mov %eax, %cr0
    ljmp $0x18, $T(ap64)

    .code64
ap64:
    mov T(tr_stack), %rsp
    mov T(tr_cpu), %edi
    mov T(tr_entry), %rax
    jmp *%rax

    .balign 8
tgdt:
    .quad 0
    .quad 0x00cf9a000000ffff    // 32-bit code
    .quad 0x00cf92000000ffff    // data
    .quad 0x00af9a000000ffff    // 64-bit code
tgdt_ptr:
    .short tgdt_ptr - tgdt - 1
    .long T(tgdt)
    .balign 8
    .globl ap_tr_cr3, ap_tr_efer, ap_tr_stack, ap_tr_entry, ap_tr_cpu
ap_tr_cr3 = T(tr_cr3)
ap_tr_efer = T(tr_efer)
ap_tr_stack = T(tr_stack)
ap_tr_entry = T(tr_entry)
ap_tr_cpu = T(tr_cpu)
tr_cr3:   .long 0
tr_efer:  .long 0
tr_stack: .quad 0
tr_entry: .quad 0
tr_cpu:   .long 0
    .globl ap_trampoline_end
ap_trampoline_end:

    .section .note.GNU-stack, "", @progbits
