// SPDX-License-Identifier: MIT
// Global descriptor table and task-state segment, one of each per CPU.
#include "arch/x86/gdt.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/percpu.h"
#include "kernel/cpus.h"
#include "lib/string.h"

#define IST_STACK_SIZE  4096
#define IO_BITMAP_BYTES 8192
#define NO_IO_BITMAP    0xffff

enum { IST_DOUBLE_FAULT = 1, IST_NMI = 2 };

// The TSS is followed by the I/O permission bitmap and the byte of ones the CPU requires
// after it (Intel SDM Vol. 1, 19.5.2).
struct tss_io {
    struct tss tss;
    uint8_t bitmap[IO_BITMAP_BYTES];
    uint8_t end;
} __attribute__((packed, aligned(16)));

static struct tss_io tss_io[MAX_CPUS];
static uint64_t gdt[MAX_CPUS][7];
static uint8_t ist_stacks[MAX_CPUS][2][IST_STACK_SIZE] __attribute__((aligned(16)));

static struct tss_io *my_tss(void) { return &tss_io[this_cpu()->id]; }

// Flat 64-bit segments: only the access byte and the L/D bits matter in long mode.
#define SEG_KCODE 0x00af9a000000ffffull
#define SEG_KDATA 0x00cf92000000ffffull
#define SEG_UDATA 0x00cff2000000ffffull
#define SEG_UCODE 0x00affa000000ffffull

static void set_tss_descriptor(uint64_t *d, uint64_t base, uint32_t limit)
{
    d[0] = (limit & 0xffffull) | (base & 0xffffffull) << 16 | 0x89ull << 40 |
           ((uint64_t)limit >> 16 & 0xf) << 48 | (base >> 24 & 0xff) << 56;
    d[1] = base >> 32;
}

void gdt_init(unsigned cpu)
{
    uint64_t *g = gdt[cpu];
    struct tss_io *t = &tss_io[cpu];
    g[0] = 0;
    g[SEL_KCODE >> 3] = SEG_KCODE;
    g[SEL_KDATA >> 3] = SEG_KDATA;
    g[SEL_UDATA >> 3] = SEG_UDATA;
    g[SEL_UCODE >> 3] = SEG_UCODE;
    t->tss.ist[IST_DOUBLE_FAULT - 1] = (uint64_t)&ist_stacks[cpu][0][IST_STACK_SIZE];
    t->tss.ist[IST_NMI - 1] = (uint64_t)&ist_stacks[cpu][1][IST_STACK_SIZE];
    t->tss.iomap_base = NO_IO_BITMAP;
    t->end = 0xff;
    set_tss_descriptor(&g[SEL_TSS >> 3], (uint64_t)t, sizeof(*t) - 1);

    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) ptr = {sizeof(gdt[cpu]) - 1, (uint64_t)g};

    // Reload every segment register so that nothing refers to the boot GDT any more.
    __asm__ volatile("lgdt %0\n"
                     "pushq %1\n"
                     "leaq 1f(%%rip), %%rax\n"
                     "pushq %%rax\n"
                     "lretq\n"
                     "1: mov %2, %%eax\n"
                     "mov %%eax, %%ds\n"
                     "mov %%eax, %%es\n"
                     "mov %%eax, %%ss\n"
                     "ltr %w3\n" ::"m"(ptr),
                     "i"(SEL_KCODE), "i"(SEL_KDATA), "r"(SEL_TSS)
                     : "rax", "memory");
}

void tss_set_kernel_stack(uint64_t rsp0) { my_tss()->tss.rsp[0] = rsp0; }

uint64_t tss_base(void) { return (uint64_t)my_tss(); }

// A VM exit leaves TR with limit 0x67 (Intel SDM Vol. 3, 28.5.2), which hides the I/O bitmap:
// load it again from the descriptor, whose busy type LTR needs cleared.
void tss_reload(void)
{
    gdt[this_cpu()->id][SEL_TSS >> 3] &= ~(2ull << 40);
    __asm__ volatile("ltr %w0" ::"r"(SEL_TSS) : "memory");
}

// A PD without I/O ports gets an offset past the TSS limit: every port is denied without
// touching the bitmap. The bitmap is copied only when a PD with other ports runs.
void tss_load_io_bitmap(const uint8_t *bitmap)
{
    struct tss_io *t = my_tss();
    struct percpu *cpu = this_cpu();
    if (!bitmap) {
        t->tss.iomap_base = NO_IO_BITMAP;
        return;
    }
    if (bitmap != cpu->loaded_bitmap) {
        memcpy(t->bitmap, bitmap, IO_BITMAP_BYTES);
        cpu->loaded_bitmap = bitmap;
    }
    t->tss.iomap_base = sizeof(struct tss);
}

void tss_forget_io_bitmap(const uint8_t *bitmap)
{
    for (unsigned cpu = 0; bitmap && cpu < MAX_CPUS; cpu++)
        if (cpu_data(cpu)->loaded_bitmap == bitmap)
            cpu_data(cpu)->loaded_bitmap = 0;
}
