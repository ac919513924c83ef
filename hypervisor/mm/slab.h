// SPDX-License-Identifier: MIT
// Per-type object caches carved from single 4 KiB pages obtained from a page source
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Each slab is one 4 KiB-aligned page: a header at the start of the page (magic, owning cache,
 * list links, a free-object bitmap and the head of an in-page free list) followed by equal-sized
 * object slots. slab_free finds the header by masking the object address, so objects carry no
 * per-object header. A cache keeps its slabs on three lists: partial (some objects free), full
 * and empty; at most one empty slab stays cached, further empty slabs go straight back to the
 * page source, so a burst of frees returns memory.
 *
 * Nothing here panics: slab_alloc returns NULL when the page source is exhausted (with no state
 * lost), and slab_free refuses, without changing anything, any pointer that is not a live
 * object of that cache. The free bitmap, not the in-object free-list links, is authoritative:
 * if a use-after-free scribbles over a link, the list is rebuilt from the bitmap.
 *
 * Pointers are plain virtual addresses (the kernel passes direct-map addresses); slab_free reads
 * the header of the page an object points into, so that page must be readable. Not
 * thread-safe; the caller serialises access.
 */

#define SLAB_PAGE_SIZE 4096u
#define SLAB_MAX_OBJ   2048u // largest object size
#define SLAB_MAX_ALIGN 64u   // strictest object alignment
#define SLAB_MIN_ALIGN 8u    // objects are at least pointer-aligned whatever is requested

// The page source: alloc returns one 4 KiB-aligned page (contents need not be zero), or NULL
// when none is left; free takes back a page alloc returned. ctx is passed through untouched.
struct slab_pages {
    void *(*alloc)(void *ctx);
    void (*free)(void *ctx, void *page);
    void *ctx;
};

struct slab; // private to slab.c: the in-page header

struct slab_cache {
    const char *name;  // for diagnostics only; not copied
    uint32_t obj_size; // size requested by the user
    uint32_t stride;   // distance between slots: obj_size rounded up to the alignment
    uint32_t first;    // offset of slot 0 in the page, past the header and aligned
    uint32_t per_slab; // slots per slab; 0 if the cache is invalid
    struct slab *partial, *full, *empty; // doubly linked; empty holds at most one slab
    uint64_t allocated;                  // live objects
    uint64_t slabs;                      // pages currently taken from the page source
    const struct slab_pages *pages;
};

// Set up an empty cache of obj_size-byte objects aligned to align bytes (a power of two up to
// SLAB_MAX_ALIGN; 0 means SLAB_MIN_ALIGN). Returns false if obj_size is 0 or above
// SLAB_MAX_OBJ, align is invalid or pages is NULL; the cache is then still initialised but
// every slab_alloc fails. Takes no pages yet.
bool slab_cache_init(struct slab_cache *c, const char *name, size_t obj_size, size_t align,
                     const struct slab_pages *pages);

// A zeroed object, or NULL when the page source has no page left.
void *slab_alloc(struct slab_cache *c);

// Release obj. Returns false, changing nothing, if obj is NULL, not on a slot boundary, not in
// a slab of this cache, or already free.
bool slab_free(struct slab_cache *c, void *obj);

// Give the cached empty slab, if any, back to the page source. Returns pages released.
uint64_t slab_cache_shrink(struct slab_cache *c);

// Full consistency check for tests and debug assertions: every slab's magic, owner, list
// placement and links, bitmap, in-use count and free list agree, the empty list holds at most
// one slab, and the cache's object and slab counts match.
bool slab_check(const struct slab_cache *c);
