// SPDX-License-Identifier: MIT
// Uncached kernel mappings of device registers (local APIC, I/O APIC).
#include "mm/mmio.h"
#include "arch/x86/paging.h"
#include "kernel/printk.h"
#include "mm/memory.h"

// A window above the kernel image, in the PML4 entry every address space shares.
#define MMIO_BASE 0xffffffffc0000000ull
#define MMIO_SIZE 0x10000000ull

static uint64_t next = MMIO_BASE;

void *mmio_map(uint64_t phys, size_t size)
{
    uint64_t offset = phys & (PAGE_SIZE - 1), base = next;
    uint64_t pages = (offset + size + PAGE_SIZE - 1) / PAGE_SIZE;
    if (pages * PAGE_SIZE > MMIO_BASE + MMIO_SIZE - next)
        panic("mmio: no room to map %#lx", phys);
    for (uint64_t i = 0; i < pages; i++)
        if (pt_map(kernel_pml4(), base + i * PAGE_SIZE, (phys & ~(PAGE_SIZE - 1)) + i * PAGE_SIZE,
                   PTE_W | PTE_PCD | PTE_PWT | PTE_NX | PTE_G, 0) != NOVA_OK)
            panic("mmio: out of memory mapping %#lx", phys);
    next += pages * PAGE_SIZE;
    return (void *)(base + offset);
}
