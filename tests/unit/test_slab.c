// SPDX-License-Identifier: MIT
// Unit tests of the slab object caches over a fake, countable, exhaustible page source
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mm/slab.h"

#define POOL_PAGES 64

// A page source over a private pool, so pages given back are never unmapped (slab_free may
// read the header of a page a stale pointer points into) and every page is accounted for.
struct pool {
    uint8_t *mem;
    bool out[POOL_PAGES]; // page handed to the cache and not yet returned
    unsigned outstanding, limit;
    unsigned allocs, frees;
    bool misalign; // hand out a misaligned pointer once
};

static void *pool_alloc(void *ctx)
{
    struct pool *p = ctx;
    if (p->misalign) {
        p->misalign = false;
        p->allocs++;
        p->outstanding++;
        return p->mem + 64;
    }
    if (p->outstanding >= p->limit) {
        return NULL;
    }
    for (unsigned i = 0; i < POOL_PAGES; i++) {
        if (!p->out[i]) {
            p->out[i] = true;
            p->outstanding++;
            p->allocs++;
            // Dirty pages: the cache must not rely on the source zeroing them.
            memset(p->mem + i * SLAB_PAGE_SIZE, 0xA5, SLAB_PAGE_SIZE);
            return p->mem + i * SLAB_PAGE_SIZE;
        }
    }
    return NULL;
}

static void pool_free(void *ctx, void *page)
{
    struct pool *p = ctx;
    p->frees++;
    p->outstanding--;
    if (page == p->mem + 64) {
        return;
    }
    size_t off = (size_t)((uint8_t *)page - p->mem);
    assert_int_equal(off % SLAB_PAGE_SIZE, 0);
    assert_true(off / SLAB_PAGE_SIZE < POOL_PAGES);
    assert_true(p->out[off / SLAB_PAGE_SIZE]);
    p->out[off / SLAB_PAGE_SIZE] = false;
}

struct fixture {
    struct pool pool;
    struct slab_pages src;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    fx->pool.mem = aligned_alloc(SLAB_PAGE_SIZE, POOL_PAGES * SLAB_PAGE_SIZE);
    fx->pool.limit = POOL_PAGES;
    fx->src = (struct slab_pages){pool_alloc, pool_free, &fx->pool};
    *state = fx;
    return fx->pool.mem == NULL;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    free(fx->pool.mem);
    free(fx);
    return 0;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] != 0) {
            return false;
        }
    }
    return true;
}

static int cmp_ptr(const void *a, const void *b)
{
    const uint8_t *x = *(void *const *)a, *y = *(void *const *)b;
    return x < y ? -1 : x > y;
}

/* ---------------------------------------------------------------- basics */

static void test_init_rejects_bad_params(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_false(slab_cache_init(&c, "zero", 0, 8, &fx->src));
    assert_null(slab_alloc(&c));
    assert_false(slab_cache_init(&c, "huge", SLAB_MAX_OBJ + 1, 8, &fx->src));
    assert_null(slab_alloc(&c));
    assert_false(slab_cache_init(&c, "align3", 16, 3, &fx->src));
    assert_false(slab_cache_init(&c, "align128", 16, 128, &fx->src));
    assert_false(slab_cache_init(&c, "nosrc", 16, 8, NULL));
    assert_null(slab_alloc(&c));
    assert_true(slab_check(&c));
    assert_int_equal(fx->pool.allocs, 0);

    assert_true(slab_cache_init(&c, "max", SLAB_MAX_OBJ, SLAB_MAX_ALIGN, &fx->src));
    assert_int_equal(c.per_slab, 1);
    assert_true(slab_cache_init(&c, "tiny", 1, 1, &fx->src));
    assert_int_equal(c.stride, SLAB_MIN_ALIGN);
    assert_true(slab_cache_init(&c, "default", 24, 0, &fx->src));
    assert_int_equal(c.stride, 24);
    assert_int_equal(fx->pool.allocs, 0); // init takes no pages
}

static void test_alloc_free_one(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "one", 40, 8, &fx->src));
    uint8_t *o = slab_alloc(&c);
    assert_non_null(o);
    assert_true(all_zero(o, 40));
    assert_int_equal((uintptr_t)o % 8, 0);
    assert_int_equal(c.allocated, 1);
    assert_int_equal(c.slabs, 1);
    memset(o, 0xFF, 40);
    assert_true(slab_check(&c));
    assert_true(slab_free(&c, o));
    assert_int_equal(c.allocated, 0);
    assert_true(slab_check(&c));
    // The slab is now empty and stays cached; the same slot comes back, zeroed again.
    assert_int_equal(fx->pool.outstanding, 1);
    assert_ptr_equal(slab_alloc(&c), o);
    assert_true(all_zero(o, 40));
    assert_true(slab_free(&c, o));
    assert_int_equal(slab_cache_shrink(&c), 1);
    assert_int_equal(slab_cache_shrink(&c), 0);
    assert_int_equal(fx->pool.outstanding, 0);
    assert_int_equal(c.slabs, 0);
    assert_true(slab_check(&c));
}

