// SPDX-License-Identifier: MIT
// Test guest: real mode to long mode, console output on COM1, and one exit of every kind.
//
// A flat image at guest-physical TESTGUEST_LOAD, entered in real mode with CS base there and
// IP 0. Everything (code, strings, variables) lives in one section, so that differences of
// labels are constants: the 16-bit code addresses its data as offsets from _start.
#include "testguest.h"
#include "vmm_hc.h"

#define COM1      0x3f8
#define SEL_CODE32 0x08
#define SEL_DATA   0x10
#define SEL_CODE64 0x18
#define CR0_PE     0x1
#define CR0_PG     0x80000000
#define CR4_PAE    0x20
#define MSR_EFER   0xc0000080
#define MSR_TSC    0x10
#define EFER_LME   0x100
#define PTE_PW     0x3  // present, writable
#define PDE_2M     0x83 // present, writable, 2 MiB page
#define GATE_INTR  0x8e00
#define IRQ_TEST   0x20
#define OFF(label) label - _start

// Prints the NUL-terminated string at (E/R)SI on COM1; the same bytes in every mode.
.macro PUTS_BODY
    mov $COM1, %dx
1:  lodsb
    test %al, %al
    jz 2f
    out %al, %dx
    jmp 1b
2:  ret
.endm

    .text
    .globl _start

// ---------------------------------------------------------------- 16-bit real mode
    .code16
_start:
    jmp real_start
    .org TESTGUEST_FLAVOUR
flavour:
    .long 0                     // written by the VMM before the start

real_start:
    cli
    mov %cs, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $(TESTGUEST_STACK_TOP - TESTGUEST_LOAD), %sp
    mov $OFF(msg16), %si
    call puts16
    call probe_cpuid
    call probe_vmmcall
    lgdtl OFF(gdt_desc)
    mov %cr0, %eax
    or $CR0_PE, %eax
    mov %eax, %cr0
    ljmpl $SEL_CODE32, $pm32

// CPUID leaf 0: prints the vendor string the VMM answers with.
probe_cpuid:
    xor %eax, %eax
    cpuid
    mov %ebx, OFF(vendor)
    mov %edx, OFF(vendor) + 4
    mov %ecx, OFF(vendor) + 8
    mov $OFF(msg_vendor), %si
    jmp puts16

// One paravirtual call; the VMM's answer proves that it wrote RAX back.
probe_vmmcall:
    mov $VMM_HC_PING, %eax
    vmmcall
    cmp $VMM_HC_PONG, %eax
    jne 1f
    mov $OFF(msg_pong), %si
    jmp puts16
1:  ret

puts16:
    PUTS_BODY

// ---------------------------------------------------------------- 32-bit protected mode
    .code32
pm32:
    mov $SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %fs
    mov %ax, %gs
    mov %ax, %ss
    mov $TESTGUEST_STACK_TOP, %esp
    mov $msg32, %esi
    call puts32
    call build_page_tables
    mov $TESTGUEST_PML4, %eax
    mov %eax, %cr3
    mov %cr4, %eax
    or $CR4_PAE, %eax
    mov %eax, %cr4
    mov $MSR_EFER, %ecx         // the VMM sees these as MSR exits if they are intercepted
    rdmsr
    or $EFER_LME, %eax
    wrmsr
    mov %cr0, %eax
    or $CR0_PG, %eax
    mov %eax, %cr0              // EFER.LMA: long mode is active (compatibility mode)
    ljmp $SEL_CODE64, $lm64

// PML4[0] -> PDPT[0] -> PD with 2 MiB pages: [0, TESTGUEST_MAPPED) mapped 1:1.
build_page_tables:
    mov $TESTGUEST_PML4, %edi
    xor %eax, %eax
    mov $(3 * 4096 / 4), %ecx
    rep stosl
    movl $(TESTGUEST_PML4 + 0x1000 + PTE_PW), TESTGUEST_PML4
    movl $(TESTGUEST_PML4 + 0x2000 + PTE_PW), TESTGUEST_PML4 + 0x1000
    mov $(TESTGUEST_PML4 + 0x2000), %edi
    mov $PDE_2M, %eax
    mov $(TESTGUEST_MAPPED >> 21), %ecx
1:  mov %eax, (%edi)
    add $0x200000, %eax
    add $8, %edi
    loop 1b
    ret

puts32:
    PUTS_BODY

// ---------------------------------------------------------------- 64-bit long mode
    .code64
lm64:
    mov $SEL_DATA, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $TESTGUEST_STACK_TOP, %rsp
    lea msg64(%rip), %rsi
    call puts64
    mov flavour(%rip), %eax
    cmp $TESTGUEST_TRIPLE_FAULT, %eax
    je triple_fault
    cmp $TESTGUEST_BENCH, %eax
    je bench
    cmp $TESTGUEST_SPIN, %eax
    je spin
    cmp $TESTGUEST_WINDOW, %eax
    je window
    cmp $TESTGUEST_REVOKE, %eax
    je revoke
    cmp $TESTGUEST_INJECT, %eax
    je inject
    mov $MSR_TSC, %ecx
    rdmsr
    call test_interrupt
    call test_hole
    jmp done

// Waits in HLT with interrupts on: the VMM injects IRQ_TEST on the HLT exit.
test_interrupt:
    call idt_init
    mov $IRQ_TEST, %edi
    lea irq_test(%rip), %rax
    call set_gate
    sti
    hlt
    cli
    cmpb $1, irq_seen(%rip)
    jne fail
    ret

