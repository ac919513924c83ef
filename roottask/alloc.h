// SPDX-License-Identifier: MIT
// The root task's bump allocators: object selectors and UTCB addresses, never freed.
#pragma once

#include <stdint.h>

#include "nova/caps.h"

// Selectors from NOVA_SEL_ROOT_FREE on.
nova_sel sel_alloc(void);

// count consecutive selectors, the first a multiple of count: an event base, for instance.
nova_sel sel_alloc_block(unsigned count);

// A fresh, unmapped, page-aligned UTCB address in the root PD.
uint64_t utcb_alloc(void);