// Fill three slabs' worth of objects of one shape; check alignment, zeroing, bounds and that
// no two objects (nor an object and a slab header) overlap.
static void check_shape(struct fixture *fx, size_t size, size_t align)
{
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "shape", size, align, &fx->src));
    size_t n = 3 * (size_t)c.per_slab, a = align < SLAB_MIN_ALIGN ? SLAB_MIN_ALIGN : align;
    uint8_t **obj = calloc(n, sizeof(*obj));
    for (size_t i = 0; i < n; i++) {
        obj[i] = slab_alloc(&c);
        assert_non_null(obj[i]);
        assert_int_equal((uintptr_t)obj[i] % a, 0);
        assert_true(all_zero(obj[i], size));
        uintptr_t off = (uintptr_t)obj[i] % SLAB_PAGE_SIZE;
        assert_true(off > 0 && off + size <= SLAB_PAGE_SIZE); // header first, within page
        memset(obj[i], (int)(i & 0xFF), size);
    }
    assert_int_equal(c.slabs, 3);
    assert_true(slab_check(&c)); // headers survived the memsets
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < size; j++) {
            assert_int_equal(obj[i][j], i & 0xFF); // no neighbour wrote over it
        }
    }
    qsort(obj, n, sizeof(*obj), cmp_ptr);
    for (size_t i = 1; i < n; i++) {
        assert_true(obj[i - 1] + size <= obj[i]);
    }
    for (size_t i = 0; i < n; i++) {
        assert_true(slab_free(&c, obj[i]));
    }
    slab_cache_shrink(&c);
    assert_int_equal(fx->pool.outstanding, 0);
    assert_true(slab_check(&c));
    free(obj);
}

static void test_shapes(void **state)
{
    static const size_t sizes[] = {1, 7, 8, 24, 100, 257, 512, 1000, 2000, 2048};
    static const size_t aligns[] = {0, 1, 8, 16, 32, 64};
    for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
        for (size_t a = 0; a < sizeof(aligns) / sizeof(aligns[0]); a++) {
            check_shape(*state, sizes[s], aligns[a]);
        }
    }
}

static void test_reuse_is_zeroed(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "dirty", 64, 64, &fx->src));
    void *o[10];
    for (int i = 0; i < 10; i++) {
        o[i] = slab_alloc(&c);
        memset(o[i], 0x5A, 64);
    }
    for (int i = 0; i < 10; i += 2) {
        assert_true(slab_free(&c, o[i]));
    }
    for (int i = 0; i < 5; i++) {
        uint8_t *p = slab_alloc(&c);
        assert_true(all_zero(p, 64));
    }
    assert_true(slab_check(&c));
}

/* ---------------------------------------------------------------- many slabs and the page source
 */

static void test_many_objects(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "many", 48, 16, &fx->src));
    size_t n = 20 * (size_t)c.per_slab + 3;
    void **obj = calloc(n, sizeof(*obj));
    for (size_t i = 0; i < n; i++) {
        obj[i] = slab_alloc(&c);
        assert_non_null(obj[i]);
    }
    assert_int_equal(c.slabs, 21);
    assert_int_equal(fx->pool.outstanding, 21);
    assert_int_equal(c.allocated, n);
    assert_true(slab_check(&c));
    // Free every other object: nothing becomes empty, so nothing goes back yet.
    for (size_t i = 0; i < n; i += 2) {
        assert_true(slab_free(&c, obj[i]));
    }
    assert_int_equal(fx->pool.outstanding, 21);
    assert_true(slab_check(&c));
    for (size_t i = 1; i < n; i += 2) {
        assert_true(slab_free(&c, obj[i]));
    }
    // All empty now: exactly one slab stays cached, the rest went back as they emptied.
    assert_int_equal(c.allocated, 0);
    assert_int_equal(c.slabs, 1);
    assert_int_equal(fx->pool.outstanding, 1);
    assert_int_equal(fx->pool.frees, 20);
    assert_true(slab_check(&c));
    free(obj);
}