// Beyond the RAM the VMM gave: a nested page fault, after which the VMM maps a page there.
test_hole:
    movl $0x5a5a5a5a, TESTGUEST_HOLE
    cmpl $0x5a5a5a5a, TESTGUEST_HOLE
    jne fail
    lea msg_hole(%rip), %rsi
    jmp puts64

    .globl done, fail
done:
    lea msg_done(%rip), %rsi
    call puts64
    mov $VMM_HC_DONE, %eax
    vmmcall
    jmp halt

fail:
    lea msg_fail(%rip), %rsi
    call puts64
halt:
    cli
    hlt
    jmp halt

// An empty IDT page, loaded.
    .globl idt_init, set_gate
idt_init:
    mov $TESTGUEST_IDT, %edi
    xor %eax, %eax
    mov $(4096 / 8), %ecx
    rep stosq
    lidt idt_desc(%rip)
    ret

// An interrupt gate for vector EDI to the handler at RAX.
set_gate:
    shl $4, %edi
    add $TESTGUEST_IDT, %edi
    mov %ax, (%rdi)
    movw $SEL_CODE64, 2(%rdi)
    movw $GATE_INTR, 4(%rdi)
    shr $16, %rax
    mov %ax, 6(%rdi)
    shr $16, %rax
    mov %eax, 8(%rdi)
    ret

irq_test:
    push %rax
    push %rdx
    push %rsi
    lea msg_irq(%rip), %rsi
    call puts64
    movb $1, irq_seen(%rip)
    pop %rsi
    pop %rdx
    pop %rax
    iretq

// An IDT of limit 0: int3 raises #GP, which raises #DF, which shuts the processor down.
triple_fault:
    lea msg_triple(%rip), %rsi
    call puts64
    lidt null_idt(%rip)
    int3
    jmp fail

// CPUID exits, timed with RDTSC; the average per exit goes to the VMM in RBX.
bench:
    mov $TESTGUEST_BENCH_WARMUP, %r8d
    call cpuid_loop
    rdtsc
    shl $32, %rdx
    or %rax, %rdx
    mov %rdx, %r9
    mov $TESTGUEST_BENCH_ROUNDS, %r8d
    call cpuid_loop
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    sub %r9, %rax
    xor %edx, %edx
    mov $TESTGUEST_BENCH_ROUNDS, %ecx
    div %rcx
    mov $TESTGUEST_FIG_CPUID, %ecx
    call report
    call bench_kernel
    jmp done

// R8D rounds of CPUID leaf 0.
cpuid_loop:
1:  xor %eax, %eax
    cpuid
    dec %r8d
    jnz 1b
    ret

// Exits the kernel handles alone: an empty loop timed without host interrupts, then again
// while the root has a timer interrupt the guest (between the marks IRQ_ON and IRQ_OFF).
bench_kernel:
    // IF on: host interrupts exit the guest whatever its IF on real hardware, but Bochs's
    // VMX model only lets them out of a guest that has interrupts on. The VMM injects none.
    sti
    mov $TESTGUEST_BENCH_WARMUP, %r8d
    call timed_loop
    mov $TESTGUEST_KBENCH_LOOPS, %r8d
    call timed_loop
    mov $TESTGUEST_FIG_QUIET, %ecx
    call report
    mov $TESTGUEST_MARK_IRQ_ON, %ebx
    call mark
    mov $TESTGUEST_KBENCH_LOOPS, %r8d
    call timed_loop
    mov %rax, %r12
    mov $TESTGUEST_MARK_IRQ_OFF, %ebx
    call mark
    cli
    mov %r12, %rax
    mov $TESTGUEST_FIG_IRQ, %ecx
    jmp report

// RAX = the TSC ticks of R8D rounds of an empty loop.
timed_loop:
    rdtsc
    shl $32, %rdx
    or %rax, %rdx
    mov %rdx, %r9
1:  dec %r8d
    jnz 1b
    rdtsc
    shl $32, %rdx
    or %rdx, %rax
    sub %r9, %rax
    ret

// Figure RAX with index ECX to the VMM.
report:
    mov %rax, %rbx
    mov $VMM_HC_BENCH, %eax
    vmmcall
    ret

// Mark EBX to the VMM.
mark:
    mov $VMM_HC_MARK, %eax
    vmmcall
    ret

    .globl puts64
puts64:
    PUTS_BODY

// ---------------------------------------------------------------- data
    .balign 8
gdt:
    .quad 0
    .quad 0x00cf9a000000ffff    // SEL_CODE32: flat 32-bit code
    .quad 0x00cf92000000ffff    // SEL_DATA: flat data
    .quad 0x00af9a000000ffff    // SEL_CODE64: 64-bit code (L set, D clear)
gdt_end:
gdt_desc:
    .word gdt_end - gdt - 1
    .long gdt
    .balign 8
idt_desc:
    .word 256 * 16 - 1
    .quad TESTGUEST_IDT
null_idt:
    .word 0
    .quad 0
irq_seen:
    .byte 0

msg16:      .asciz "guest: 16-bit mode\n"
msg_vendor: .ascii "guest: cpuid vendor "
vendor:     .ascii "????????????"
            .asciz "\n"
msg_pong:   .asciz "guest: vmmcall answered\n"
msg32:      .asciz "guest: 32-bit mode\n"
msg64:      .asciz "guest: 64-bit mode\n"
msg_irq:    .asciz "guest: interrupt 0x20\n"
msg_hole:   .asciz "guest: memory at 0x800000 works\n"
msg_done:   .asciz "guest: done\n"
msg_fail:   .asciz "guest: FAILED\n"
msg_triple: .asciz "guest: about to triple fault\n"

    .section .note.GNU-stack, "", @progbits
