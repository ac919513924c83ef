// SPDX-License-Identifier: MIT
// Capability range descriptor arithmetic: validation, containment and intersection.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/caps.h"
#include "nova/crd.h"

// Size of each type's space, in units: user-half pages, I/O ports, object selectors.
#define CRD_MEM_LIMIT (1ull << (47 - 12))
#define CRD_IO_LIMIT  (1ull << 16)
#define CRD_OBJ_LIMIT ((uint64_t)NOVA_SEL_MAX)

// True if c has a type, a base aligned to 2^order, and ends within its type's space. On success
// stores the fields through the pointers that are not NULL. Permissions are not checked: the
// caller masks them with crd_perm_mask().
bool crd_valid(nova_crd c, unsigned *type, uint64_t *base, unsigned *order);

// True if window is valid, of `type`, and covers all of [base, base + 2^order).
bool crd_contains(nova_crd window, unsigned type, uint64_t base, unsigned order);

// Intersects two naturally aligned power-of-two ranges: the result is empty or the smaller
// range. Returns true and stores it (through non-NULL pointers) if not empty; returns false
// for empty, and for inputs that are not aligned or have an order above 63.
bool range_intersect(uint64_t b1, unsigned o1, uint64_t b2, unsigned o2, uint64_t *b, unsigned *o);

// Permission bits meaningful for a type: MEM R/W/X, IO access, OBJ all object bits; 0 for NULL.
uint32_t crd_perm_mask(unsigned type);
