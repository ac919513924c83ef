// SPDX-License-Identifier: MIT
// 4-level x86_64 page tables: map, look up and unmap pages in one address space.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/status.h"

#define PAGE_SIZE  4096ull
#define PAGE_SHIFT 12
#define LARGE_SIZE 0x200000ull

#define PTE_P    0x001ull
#define PTE_W    0x002ull
#define PTE_U    0x004ull
#define PTE_PWT  0x008ull
#define PTE_PCD  0x010ull
#define PTE_A    0x020ull
#define PTE_D    0x040ull
#define PTE_PS   0x080ull
#define PTE_G    0x100ull
#define PTE_NX   (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

// Lowest non-canonical address: user space is [0, USER_END).
#define USER_END 0x0000800000000000ull

// Called once the CPU is known to support NX (the boot code then set EFER.NXE).
void paging_enable_nx(void);

// Levels: 0 maps a 4 KiB page, 1 a 2 MiB page.
enum nova_status pt_map(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags, unsigned level)
    __attribute__((warn_unused_result));
// The leaf entry that maps va (0 if none); *level tells its size when not NULL.
uint64_t pt_lookup(const uint64_t *pml4, uint64_t va, unsigned *level);
// Removes the 4 KiB mapping of va; returns the old entry (0 if none).
uint64_t pt_unmap(uint64_t *pml4, uint64_t va);
// Frees every table below the user half of pml4 (not the mapped pages themselves).
void pt_free_user(uint64_t *pml4);

static inline bool pt_is_user_range(uint64_t va, uint64_t size)
{
    return va < USER_END && size <= USER_END - va;
}
