// SPDX-License-Identifier: MIT
// Multiboot 1 and 2 headers, 32-bit entry and the switch to long mode in the higher half.
#include "arch/x86/memlayout.h"

#define MB1_MAGIC 0x1badb002
#define MB1_FLAGS 0x3 // page-align modules, want memory information
#define MB2_MAGIC 0xe85250d6
#define sym ((sym) - KERNEL_VMA)

    .section .multiboot, "a"
    // Multiboot 1 (QEMU -kernel): the loader searches the first 8 KiB, 4-byte aligned.
    .balign 4
mb1_header:
    .long MB1_MAGIC, MB1_FLAGS, -(MB1_MAGIC + MB1_FLAGS)

    // Multiboot 2 (GRUB): the first 32 KiB, 8-byte aligned, tags 8-byte aligned.
    .balign 8
mb2_header:
    .long MB2_MAGIC, 0, mb2_end - mb2_header
    .long -(MB2_MAGIC + (mb2_end - mb2_header))
    .balign 8
    .short 6, 0             // module alignment: page-align modules
    .long 8
    .balign 8
    .short 0, 0             // end tag
    .long 8
mb2_end:

    .section .boot.text, "ax"
    .code32
    .globl boot_entry32
boot_entry32:
    cli
    cld
    mov %eax, boot_magic  // loader magic
    mov %ebx, boot_info   // physical address of the boot information
    mov $boot_stack_top, %esp

    // Long mode needs CPUID leaf 0x80000001 EDX bit 29.
    mov $0x80000000, %eax
    cpuid
    cmp $0x80000001, %eax
    jb no_long_mode
    mov $0x80000001, %eax
    cpuid
    bt $29, %edx
    jnc no_long_mode
    mov %edx, %ebp          // keep NX availability (bit 20)

    call build_boot_tables

    mov %cr4, %eax
    or $0x20, %eax          // PAE
    mov %eax, %cr4
    mov $boot_pml4, %eax
    mov %eax, %cr3

    mov $0xc0000080, %ecx   // EFER
    rdmsr
    or $0x101, %eax         // LME, SCE
    bt $20, %ebp
    jnc 1f
    or $0x800, %eax         // NXE
1:  wrmsr

    mov %cr0, %eax
    or $0x80010001, %eax    // PG, WP, PE
    mov %eax, %cr0

    lgdt boot_gdt_ptr
    ljmp $SEL_KCODE, $boot_entry64

// Identity map and higher-half map of the first BOOT_MAP_SIZE bytes with 2 MiB pages.
build_boot_tables:
    mov $boot_pml4, %edi
    xor %eax, %eax
    mov $(4 * 4096 / 4), %ecx
    rep stosl               // the loader need not have cleared .boot.bss
    mov $boot_pml4, %edi
    mov $boot_pdpt_lo + 3, %eax
    mov %eax, (%edi)
    mov $boot_pdpt_hi + 3, %eax
    mov %eax, 511 * 8(%edi)
    mov $boot_pd + 3, %eax
    mov %eax, boot_pdpt_lo
    mov %eax, boot_pdpt_hi + 510 * 8
    mov $boot_pd, %edi
    mov $0x83, %eax         // present, writable, 2 MiB
    mov $512, %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b
    ret

no_long_mode:
    mov $msg_no_lm, %esi
    mov $0x3f8, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  cli
    hlt
    jmp 2b

    .code64
boot_entry64:
    mov $SEL_KDATA, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    xor %eax, %eax
    mov %eax, %fs
    mov %eax, %gs
    movabs $boot_high, %rax
    jmp *%rax

    .section .boot.data, "aw"
    .balign 8
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff    // 64-bit kernel code
    .quad 0x00cf92000000ffff    // kernel data
boot_gdt_ptr:
    .short boot_gdt_ptr - boot_gdt - 1
    .long boot_gdt
boot_magic: .long 0
boot_info:  .long 0
msg_no_lm:
    .asciz "boot: this CPU has no long mode (x86_64); halting\r\n"

    .section .boot.bss, "aw", @nobits
    .balign 4096
boot_pml4:   .skip 4096
boot_pdpt_lo: .skip 4096
boot_pdpt_hi: .skip 4096
boot_pd:     .skip 4096
    .skip 256
boot_stack_top:

    .text
    .code64
boot_high:
    lea _bss_start(%rip), %rdi  // loaders zero .bss, but do not trust them
    lea _kernel_end(%rip), %rcx
    sub %rdi, %rcx
    xor %eax, %eax
    rep stosb
    lea boot_kstack_top(%rip), %rsp
    xor %ebp, %ebp
    mov boot_magic, %edi
    mov boot_info, %esi
    call kernel_main
1:  cli
    hlt
    jmp 1b

    .bss
    .balign 16
    .globl boot_kstack
boot_kstack:
    .skip BOOT_STACK_SIZE
    .globl boot_kstack_top
boot_kstack_top:

    .section .note.GNU-stack, "", @progbits