static void test_exhaustion(void **state)
{
    struct fixture *fx = *state;
    fx->pool.limit = 2;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "tight", 100, 8, &fx->src));
    size_t n = 2 * (size_t)c.per_slab;
    void **obj = calloc(n, sizeof(*obj));
    for (size_t i = 0; i < n; i++) {
        obj[i] = slab_alloc(&c);
        assert_non_null(obj[i]);
    }
    assert_null(slab_alloc(&c));
    assert_null(slab_alloc(&c));
    assert_int_equal(c.allocated, n);
    assert_int_equal(c.slabs, 2);
    assert_true(slab_check(&c));
    // Nothing was lost: a free makes room for exactly one more object, the same slot.
    assert_true(slab_free(&c, obj[7]));
    void *again = slab_alloc(&c);
    assert_ptr_equal(again, obj[7]);
    assert_null(slab_alloc(&c));
    for (size_t i = 0; i < n; i++) {
        assert_true(slab_free(&c, obj[i]));
    }
    slab_cache_shrink(&c);
    assert_int_equal(fx->pool.outstanding, 0);
    assert_true(slab_check(&c));
    free(obj);
}

static void test_empty_source(void **state)
{
    struct fixture *fx = *state;
    fx->pool.limit = 0;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "none", 16, 8, &fx->src));
    assert_null(slab_alloc(&c));
    assert_int_equal(c.slabs, 0);
    assert_true(slab_check(&c));
    fx->pool.limit = 1; // the source recovers: allocation works again
    assert_non_null(slab_alloc(&c));
    assert_true(slab_check(&c));
}

static void test_misaligned_page_refused(void **state)
{
    struct fixture *fx = *state;
    fx->pool.misalign = true;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "mis", 16, 8, &fx->src));
    assert_null(slab_alloc(&c)); // the bad page went straight back
    assert_int_equal(fx->pool.outstanding, 0);
    assert_int_equal(c.slabs, 0);
    void *o = slab_alloc(&c);
    assert_non_null(o);
    assert_true(slab_free(&c, o));
    assert_true(slab_check(&c));
}

/* ---------------------------------------------------------------- misuse */

static void assert_rejected(struct slab_cache *c, void *p)
{
    uint64_t allocated = c->allocated, slabs = c->slabs;
    assert_false(slab_free(c, p));
    assert_int_equal(c->allocated, allocated);
    assert_int_equal(c->slabs, slabs);
    assert_true(slab_check(c));
}

static void test_double_free(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "df", 32, 8, &fx->src));
    void *a = slab_alloc(&c), *b = slab_alloc(&c);
    assert_true(slab_free(&c, a));
    assert_rejected(&c, a);
    assert_true(slab_free(&c, b)); // slab now empty but cached
    assert_rejected(&c, b);
    assert_rejected(&c, a);
}

static void test_foreign_pointers(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c, d;
    assert_true(slab_cache_init(&c, "mine", 32, 8, &fx->src));
    assert_true(slab_cache_init(&d, "other", 32, 8, &fx->src));
    uint8_t *a = slab_alloc(&c), *x = slab_alloc(&d);
    assert_non_null(a);
    assert_non_null(x);

    assert_rejected(&c, NULL);
    assert_rejected(&c, x);     // live object of another cache with the same shape
    assert_rejected(&c, a + 1); // inside an object
    assert_rejected(&c, a + 8);
    assert_rejected(&c, (void *)((uintptr_t)a & ~(uintptr_t)(SLAB_PAGE_SIZE - 1))); // header
    uint8_t *slot0 = (uint8_t *)((uintptr_t)a & ~(uintptr_t)(SLAB_PAGE_SIZE - 1)) + c.first;
    assert_ptr_equal(a, slot0);                         // first allocation, first slot
    assert_rejected(&c, a - c.stride);                  // before the first slot
    assert_rejected(&c, a + 2 * c.stride);              // a slot that is free
    assert_rejected(&c, slot0 + c.per_slab * c.stride); // one past the last slot

    // A page that was never a slab: the magic does not match.
    uint8_t *page = aligned_alloc(SLAB_PAGE_SIZE, SLAB_PAGE_SIZE);
    memset(page, 0, SLAB_PAGE_SIZE);
    assert_rejected(&c, page + c.first);
    // Nor one forged to name this cache everywhere: only the magic tells it apart.
    for (size_t i = 0; i < SLAB_PAGE_SIZE; i += sizeof(void *)) {
        struct slab_cache *cp = &c;
        memcpy(page + i, &cp, sizeof(cp));
    }
    assert_rejected(&c, page + c.first);
    free(page);

    // A stale pointer into a page that went back to the source.
    assert_true(slab_free(&d, x));
    assert_int_equal(slab_cache_shrink(&d), 1);
    assert_rejected(&d, x);
    assert_true(slab_check(&d));

    assert_true(slab_free(&c, a));
}

