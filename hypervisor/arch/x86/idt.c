// SPDX-License-Identifier: MIT
// Interrupt descriptor table: every vector enters through the stubs of entry.S.
#include "arch/x86/idt.h"
#include "arch/x86/memlayout.h"

#include <stdint.h>

struct idt_gate {
    uint16_t offset_lo, selector;
    uint8_t ist, type;
    uint16_t offset_mid;
    uint32_t offset_hi, reserved;
};

_Static_assert(sizeof(struct idt_gate) == 16, "IDT gate layout");

extern char trap_stubs[];
static struct idt_gate idt[256];

#define GATE_INTERRUPT 0x8e // present, DPL 0, 64-bit interrupt gate
#define STUB_SIZE      16

static void set_gate(unsigned vec, unsigned ist, unsigned dpl)
{
    uint64_t fn = (uint64_t)trap_stubs + vec * STUB_SIZE;
    idt[vec] = (struct idt_gate){
        .offset_lo = fn & 0xffff,
        .selector = SEL_KCODE,
        .ist = ist,
        .type = GATE_INTERRUPT | dpl << 5,
        .offset_mid = fn >> 16 & 0xffff,
        .offset_hi = fn >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        set_gate(v, 0, 0);
    set_gate(2, 2, 0); // NMI on its own stack
    set_gate(8, 1, 0); // double fault on its own stack
    idt_load();
}

void idt_load(void)
{
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = {sizeof(idt) - 1, (uint64_t)idt};
    __asm__ volatile("lidt %0" ::"m"(ptr));
}
