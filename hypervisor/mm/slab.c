// SPDX-License-Identifier: MIT
// Per-type object caches: one-page slabs with in-page headers, free lists and free bitmaps

#include "mm/slab.h"

#define SLAB_MAGIC     0x42414c53564f4e31ull // "1NOVSLAB" as little-endian bytes
#define SLAB_MAP_WORDS 8u                    // bitmap words: room for 512 slots
#define SLOT_END       0xFFFFu               // end of an in-page free list

enum { L_PARTIAL, L_FULL, L_EMPTY };

// The header at the start of every slab page. The bitmap (bit set = slot free) is the truth;
// the free list threaded through the free slots only makes allocation O(1).
struct slab {
    uint64_t magic; // SLAB_MAGIC while the page belongs to a cache, 0 after release
    struct slab_cache *cache;
    struct slab *next, *prev; // on the cache list named by list
    uint16_t inuse;           // live objects
    uint16_t free_head;       // first free slot, SLOT_END if none
    uint8_t list;             // L_PARTIAL, L_FULL or L_EMPTY
    uint8_t pad[3];
    uint64_t freemap[SLAB_MAP_WORDS];
};

// The smallest slot is SLAB_MIN_ALIGN bytes, so the bitmap must cover a page of those, and
// the free-list links (u16 indices) must not collide with SLOT_END.
_Static_assert(SLAB_MAP_WORDS * 64 >= SLAB_PAGE_SIZE / SLAB_MIN_ALIGN, "bitmap too small");
_Static_assert(sizeof(struct slab) <= 2 * SLAB_MAX_ALIGN, "slab header too large");

/* ---------------------------------------------------------------- small helpers */

static uintptr_t align_up(uintptr_t x, uintptr_t a)
{
    return (x + a - 1) & ~(a - 1);
}

// Zero n bytes at p; p and n are multiples of 8. volatile keeps the compiler from turning the
// loop into a memset() call, which this file must not depend on.
static void zero_words(void *p, size_t n)
{
    volatile uint64_t *w = p;
    for (size_t i = 0; i < n / 8; i++) {
        w[i] = 0;
    }
}

static bool slot_is_free(const struct slab *s, unsigned i)
{
    return (s->freemap[i / 64] >> (i % 64)) & 1;
}

static void slot_mark(struct slab *s, unsigned i, bool free)
{
    uint64_t bit = 1ull << (i % 64);
    s->freemap[i / 64] = free ? s->freemap[i / 64] | bit : s->freemap[i / 64] & ~bit;
}

static uint8_t *slot_addr(const struct slab_cache *c, const struct slab *s, unsigned i)
{
    return (uint8_t *)((uintptr_t)s + c->first + (uintptr_t)i * c->stride);
}

// A free slot's first two bytes hold the index of the next free slot.
static uint16_t slot_link(const struct slab_cache *c, const struct slab *s, unsigned i)
{
    return *(const uint16_t *)slot_addr(c, s, i);
}

static void slot_set_link(const struct slab_cache *c, struct slab *s, unsigned i, uint16_t next)
{
    *(uint16_t *)slot_addr(c, s, i) = next;
}

/* ---------------------------------------------------------------- cache lists */

static struct slab *list_first(const struct slab_cache *c, unsigned which)
{
    return which == L_PARTIAL ? c->partial : which == L_FULL ? c->full : c->empty;
}

static struct slab **list_head(struct slab_cache *c, unsigned which)
{
    return which == L_PARTIAL ? &c->partial : which == L_FULL ? &c->full : &c->empty;
}

static void list_add(struct slab_cache *c, struct slab *s, unsigned which)
{
    struct slab **head = list_head(c, which);
    s->list = (uint8_t)which;
    s->prev = NULL;
    s->next = *head;
    if (s->next != NULL) {
        s->next->prev = s;
    }
    *head = s;
}

static void list_del(struct slab_cache *c, struct slab *s)
{
    if (s->prev != NULL) {
        s->prev->next = s->next;
    } else {
        *list_head(c, s->list) = s->next;
    }
    if (s->next != NULL) {
        s->next->prev = s->prev;
    }
    s->next = s->prev = NULL;
}

static void list_move(struct slab_cache *c, struct slab *s, unsigned which)
{
    list_del(c, s);
    list_add(c, s, which);
}

