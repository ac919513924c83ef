// SPDX-License-Identifier: MIT
// Physical memory of the kernel: the page allocator, the direct map, the kernel address space.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct boot_info;

// The direct map: every physical address below mem_top() at DMAP_BASE + physical.
#define DMAP_BASE 0xffff800000000000ull

// Physical ranges the page allocator must never hand out (image, modules, ...).
struct phys_range {
    uint64_t base, end;
};

// Builds the kernel pool (pool_bytes of low memory for kernel objects and page tables), the
// direct map and the kernel address space. keep[] lists ranges nobody may reuse.
void memory_init(const struct boot_info *bi, const struct phys_range *keep, unsigned nkeep,
                 uint64_t pool_bytes);

// Calls fn for every usable range outside the kernel pool and the kept ranges: the memory
// the root task receives. And for the kernel pool's ranges.
void memory_for_each_root_range(void (*fn)(void *ctx, uint64_t base, uint64_t end), void *ctx);
void memory_for_each_pool_range(void (*fn)(void *ctx, uint64_t base, uint64_t end), void *ctx);

void *phys_to_virt(uint64_t phys);
uint64_t virt_to_phys(const void *virt);

// One zeroed 4 KiB page in the direct map, or NULL when memory is exhausted.
void *page_alloc_zeroed(void);
void page_free(void *page);
// 2^order zeroed contiguous pages, or NULL.
void *pages_alloc(unsigned order);
void pages_free(void *pages, unsigned order);

uint64_t memory_free_pages(void);
uint64_t mem_top(void);

// The kernel's own top-level page table; every PD shares its upper half.
uint64_t *kernel_pml4(void);
