// SPDX-License-Identifier: MIT
// The root's free memory as a pool of page frames, and the aliases it hands frames out through.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova-user/hypercall.h"
#include "nova/hip.h"

/*
 * A frame handed to another PD always travels through an alias: the root first delegates
 * the frame (or an aligned block) from its window of physical memory to itself at
 * POOL_ALIAS + physical address, and delegates onwards from there. Revoking the alias with
 * SELF then takes back exactly these frames from everyone they reached, while the large
 * blocks the kernel granted the window stay untouched (docs/abi.md, delegation rules).
 */
#define POOL_ALIAS 0x200000000000ull

// Reads the free regions of the HIP and keeps the pool's bitmap in the first pages of one
// of them. False (after a message) if there is no free memory to manage.
bool pool_init(const struct nova_hip *hip);

// A zeroed block of 2^order frames aligned to its size; its first frame number in *ppn.
bool pool_alloc(unsigned order, uint64_t *ppn);

// Returns frames to the pool: a failure is a bookkeeping bug, reported as a failed check.
void pool_free(uint64_t ppn, uint64_t count);

uint64_t pool_free_pages(void);

// Where the root reads and writes frame ppn.
void *pool_ptr(uint64_t ppn);

// The alias page of frame ppn in the root's address space.
uint64_t pool_alias_vpn(uint64_t ppn);

// Delegates frames [ppn, ppn + 2^order) from the window to their alias.
NOVA_MUST_CHECK enum nova_status pool_alias(uint64_t ppn, unsigned order);

// Revokes the aliases of [ppn, ppn + count) with SELF: every mapping derived from them goes.
void pool_unalias(uint64_t ppn, uint64_t count);