/* ---------------------------------------------------------------- slab pages */

// Thread all slots, in address order, onto the free list of a fresh slab.
static void slab_format(struct slab_cache *c, struct slab *s)
{
    zero_words(s, sizeof(*s));
    s->magic = SLAB_MAGIC;
    s->cache = c;
    s->free_head = 0;
    for (unsigned i = 0; i < c->per_slab; i++) {
        slot_mark(s, i, true);
        slot_set_link(c, s, i, i + 1 < c->per_slab ? (uint16_t)(i + 1) : SLOT_END);
    }
}

// Take a page from the page source and put it, formatted, on the empty list.
static bool slab_grow(struct slab_cache *c)
{
    void *page = c->pages->alloc(c->pages->ctx);
    if (page == NULL) {
        return false;
    }
    // A misaligned page would break the address masking in slab_free; refuse it.
    if (((uintptr_t)page & (SLAB_PAGE_SIZE - 1)) != 0) {
        c->pages->free(c->pages->ctx, page);
        return false;
    }
    struct slab *s = page;
    slab_format(c, s);
    list_add(c, s, L_EMPTY);
    c->slabs++;
    return true;
}

static void slab_release(struct slab_cache *c, struct slab *s)
{
    list_del(c, s);
    // Clearing the magic makes a stale pointer into this page fail slab_free's checks.
    s->magic = 0;
    s->cache = NULL;
    c->slabs--;
    c->pages->free(c->pages->ctx, s);
}

// Rebuild the free list from the bitmap; used when a use-after-free corrupted a link.
static void slab_relink(struct slab_cache *c, struct slab *s)
{
    s->free_head = SLOT_END;
    for (unsigned i = c->per_slab; i-- > 0;) {
        if (slot_is_free(s, i)) {
            slot_set_link(c, s, i, s->free_head);
            s->free_head = (uint16_t)i;
        }
    }
}

// Take a free slot from a slab that has one. The head is validated against the bitmap, so a
// corrupted link can never hand out a live object.
static unsigned slab_take(struct slab_cache *c, struct slab *s)
{
    if (s->free_head >= c->per_slab || !slot_is_free(s, s->free_head)) {
        slab_relink(c, s);
    }
    unsigned i = s->free_head;
    s->free_head = slot_link(c, s, i);
    slot_mark(s, i, false);
    s->inuse++;
    return i;
}

/* ---------------------------------------------------------------- interface */

bool slab_cache_init(struct slab_cache *c, const char *name, size_t obj_size, size_t align,
                     const struct slab_pages *pages)
{
    *c = (struct slab_cache){.name = name, .pages = pages};
    if (align == 0) {
        align = SLAB_MIN_ALIGN;
    }
    if (obj_size == 0 || obj_size > SLAB_MAX_OBJ || align > SLAB_MAX_ALIGN ||
        (align & (align - 1)) != 0 || pages == NULL) {
        return false;
    }
    if (align < SLAB_MIN_ALIGN) {
        align = SLAB_MIN_ALIGN;
    }
    c->obj_size = (uint32_t)obj_size;
    c->stride = (uint32_t)align_up(obj_size, align);
    c->first = (uint32_t)align_up(sizeof(struct slab), align);
    c->per_slab = (SLAB_PAGE_SIZE - c->first) / c->stride;
    return true;
}

void *slab_alloc(struct slab_cache *c)
{
    if (c->per_slab == 0) {
        return NULL;
    }
    if (c->partial == NULL) {
        if (c->empty == NULL && !slab_grow(c)) {
            return NULL;
        }
        list_move(c, c->empty, L_PARTIAL);
    }
    struct slab *s = c->partial;
    unsigned i = slab_take(c, s);
    if (s->inuse == c->per_slab) {
        list_move(c, s, L_FULL);
    }
    c->allocated++;
    uint8_t *obj = slot_addr(c, s, i);
    zero_words(obj, c->stride);
    return obj;
}

