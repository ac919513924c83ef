// SPDX-License-Identifier: MIT
// A small heap over the memory service: a first-fit free list in the style of K&R.
#include <stdint.h>

#include "nova-user/malloc.h"
#include "nova-user/mem.h"

#define PAGE_SIZE  4096
#define GROW_PAGES 16 // asking the root costs a call: take memory in chunks

// Every block starts with a header; sizes count headers, so that blocks tile the arena.
// 16 bytes: what the SysV ABI promises malloc's results are aligned to.
union header {
    struct {
        union header *next; // the next free block (free list only), by address
        size_t units;       // size of this block in headers, its own included
    } h;
    uint64_t align[2];
};

_Static_assert(sizeof(union header) == 16, "headers keep 16-byte alignment");

static union header base;
static union header *freep;

// Returns p to the free list, merging it with its neighbours in address order.
void free(void *p)
{
    if (!p)
        return;
    union header *b = (union header *)p - 1, *q = freep;
    while (!(b > q && b < q->h.next)) {
        if (q >= q->h.next && (b > q || b < q->h.next))
            break; // at the end of the list: b goes before the first or after the last
        q = q->h.next;
    }
    if (b + b->h.units == q->h.next) {
        b->h.units += q->h.next->h.units;
        b->h.next = q->h.next->h.next;
    } else {
        b->h.next = q->h.next;
    }
    if (q + q->h.units == b) {
        q->h.units += b->h.units;
        q->h.next = b->h.next;
    } else {
        q->h.next = b;
    }
    freep = q;
}

static union header *grow(size_t units)
{
    uint64_t bytes = units * sizeof(union header);
    uint64_t pages = (bytes + PAGE_SIZE - 1) / PAGE_SIZE, addr;
    if (pages < GROW_PAGES)
        pages = GROW_PAGES;
    if (mem_alloc(pages, &addr) != SVC_OK)
        return NULL;
    union header *b = (union header *)(uintptr_t)addr;
    b->h.units = pages * PAGE_SIZE / sizeof(union header);
    free(b + 1);
    return freep;
}

void *malloc(size_t size)
{
    if (size == 0 || size > ((size_t)1 << 40))
        return NULL;
    size_t units = (size + sizeof(union header) - 1) / sizeof(union header) + 1;
    if (!freep) {
        base.h.next = freep = &base;
        base.h.units = 0;
    }
    for (union header *prev = freep, *p = prev->h.next;; prev = p, p = p->h.next) {
        if (p->h.units >= units) {
            if (p->h.units == units) {
                prev->h.next = p->h.next;
            } else { // hand out the tail, keep the head on the list
                p->h.units -= units;
                p += p->h.units;
                p->h.units = units;
            }
            freep = prev;
            return p + 1;
        }
        if (p == freep && !(p = grow(units)))
            return NULL;
    }
}
