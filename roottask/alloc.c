// SPDX-License-Identifier: MIT
// The root task's bump allocators: object selectors and UTCB addresses.
#include "alloc.h"

// Far above the image and below the HIP, UTCB and stack the kernel maps near the top.
#define UTCB_AREA 0x7f0000000000ull
#define PAGE_SIZE 4096

static nova_sel next_sel = NOVA_SEL_ROOT_FREE;
static uint64_t next_utcb = UTCB_AREA;

// The tests use a few hundred selectors at most, far below NOVA_SEL_MAX.
nova_sel sel_alloc(void)
{
    return next_sel++;
}

// A block aligned to its size, so that base + offset names slot offset of the block.
nova_sel sel_alloc_block(unsigned count)
{
    next_sel = (next_sel + count - 1) / count * count;
    nova_sel base = next_sel;
    next_sel += count;
    return base;
}

// Every create_ec maps a UTCB page, and a mapped page cannot take a second one.
uint64_t utcb_alloc(void)
{
    uint64_t va = next_utcb;
    next_utcb += PAGE_SIZE;
    return va;
}
