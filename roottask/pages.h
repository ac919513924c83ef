// SPDX-License-Identifier: MIT
// The root task's page allocator over the free memory the HIP lists, never freed.
#pragma once

#include <stdint.h>

#include "nova/hip.h"

#define PAGE_SIZE  4096ull
#define PAGE_SHIFT 12

// Reads the free regions of the HIP; later calls do nothing.
void pages_init(const struct nova_hip *hip);

// count zeroed, physically contiguous pages whose first page number is a multiple of
// align (a power of two); returns the physical address, 0 if no region has room.
uint64_t pages_alloc_aligned(unsigned count, unsigned align);
uint64_t pages_alloc(unsigned count);

// Where the root task sees physical memory: the window the kernel maps at boot.
void *pages_virt(uint64_t phys);

// The page number of that mapping, what descriptors of the root's memory name.
uint64_t pages_vpn(uint64_t phys);