// The slot index of obj if it is a live object of c, else -1. Reads only the page header.
static int live_slot(const struct slab_cache *c, const void *obj, struct slab **sp)
{
    struct slab *s = (struct slab *)((uintptr_t)obj & ~(uintptr_t)(SLAB_PAGE_SIZE - 1));
    uintptr_t off = (uintptr_t)obj - (uintptr_t)s;
    if (obj == NULL || c->per_slab == 0 || s->magic != SLAB_MAGIC || s->cache != c ||
        off < c->first || (off - c->first) % c->stride != 0) {
        return -1;
    }
    uintptr_t i = (off - c->first) / c->stride;
    if (i >= c->per_slab || slot_is_free(s, (unsigned)i)) {
        return -1;
    }
    *sp = s;
    return (int)i;
}

bool slab_free(struct slab_cache *c, void *obj)
{
    struct slab *s;
    int i = live_slot(c, obj, &s);
    if (i < 0) {
        return false;
    }
    slot_set_link(c, s, (unsigned)i, s->free_head);
    s->free_head = (uint16_t)i;
    slot_mark(s, (unsigned)i, true);
    s->inuse--;
    c->allocated--;
    if (s->inuse == 0) {
        // Keep one empty slab so alloc/free at a slab boundary does not thrash the source.
        if (c->empty != NULL) {
            slab_release(c, s);
        } else {
            list_move(c, s, L_EMPTY);
        }
    } else if (s->list == L_FULL) {
        list_move(c, s, L_PARTIAL);
    }
    return true;
}

uint64_t slab_cache_shrink(struct slab_cache *c)
{
    if (c->empty == NULL) {
        return 0;
    }
    slab_release(c, c->empty);
    return 1;
}

/* ---------------------------------------------------------------- consistency check */

static unsigned popcount64(uint64_t x)
{
    unsigned n = 0;
    for (; x != 0; x &= x - 1) {
        n++;
    }
    return n;
}

// Bitmap agrees with inuse (and has no bits past per_slab); the free list holds exactly the
// free slots. The walk is bounded by the free count, so a cycle fails.
static bool check_slots(const struct slab_cache *c, const struct slab *s)
{
    unsigned nfree = 0;
    for (unsigned w = 0; w < SLAB_MAP_WORDS; w++) {
        nfree += popcount64(s->freemap[w]);
    }
    for (unsigned i = c->per_slab; i < SLAB_MAP_WORDS * 64; i++) {
        if (slot_is_free(s, i)) {
            return false;
        }
    }
    if (s->inuse > c->per_slab || nfree != c->per_slab - s->inuse) {
        return false;
    }
    unsigned walked = 0;
    for (unsigned i = s->free_head; i != SLOT_END; i = slot_link(c, s, i)) {
        if (i >= c->per_slab || !slot_is_free(s, i) || walked == nfree) {
            return false;
        }
        walked++;
    }
    return walked == nfree;
}

// One slab on list `which`: header intact, linked after prev, fill level fits the list.
static bool check_slab(const struct slab_cache *c, const struct slab *s, unsigned which,
                       const struct slab *prev)
{
    if (((uintptr_t)s & (SLAB_PAGE_SIZE - 1)) != 0 || s->magic != SLAB_MAGIC || s->cache != c ||
        s->list != which || s->prev != prev || !check_slots(c, s)) {
        return false;
    }
    switch (which) {
    case L_PARTIAL:
        return s->inuse > 0 && s->inuse < c->per_slab;
    case L_FULL:
        return s->inuse == c->per_slab;
    default:
        return s->inuse == 0;
    }
}

// Walk one list, adding its slabs and objects to the totals; bounded so a cycle fails.
static bool check_list(const struct slab_cache *c, unsigned which, uint64_t *slabs, uint64_t *objs)
{
    const struct slab *prev = NULL;
    for (const struct slab *s = list_first(c, which); s != NULL; s = s->next) {
        if (*slabs >= c->slabs || !check_slab(c, s, which, prev)) {
            return false;
        }
        ++*slabs;
        *objs += s->inuse;
        prev = s;
    }
    return true;
}

bool slab_check(const struct slab_cache *c)
{
    uint64_t slabs = 0, objs = 0;
    for (unsigned which = L_PARTIAL; which <= L_EMPTY; which++) {
        if (!check_list(c, which, &slabs, &objs)) {
            return false;
        }
    }
    if (c->empty != NULL && c->empty->next != NULL) {
        return false;
    }
    return slabs == c->slabs && objs == c->allocated;
}
