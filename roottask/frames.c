// SPDX-License-Identifier: MIT
// Page-frame pool: a bitmap per free memory region, searched for aligned free blocks.
#include <stddef.h>

#include "frames.h"

#define WORD_BITS 64

uint64_t frames_bitmap_words(uint64_t count)
{
    return (count + WORD_BITS - 1) / WORD_BITS;
}

void frames_init(struct frames *f)
{
    f->n = 0;
    f->total = f->free = 0;
    f->hint = 0;
}

static bool test_bit(const struct frame_region *r, uint64_t i)
{
    return r->bits[i / WORD_BITS] >> (i % WORD_BITS) & 1;
}

static void set_bits(struct frame_region *r, uint64_t i, uint64_t count, bool on)
{
    for (uint64_t end = i + count; i < end; i++) {
        uint64_t mask = 1ull << (i % WORD_BITS);
        r->bits[i / WORD_BITS] =
            on ? r->bits[i / WORD_BITS] | mask : r->bits[i / WORD_BITS] & ~mask;
    }
}

// The region that holds all of [base, base + count), or NULL.
static struct frame_region *region_of(struct frames *f, uint64_t base, uint64_t count)
{
    for (unsigned i = 0; i < f->n; i++) {
        struct frame_region *r = &f->r[i];
        if (base >= r->base && base - r->base <= r->count && count <= r->count - (base - r->base))
            return r;
    }
    return NULL;
}

bool frames_add(struct frames *f, uint64_t base, uint64_t count, uint64_t *bits)
{
    if (f->n == FRAMES_MAX_REGIONS || count == 0 || base + count < base)
        return false;
    for (unsigned i = 0; i < f->n; i++)
        if (base < f->r[i].base + f->r[i].count && f->r[i].base < base + count)
            return false;
    for (uint64_t w = 0; w < frames_bitmap_words(count); w++)
        bits[w] = 0;
    f->r[f->n++] = (struct frame_region){base, count, bits};
    f->total += count;
    f->free += count;
    return true;
}

// Whether all frames [i, i + count) of r have the given state.
static bool all(const struct frame_region *r, uint64_t i, uint64_t count, bool used)
{
    for (uint64_t end = i + count; i < end; i++)
        if (test_bit(r, i) != used)
            return false;
    return true;
}

bool frames_reserve(struct frames *f, uint64_t base, uint64_t count)
{
    struct frame_region *r = region_of(f, base, count);
    if (!r || count == 0 || !all(r, base - r->base, count, false))
        return false;
    set_bits(r, base - r->base, count, true);
    f->free -= count;
    return true;
}

// The first free aligned block of size frames in r, searched from its start.
static bool find_in(const struct frame_region *r, uint64_t size, uint64_t *base)
{
    uint64_t end = r->base + r->count;
    uint64_t c = (r->base + size - 1) & ~(size - 1);
    while (c >= r->base && c + size <= end) {
        uint64_t used = 0;
        bool found = true;
        for (uint64_t i = c - r->base; i < c - r->base + size; i++) {
            if (test_bit(r, i)) {
                used = r->base + i;
                found = false;
                break;
            }
        }
        if (found) {
            *base = c;
            return true;
        }
        c = (used + size) & ~(size - 1); // the next aligned start past the frame in use
    }
    return false;
}

bool frames_alloc(struct frames *f, unsigned order, uint64_t *base)
{
    if (order > FRAMES_MAX_ORDER || f->free < (1ull << order))
        return false;
    uint64_t size = 1ull << order;
    for (unsigned k = 0; k < f->n; k++) {
        unsigned i = (f->hint + k) % f->n;
        if (f->r[i].count >= size && find_in(&f->r[i], size, base)) {
            set_bits(&f->r[i], *base - f->r[i].base, size, true);
            f->free -= size;
            f->hint = i;
            return true;
        }
    }
    return false;
}

bool frames_free(struct frames *f, uint64_t base, uint64_t count)
{
    struct frame_region *r = region_of(f, base, count);
    if (!r || count == 0 || !all(r, base - r->base, count, true))
        return false;
    set_bits(r, base - r->base, count, false);
    f->free += count;
    return true;
}