// A write to a freed object overwrites its free-list link; the bitmap must still keep a live
// object from being handed out twice.
static void test_use_after_free_link(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "uaf", 16, 8, &fx->src));
    uint8_t *live = slab_alloc(&c), *a = slab_alloc(&c);
    assert_true(slab_free(&c, a));
    // live is slot 0 and a slot 1: point a's link at the live slot.
    assert_ptr_equal(a, live + c.stride);
    memset(a, 0, 2);
    assert_false(slab_check(&c)); // the checker notices
    void *p = slab_alloc(&c), *q = slab_alloc(&c);
    assert_ptr_equal(p, a);
    assert_ptr_not_equal(q, live);
    assert_ptr_not_equal(q, p);
    assert_true(slab_check(&c)); // and the list was rebuilt
}

// The cache-level books must balance; a checker that always passes would prove nothing.
static void test_check_detects_bad_counts(void **state)
{
    struct fixture *fx = *state;
    struct slab_cache c;
    assert_true(slab_cache_init(&c, "books", 64, 8, &fx->src));
    void *o = slab_alloc(&c);
    assert_true(slab_check(&c));
    c.allocated++;
    assert_false(slab_check(&c));
    c.allocated--;
    c.slabs++;
    assert_false(slab_check(&c));
    c.slabs--;
    struct slab *s = c.partial;
    c.partial = NULL; // a slab lost from the lists
    assert_false(slab_check(&c));
    c.partial = s;
    c.full = s; // the same slab on two lists
    assert_false(slab_check(&c));
    c.full = NULL;
    assert_true(slab_check(&c));
    assert_true(slab_free(&c, o));
}

/* ---------------------------------------------------------------- randomized stress */

static uint64_t rng_state;

static uint64_t rng(void)
{
    // xorshift64*: deterministic for a fixed seed, so failures reproduce.
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

#define MAX_LIVE 4000

struct stress_cache {
    struct slab_cache c;
    size_t size;
    uint8_t *live[MAX_LIVE];
    size_t nlive;
};

// Every live object holds its own address's low byte, so any overlap or stray zeroing shows.
static uint8_t tag(const uint8_t *p)
{
    return (uint8_t)(((uintptr_t)p >> 3) | 1);
}

static void stress_step(struct stress_cache *sc, bool filling)
{
    if (sc->nlive < MAX_LIVE && (sc->nlive == 0 || rng() % 100 < (filling ? 70u : 30u))) {
        uint8_t *p = slab_alloc(&sc->c);
        if (p == NULL) {
            return; // pool exhausted; a later free makes room
        }
        assert_true(all_zero(p, sc->size));
        memset(p, tag(p), sc->size);
        sc->live[sc->nlive++] = p;
        return;
    }
    size_t i = rng() % sc->nlive;
    uint8_t *p = sc->live[i];
    for (size_t j = 0; j < sc->size; j++) {
        assert_int_equal(p[j], tag(p));
    }
    assert_true(slab_free(&sc->c, p));
    sc->live[i] = sc->live[--sc->nlive];
    if (rng() % 32 == 0) {
        assert_false(slab_free(&sc->c, p));
    }
}

static void test_stress(void **state)
{
    struct fixture *fx = *state;
    static const size_t sizes[] = {8, 40, 200, 1500};
    struct stress_cache *sc = calloc(4, sizeof(*sc));
    for (int k = 0; k < 4; k++) {
        sc[k].size = sizes[k];
        assert_true(slab_cache_init(&sc[k].c, "stress", sizes[k], (size_t)8 << k, &fx->src));
    }
    rng_state = 0xC0FFEE1234567ull;
    for (int op = 0; op < 20000; op++) {
        stress_step(&sc[rng() % 4], (op / 2000) % 2 == 0);
        if (op % 100 == 99) {
            for (int k = 0; k < 4; k++) {
                assert_true(slab_check(&sc[k].c));
            }
        }
    }
    unsigned held = 0;
    for (int k = 0; k < 4; k++) {
        while (sc[k].nlive > 0) {
            assert_true(slab_free(&sc[k].c, sc[k].live[--sc[k].nlive]));
        }
        assert_true(slab_check(&sc[k].c));
        assert_int_equal(sc[k].c.allocated, 0);
        held += (unsigned)sc[k].c.slabs;
        assert_true(sc[k].c.slabs <= 1);
    }
    assert_int_equal(fx->pool.outstanding, held);
    assert_true(fx->pool.allocs > POOL_PAGES); // pages really cycled through the source
    free(sc);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_init_rejects_bad_params),
        T(test_alloc_free_one),
        T(test_shapes),
        T(test_reuse_is_zeroed),
        T(test_many_objects),
        T(test_exhaustion),
        T(test_empty_source),
        T(test_misaligned_page_refused),
        T(test_double_free),
        T(test_foreign_pointers),
        T(test_use_after_free_link),
        T(test_check_detects_bad_counts),
        T(test_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
