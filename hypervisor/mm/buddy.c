// SPDX-License-Identifier: MIT
// Binary buddy allocator of physical page frames: splitting, coalescing and self-checking

#include "mm/buddy.h"

/*
 * Every frame is in exactly one state. A block of 2^k frames is described by its first frame
 * (the head: FREE or USED, with order k); its other frames are INTERIOR. Frames never donated
 * are RESERVED. Keeping the interior frames explicitly marked is what lets buddy_free refuse a
 * pfn that lies inside a block instead of at its start, and lets buddy_check prove the tiling.
 */
enum {
    ST_RESERVED = 0, // not usable: never donated
    ST_INTERIOR = 1, // inside a block whose head is at a lower index
    ST_FREE = 2,     // head of a free block, linked on head[order]
    ST_USED = 3,     // head of an allocated block
};

static uint64_t end_pfn(const struct buddy *b)
{
    return b->base_pfn + b->npages;
}

// True if the block of 2^order frames starting at pfn lies entirely inside the managed range.
static bool block_in_range(const struct buddy *b, uint64_t pfn, unsigned order)
{
    uint64_t size = 1ull << order;
    return pfn >= b->base_pfn && pfn < end_pfn(b) && size <= end_pfn(b) - pfn;
}

static void list_push(struct buddy *b, uint32_t idx, unsigned order)
{
    struct buddy_frame *f = &b->frames[idx];
    f->state = ST_FREE;
    f->order = (uint8_t)order;
    f->prev = BUDDY_NIL;
    f->next = b->head[order];
    if (f->next != BUDDY_NIL) {
        b->frames[f->next].prev = idx;
    }
    b->head[order] = idx;
}

static void list_remove(struct buddy *b, uint32_t idx, unsigned order)
{
    struct buddy_frame *f = &b->frames[idx];
    if (f->prev != BUDDY_NIL) {
        b->frames[f->prev].next = f->next;
    } else {
        b->head[order] = f->next;
    }
    if (f->next != BUDDY_NIL) {
        b->frames[f->next].prev = f->prev;
    }
    f->next = f->prev = BUDDY_NIL;
}

size_t buddy_meta_size(uint64_t npages)
{
    if (npages > BUDDY_MAX_FRAMES) {
        npages = BUDDY_MAX_FRAMES;
    }
    return (size_t)npages * sizeof(struct buddy_frame);
}

void buddy_init(struct buddy *b, uint64_t base_pfn, uint64_t npages, struct buddy_frame *meta)
{
    if (npages > BUDDY_MAX_FRAMES) {
        npages = BUDDY_MAX_FRAMES;
    }
    // Clamp so that end_pfn() and every pfn + size computed later cannot wrap.
    if (npages > UINT64_MAX - base_pfn) {
        npages = UINT64_MAX - base_pfn;
    }
    if (meta == NULL) {
        npages = 0;
    }
    b->base_pfn = base_pfn;
    b->npages = npages;
    b->frames = meta;
    b->free_pages = 0;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        b->head[k] = BUDDY_NIL;
    }
    for (uint64_t i = 0; i < npages; i++) {
        meta[i] = (struct buddy_frame){.next = BUDDY_NIL, .prev = BUDDY_NIL, .state = ST_RESERVED};
    }
}

// Put the block [pfn, pfn + 2^order), whose head is marked USED and whose other frames are
// INTERIOR, on the free lists, merging it with its buddy for as long as that is free too.
static void free_block(struct buddy *b, uint64_t pfn, unsigned order)
{
    b->free_pages += 1ull << order;
    b->frames[pfn - b->base_pfn].state = ST_INTERIOR;
    while (order < BUDDY_MAX_ORDER) {
        uint64_t buddy = pfn ^ (1ull << order);
        if (!block_in_range(b, buddy, order)) {
            break;
        }
        uint32_t bidx = (uint32_t)(buddy - b->base_pfn);
        if (b->frames[bidx].state != ST_FREE || b->frames[bidx].order != order) {
            break;
        }
        list_remove(b, bidx, order);
        b->frames[bidx].state = ST_INTERIOR;
        pfn &= ~(1ull << order);
        order++;
    }
    list_push(b, (uint32_t)(pfn - b->base_pfn), order);
}

// True if every frame of [idx, idx + n) is still reserved.
static bool all_reserved(const struct buddy *b, uint64_t idx, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        if (b->frames[idx + i].state != ST_RESERVED) {
            return false;
        }
    }
    return true;
}

// Largest order of an aligned block starting at pfn that ends at or before hi.
static unsigned max_order_at(uint64_t pfn, uint64_t hi)
{
    unsigned k = 0;
    while (k < BUDDY_MAX_ORDER && (pfn & (1ull << k)) == 0 && (2ull << k) <= hi - pfn) {
        k++;
    }
    return k;
}

// Donate the largest wholly reserved aligned block at pfn (pfn < hi). Returns the frames
// consumed: the block size, or 1 when the frame at pfn is not reserved and is skipped.
static uint64_t donate_at(struct buddy *b, uint64_t pfn, uint64_t hi)
{
    uint64_t idx = pfn - b->base_pfn;
    unsigned k = max_order_at(pfn, hi);
    // An earlier overlapping donation may have claimed part of the block: shrink until clean.
    while (k > 0 && !all_reserved(b, idx, 1ull << k)) {
        k--;
    }
    if (b->frames[idx].state != ST_RESERVED) {
        return 1;
    }
    for (uint64_t i = 1; i < (1ull << k); i++) {
        b->frames[idx + i].state = ST_INTERIOR;
    }
    b->frames[idx].state = ST_USED;
    free_block(b, pfn, k);
    return 1ull << k;
}

