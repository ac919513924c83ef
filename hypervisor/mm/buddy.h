// SPDX-License-Identifier: MIT
// Binary buddy allocator of physical page frames, with caller-supplied per-frame metadata
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The allocator hands out naturally aligned blocks of 2^order pages (4 KiB each), named by
 * page frame number (pfn = physical address >> 12). It never reads or writes the frames
 * themselves: all bookkeeping lives in a metadata array with one struct buddy_frame per frame
 * of the managed range, supplied by the caller, so it works before any mapping exists and the
 * host tests need no real memory. Blocks are aligned in absolute pfn terms (not relative to
 * base_pfn), so an order-9 block is always a 2 MiB-aligned physical region.
 *
 * It never panics and never trusts its caller: exhaustion returns BUDDY_NONE, and a free that
 * does not exactly match a live allocation (double free, wrong order, interior or reserved
 * frame, out of range) is refused without changing any state.
 *
 * Not thread-safe; the caller serialises access.
 */

#define BUDDY_MAX_ORDER  10          // largest block: 2^10 pages = 4 MiB
#define BUDDY_NONE       UINT64_MAX  // "no frame": allocation failed
#define BUDDY_NIL        UINT32_MAX  // end-of-list sentinel for frame indices
#define BUDDY_MAX_FRAMES 0xFFFFFFFFu // frames one allocator can manage (indices are u32)

// Metadata of one frame; only the allocator interprets it. next/prev link free blocks of the
// same order by index relative to base_pfn and are meaningful in block heads only.
struct buddy_frame {
    uint32_t next, prev;
    uint8_t order; // block order, in block heads
    uint8_t state; // private to buddy.c: reserved, interior, free head or allocated head
    uint16_t pad;
};

struct buddy {
    uint64_t base_pfn;                  // first frame managed
    uint64_t npages;                    // frames managed: [base_pfn, base_pfn + npages)
    struct buddy_frame *frames;         // npages entries of metadata
    uint32_t head[BUDDY_MAX_ORDER + 1]; // free list per order, BUDDY_NIL if empty
    uint64_t free_pages;                // pages on the free lists
};

// Bytes of metadata needed for npages frames (npages is clamped to BUDDY_MAX_FRAMES).
size_t buddy_meta_size(uint64_t npages);

// Set up an allocator for [base_pfn, base_pfn + npages) with every frame reserved (allocated
// to nobody); memory becomes usable only through buddy_add_free. meta must hold
// buddy_meta_size(npages) bytes, 4-byte aligned. npages is clamped to BUDDY_MAX_FRAMES and so
// that base_pfn + npages does not wrap; a NULL meta yields an empty allocator.
void buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t npages, struct buddy_frame *meta);

// Donate [pfn, pfn + count) as usable memory. Any alignment and size is accepted: the part
// inside the managed range is split into maximal aligned blocks and coalesced with free
// neighbours; parts outside the range and frames that are not reserved (already donated) are
// skipped, so overlapping donations are harmless. Returns the number of pages added.
uint64_t buddy_add_free(struct buddy *b, uint64_t pfn, uint64_t count);

// Allocate 2^order contiguous pages aligned to 2^order pages. Returns the first pfn, or
// BUDDY_NONE when no block that large is free or order > BUDDY_MAX_ORDER.
uint64_t buddy_alloc(struct buddy *b, unsigned order);

// Return a block obtained from buddy_alloc(b, order), merging it with free buddies. Returns
// false and changes nothing unless pfn is the start of a live allocation of exactly this order.
bool buddy_free(struct buddy *b, uint64_t pfn, unsigned order);

// Pages currently free.
uint64_t buddy_free_pages(const struct buddy *b);

// Full consistency check, O(npages), for tests and debug assertions: the frames tile into
// reserved frames and aligned in-range blocks, the free lists are well-linked, acyclic and hold
// exactly the free block heads, the free count matches, and no two free buddies of the same
// order were left unmerged.
bool buddy_check(const struct buddy *b);
