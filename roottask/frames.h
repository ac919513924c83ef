// SPDX-License-Identifier: MIT
// Page-frame pool: naturally aligned power-of-two blocks out of free memory regions (pure logic).
#pragma once

#include <stdbool.h>
#include <stdint.h>

/*
 * One bit per page frame, set while the frame is handed out. Blocks are aligned to their
 * size in frame numbers and never cross a region. Because the kernel grants the root each
 * free region as naturally aligned blocks, greedily from the region's start (hip.h,
 * docs/abi.md), such a block always lies inside one range the root holds, and can be
 * delegated as one item. Builds freestanding (root task) and hosted (unit tests).
 */

#define FRAMES_MAX_REGIONS 64
#define FRAMES_MAX_ORDER   18 // the kernel delegates at most 2^18 pages in one item

struct frame_region {
    uint64_t base, count; // frame numbers [base, base + count)
    uint64_t *bits;       // count bits, one per frame, set = in use
};

struct frames {
    struct frame_region r[FRAMES_MAX_REGIONS];
    unsigned n;
    uint64_t total, free; // frames in all regions, frames not in use
    unsigned hint;        // region where the last allocation succeeded: next-fit
};

// The words of bitmap a region of count frames needs.
uint64_t frames_bitmap_words(uint64_t count);

void frames_init(struct frames *f);

// Adds frames [base, base + count), all free; bits holds frames_bitmap_words(count) words,
// which this clears. False if the table is full, count is 0 or the range overlaps a region.
bool frames_add(struct frames *f, uint64_t base, uint64_t count, uint64_t *bits);

// Marks [base, base + count) as in use (the pool's own bitmap, frame 0): false unless every
// frame of it is in a region and free.
bool frames_reserve(struct frames *f, uint64_t base, uint64_t count);

// A free block of 2^order frames aligned to its size: its first frame in *base.
bool frames_alloc(struct frames *f, unsigned order, uint64_t *base);

// Frees [base, base + count): false, and nothing changed, unless every frame is in use.
bool frames_free(struct frames *f, uint64_t base, uint64_t count);

static inline uint64_t frames_free_count(const struct frames *f)
{
    return f->free;
}