uint64_t buddy_add_free(struct buddy *b, uint64_t pfn, uint64_t count)
{
    uint64_t lo = pfn > b->base_pfn ? pfn : b->base_pfn;
    uint64_t hi = count > UINT64_MAX - pfn ? UINT64_MAX : pfn + count;
    if (hi > end_pfn(b)) {
        hi = end_pfn(b);
    }
    uint64_t added = 0;
    while (lo < hi) {
        uint64_t before = b->free_pages;
        lo += donate_at(b, lo, hi);
        added += b->free_pages - before;
    }
    return added;
}

uint64_t buddy_alloc(struct buddy *b, unsigned order)
{
    if (order > BUDDY_MAX_ORDER) {
        return BUDDY_NONE;
    }
    unsigned k = order;
    while (k <= BUDDY_MAX_ORDER && b->head[k] == BUDDY_NIL) {
        k++;
    }
    if (k > BUDDY_MAX_ORDER) {
        return BUDDY_NONE;
    }
    uint32_t idx = b->head[k];
    list_remove(b, idx, k);
    // Split: keep the lower half, hand the upper half of each level back to the lists.
    while (k > order) {
        k--;
        list_push(b, idx + (1u << k), k);
    }
    b->frames[idx].state = ST_USED;
    b->frames[idx].order = (uint8_t)order;
    b->free_pages -= 1ull << order;
    return b->base_pfn + idx;
}

bool buddy_free(struct buddy *b, uint64_t pfn, unsigned order)
{
    if (order > BUDDY_MAX_ORDER || !block_in_range(b, pfn, order)) {
        return false;
    }
    const struct buddy_frame *f = &b->frames[pfn - b->base_pfn];
    // Only the head of a live block of exactly this order qualifies; that also rules out
    // misaligned pfns, since heads are always aligned.
    if (f->state != ST_USED || f->order != order) {
        return false;
    }
    free_block(b, pfn, order);
    return true;
}

uint64_t buddy_free_pages(const struct buddy *b)
{
    return b->free_pages;
}

/* ---------------------------------------------------------------- consistency check */

// Check the head at idx describes an aligned in-range block whose other frames are INTERIOR.
static bool check_block(const struct buddy *b, uint64_t idx)
{
    const struct buddy_frame *f = &b->frames[idx];
    uint64_t pfn = b->base_pfn + idx;
    if (f->order > BUDDY_MAX_ORDER || (pfn & ((1ull << f->order) - 1)) != 0 ||
        !block_in_range(b, pfn, f->order)) {
        return false;
    }
    for (uint64_t i = 1; i < (1ull << f->order); i++) {
        if (b->frames[idx + i].state != ST_INTERIOR) {
            return false;
        }
    }
    return true;
}

// Walk the frames in order, proving they tile into blocks; count free heads and pages.
static bool check_tiling(const struct buddy *b, uint64_t *free_heads, uint64_t *free_pages)
{
    uint64_t i = 0;
    while (i < b->npages) {
        const struct buddy_frame *f = &b->frames[i];
        if (f->state == ST_RESERVED) {
            i++;
            continue;
        }
        if ((f->state != ST_FREE && f->state != ST_USED) || !check_block(b, i)) {
            return false;
        }
        if (f->state == ST_FREE) {
            ++*free_heads;
            *free_pages += 1ull << f->order;
        }
        i += 1ull << f->order;
    }
    return true;
}

// True if the free block at pfn has a free buddy of the same order, i.e. a missed merge.
static bool buddy_is_free(const struct buddy *b, uint64_t pfn, unsigned order)
{
    if (order == BUDDY_MAX_ORDER) {
        return false;
    }
    uint64_t buddy = pfn ^ (1ull << order);
    if (!block_in_range(b, buddy, order)) {
        return false;
    }
    const struct buddy_frame *f = &b->frames[buddy - b->base_pfn];
    return f->state == ST_FREE && f->order == order;
}

// Walk one free list; *nodes accumulates its length. Bounded by npages, so a cycle fails.
static bool check_list(const struct buddy *b, unsigned order, uint64_t *nodes)
{
    uint32_t prev = BUDDY_NIL;
    for (uint32_t idx = b->head[order]; idx != BUDDY_NIL; idx = b->frames[idx].next) {
        if (idx >= b->npages || *nodes >= b->npages) {
            return false;
        }
        const struct buddy_frame *f = &b->frames[idx];
        if (f->state != ST_FREE || f->order != order || f->prev != prev ||
            buddy_is_free(b, b->base_pfn + idx, order)) {
            return false;
        }
        ++*nodes;
        prev = idx;
    }
    return true;
}

bool buddy_check(const struct buddy *b)
{
    if (b->npages > BUDDY_MAX_FRAMES || (b->npages > 0 && b->frames == NULL)) {
        return false;
    }
    uint64_t heads = 0, pages = 0, nodes = 0;
    if (!check_tiling(b, &heads, &pages)) {
        return false;
    }
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        if (!check_list(b, k, &nodes)) {
            return false;
        }
    }
    // Every listed node is a free head of the right order; equal counts mean every free head
    // is listed exactly once (a node listed twice would need a cycle or a broken prev link).
    return nodes == heads && pages == b->free_pages;
}
