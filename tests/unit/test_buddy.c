// SPDX-License-Identifier: MIT
// Unit tests of the buddy page-frame allocator: donation, exhaustion, coalescing, misuse, stress
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "mm/buddy.h"

// A test allocator with its metadata; the frames themselves never exist.
struct fixture {
    struct buddy b;
    struct buddy_frame *meta;
};

static struct fixture *fixture_new(uint64_t base, uint64_t npages)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->meta = malloc(buddy_meta_size(npages) + 1); // +1: npages may be 0
    assert_non_null(fx->meta);
    buddy_init(&fx->b, base, npages, fx->meta);
    assert_true(buddy_check(&fx->b));
    return fx;
}

static void fixture_free(struct fixture *fx)
{
    free(fx->meta);
    free(fx);
}

// Free blocks per order, read straight off the lists.
static void count_blocks(const struct buddy *b, uint64_t out[BUDDY_MAX_ORDER + 1])
{
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        out[k] = 0;
        for (uint32_t i = b->head[k]; i != BUDDY_NIL; i = b->frames[i].next) {
            out[k]++;
        }
    }
}

static void assert_same_shape(const struct buddy *b, const uint64_t want[BUDDY_MAX_ORDER + 1])
{
    uint64_t got[BUDDY_MAX_ORDER + 1];
    count_blocks(b, got);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        if (got[k] != want[k]) {
            fail_msg("order %u: %llu free blocks, want %llu", k, (unsigned long long)got[k],
                     (unsigned long long)want[k]);
        }
    }
}

/* ---------------------------------------------------------------- init and donation */

static void test_meta_size(void **state)
{
    (void)state;
    assert_int_equal(sizeof(struct buddy_frame), 12);
    assert_int_equal(buddy_meta_size(0), 0);
    assert_int_equal(buddy_meta_size(1000), 12000);
    assert_int_equal(buddy_meta_size(UINT64_MAX), (size_t)BUDDY_MAX_FRAMES * 12);
}

static void test_init_all_reserved(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0x100, 4096);
    assert_int_equal(buddy_free_pages(&fx->b), 0);
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        assert_true(buddy_alloc(&fx->b, k) == BUDDY_NONE);
    }
    // Reserved frames were never handed out, so they cannot be freed either.
    assert_false(buddy_free(&fx->b, 0x100, 0));
    assert_false(buddy_free(&fx->b, 0x100, BUDDY_MAX_ORDER));
    assert_true(buddy_check(&fx->b));
    fixture_free(fx);
}

static void test_init_clamps(void **state)
{
    (void)state;
    struct buddy b;
    buddy_init(&b, 5, 100, NULL);
    assert_int_equal(b.npages, 0);
    assert_true(buddy_check(&b));
    assert_int_equal(buddy_add_free(&b, 0, 1000), 0);
    assert_true(buddy_alloc(&b, 0) == BUDDY_NONE);

    // A range that would wrap past 2^64 is cut at the top; nothing is touched beyond it.
    struct buddy_frame meta[16];
    buddy_init(&b, UINT64_MAX - 10, 16, meta);
    assert_int_equal(b.npages, 10);
    assert_int_equal(buddy_add_free(&b, UINT64_MAX - 10, UINT64_MAX), 10);
    assert_true(buddy_check(&b));
    assert_int_equal(buddy_free_pages(&b), 10);
}

static void test_add_odd_ranges(void **state)
{
    (void)state;
    // An odd base exercises the absolute (not base-relative) block alignment.
    struct fixture *fx = fixture_new(0x1003, 5000); // frames [0x1003, 0x238b)
    struct buddy *b = &fx->b;

    assert_int_equal(buddy_add_free(b, 0x1005, 3), 3);
    assert_int_equal(buddy_add_free(b, 0x1011, 0x3ef), 0x3ef);
    // Straddling the base and the end: only the inside counts.
    assert_int_equal(buddy_add_free(b, 0x1000, 4), 1);
    assert_int_equal(buddy_add_free(b, 0x2380, 100), 0x238b - 0x2380);
    // Entirely outside, empty, and re-donating what is already free: no effect.
    assert_int_equal(buddy_add_free(b, 0x10, 0x100), 0);
    assert_int_equal(buddy_add_free(b, 0x3000, 0x100), 0);
    assert_int_equal(buddy_add_free(b, 0x1200, 0), 0);
    assert_int_equal(buddy_add_free(b, 0x1005, 3), 0);
    // Overlapping an existing donation: only the new frames count.
    assert_int_equal(buddy_add_free(b, 0x1400, 0x801), 0x801);
    assert_int_equal(buddy_add_free(b, 0x1c00, 0x20), 0x1f);
    // A reserved block head whose aligned block holds already-free frames further in.
    assert_int_equal(buddy_add_free(b, 0x1d10, 0x10), 0x10);
    assert_int_equal(buddy_add_free(b, 0x1d00, 0x40), 0x30);
    // 2^k - 1 frames from an aligned start: no block may reach past the end of the donation.
    assert_int_equal(buddy_add_free(b, 0x2000, 0x1f), 0x1f);
    assert_true(buddy_check(b));

    uint64_t want = 3 + 0x3ef + 1 + (0x238b - 0x2380) + 0x801 + 0x1f + 0x40 + 0x1f;
    assert_int_equal(buddy_free_pages(b), want);

    // The holes stay reserved: nothing allocated ever lands in them.
    uint64_t got = 0, pfn;
    while ((pfn = buddy_alloc(b, 0)) != BUDDY_NONE) {
        assert_true(pfn >= 0x1003 && pfn < 0x238b);
        assert_false(pfn == 0x1004);
        assert_false(pfn >= 0x1008 && pfn < 0x1011);
        assert_false(pfn >= 0x1c20 && pfn < 0x1d00);
        assert_false(pfn >= 0x1d40 && pfn < 0x2000);
        assert_false(pfn >= 0x201f && pfn < 0x2380);
        got++;
    }
    assert_int_equal(got, want);
    assert_int_equal(buddy_free_pages(b), 0);
    assert_true(buddy_check(b));
    fixture_free(fx);
}

static void test_add_maximal_blocks(void **state)
{
    (void)state;
    // 4 MiB-aligned base, 3 full max-order blocks plus a ragged tail of 1 + 2 + 4 frames.
    uint64_t base = 0x40000, n = 3 * 1024 + 7;
    struct fixture *fx = fixture_new(base, n);
    assert_int_equal(buddy_add_free(&fx->b, base, n), n);
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[0] = 1, [1] = 1, [2] = 1, [BUDDY_MAX_ORDER] = 3};
    assert_same_shape(&fx->b, want);

    // Donating frame by frame in a scrambled order must coalesce to the same shape.
    struct fixture *fy = fixture_new(base, n);
    for (uint64_t i = 0; i < n; i++) {
        uint64_t j = (i * 7919) % n; // 7919 is prime and coprime with n: a permutation
        assert_int_equal(buddy_add_free(&fy->b, base + j, 1), 1);
    }
    assert_true(buddy_check(&fy->b));
    assert_same_shape(&fy->b, want);
    fixture_free(fy);
    fixture_free(fx);
}

/* ---------------------------------------------------------------- exhaustion and coalescing */

// Exhaust one order, check every block is aligned and accounted for, free everything (in a
// different order) and check the free lists have exactly their original shape again.
static void exhaust_order(unsigned order)
{
    uint64_t base = 0x7777, n = 9000;
    struct fixture *fx = fixture_new(base, n);
    struct buddy *b = &fx->b;
    buddy_add_free(b, base + 3, 4000);
    buddy_add_free(b, base + 4100, 4321);
    uint64_t total = buddy_free_pages(b), shape[BUDDY_MAX_ORDER + 1];
    count_blocks(b, shape);

    uint64_t *got = malloc(sizeof(*got) * (n + 1));
    size_t cnt = 0;
    uint64_t pfn;
    while ((pfn = buddy_alloc(b, order)) != BUDDY_NONE) {
        assert_int_equal(pfn & ((1ull << order) - 1), 0);
        assert_true(pfn >= base && pfn + (1ull << order) <= base + n);
        got[cnt++] = pfn;
    }
    assert_true(buddy_check(b));
    assert_int_equal(cnt * (1ull << order) + buddy_free_pages(b), total);
    for (unsigned k = order; k <= BUDDY_MAX_ORDER; k++) {
        assert_true(buddy_alloc(b, k) == BUDDY_NONE);
    }
    // Free odd indices first, then even ones, to exercise merges from both sides.
    for (size_t i = 1; i < cnt; i += 2) {
        assert_true(buddy_free(b, got[i], order));
    }
    for (size_t i = 0; i < cnt; i += 2) {
        assert_true(buddy_free(b, got[i], order));
    }
    assert_true(buddy_check(b));
    assert_int_equal(buddy_free_pages(b), total);
    assert_same_shape(b, shape);
    free(got);
    fixture_free(fx);
}

static void test_exhaust_every_order(void **state)
{
    (void)state;
    for (unsigned k = 0; k <= BUDDY_MAX_ORDER; k++) {
        exhaust_order(k);
    }
}

static void test_bad_order(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 2048);
    buddy_add_free(&fx->b, 0, 2048);
    assert_true(buddy_alloc(&fx->b, BUDDY_MAX_ORDER + 1) == BUDDY_NONE);
    assert_true(buddy_alloc(&fx->b, 1000) == BUDDY_NONE);
    assert_int_equal(buddy_free_pages(&fx->b), 2048);
    fixture_free(fx);
}

static void test_split_and_merge(void **state)
{
    (void)state;
    uint64_t base = 0x400; // one 4 MiB-aligned max-order block
    struct fixture *fx = fixture_new(base, 1024);
    struct buddy *b = &fx->b;
    buddy_add_free(b, base, 1024);
    uint64_t one[BUDDY_MAX_ORDER + 1] = {[BUDDY_MAX_ORDER] = 1};
    assert_same_shape(b, one);

    // A single page splits the block into one free block of every smaller order.
    assert_int_equal(buddy_alloc(b, 0), base);
    uint64_t split[BUDDY_MAX_ORDER + 1];
    for (unsigned k = 0; k < BUDDY_MAX_ORDER; k++) {
        split[k] = 1;
    }
    split[BUDDY_MAX_ORDER] = 0;
    assert_same_shape(b, split);
    assert_true(buddy_check(b));

    // Lower half is reused first; the buddy of base is base + 1.
    assert_int_equal(buddy_alloc(b, 0), base + 1);
    assert_int_equal(buddy_alloc(b, 1), base + 2);
    assert_int_equal(buddy_alloc(b, 2), base + 4);
    assert_true(buddy_alloc(b, BUDDY_MAX_ORDER) == BUDDY_NONE);

    // Freeing in any order merges all the way up once the last piece comes back.
    assert_true(buddy_free(b, base + 1, 0));
    assert_true(buddy_free(b, base + 4, 2));
    assert_true(buddy_check(b));
    assert_true(buddy_free(b, base, 0));
    assert_true(buddy_check(b));
    assert_true(buddy_free(b, base + 2, 1));
    assert_same_shape(b, one);
    assert_true(buddy_check(b));
    assert_int_equal(buddy_alloc(b, BUDDY_MAX_ORDER), base);
    assert_int_equal(buddy_free_pages(b), 0);
    assert_true(buddy_free(b, base, BUDDY_MAX_ORDER));
    assert_int_equal(buddy_free_pages(b), 1024);
    fixture_free(fx);
}

static void test_no_merge_across_range_end(void **state)
{
    (void)state;
    // The range ends mid-block: the last frames can never merge with frames beyond the end.
    struct fixture *fx = fixture_new(0, 6);
    buddy_add_free(&fx->b, 0, 6);
    uint64_t want[BUDDY_MAX_ORDER + 1] = {[1] = 1, [2] = 1};
    assert_same_shape(&fx->b, want);
    assert_true(buddy_alloc(&fx->b, 3) == BUDDY_NONE);
    fixture_free(fx);
}

/* ---------------------------------------------------------------- misuse */

static void assert_rejected(struct fixture *fx, uint64_t pfn, unsigned order)
{
    uint64_t before = buddy_free_pages(&fx->b);
    assert_false(buddy_free(&fx->b, pfn, order));
    assert_int_equal(buddy_free_pages(&fx->b), before);
    assert_true(buddy_check(&fx->b));
}

static void test_double_free(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0x1000, 64);
    buddy_add_free(&fx->b, 0x1000, 64);
    uint64_t a = buddy_alloc(&fx->b, 2), c = buddy_alloc(&fx->b, 0);
    assert_true(buddy_free(&fx->b, a, 2));
    assert_rejected(fx, a, 2); // now the head of a free block
    assert_true(buddy_free(&fx->b, c, 0));
    assert_rejected(fx, c, 0); // merged: now an interior frame of a free block
    assert_int_equal(buddy_free_pages(&fx->b), 64);

    // A free block that did not merge (its buddy is live) is refused as well.
    uint64_t x = buddy_alloc(&fx->b, 0), y = buddy_alloc(&fx->b, 0);
    assert_int_equal(x ^ 1, y);
    assert_true(buddy_free(&fx->b, x, 0));
    assert_rejected(fx, x, 0);
    assert_true(buddy_free(&fx->b, y, 0));
    fixture_free(fx);
}

static void test_wrong_shape_free(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0x1000, 64);
    buddy_add_free(&fx->b, 0x1000, 64);
    uint64_t a = buddy_alloc(&fx->b, 3);
    assert_rejected(fx, a, 2);     // smaller order than allocated
    assert_rejected(fx, a, 4);     // larger order than allocated
    assert_rejected(fx, a + 1, 0); // interior frame
    assert_rejected(fx, a + 4, 2); // aligned interior sub-block
    assert_rejected(fx, a + 1, 1); // misaligned
    assert_true(buddy_free(&fx->b, a, 3));
    fixture_free(fx);
}

static void test_out_of_range_free(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0x1000, 64);
    buddy_add_free(&fx->b, 0x1000, 64);
    uint64_t a = buddy_alloc(&fx->b, 0);
    assert_rejected(fx, 0xfff, 0);
    assert_rejected(fx, 0x1040, 0);
    assert_rejected(fx, 0, 0);
    assert_rejected(fx, UINT64_MAX, 0);
    assert_rejected(fx, BUDDY_NONE, 3);
    assert_rejected(fx, 0x1000, 7);                       // block runs past the end
    assert_rejected(fx, a, BUDDY_MAX_ORDER + 1);          // order too large
    assert_rejected(fx, 0x1000 - 0x400, BUDDY_MAX_ORDER); // starts below base
    assert_true(buddy_free(&fx->b, a, 0));
    fixture_free(fx);
}

/* ---------------------------------------------------------------- the checker itself */

// Each corruption below must be caught, or buddy_check would prove nothing in the stress test.
static void test_check_detects_corruption(void **state)
{
    (void)state;
    struct fixture *fx = fixture_new(0, 64);
    struct buddy *b = &fx->b;
    buddy_add_free(b, 0, 64);
    uint64_t a = buddy_alloc(b, 0); // leaves free blocks of orders 0..5
    assert_true(buddy_check(b));
    struct buddy_frame saved[64];
    memcpy(saved, fx->meta, sizeof(saved));
    struct buddy copy = *b;

    b->free_pages++; // count off by one
    assert_false(buddy_check(b));
    *b = copy;

    fx->meta[b->head[1]].prev = 5; // broken back link
    assert_false(buddy_check(b));
    memcpy(fx->meta, saved, sizeof(saved));

    fx->meta[b->head[2]].next = b->head[2]; // cycle
    assert_false(buddy_check(b));
    memcpy(fx->meta, saved, sizeof(saved));

    fx->meta[b->head[3]].order = 2; // head on the wrong list
    assert_false(buddy_check(b));
    memcpy(fx->meta, saved, sizeof(saved));

    b->head[4] = BUDDY_NIL; // free block missing from its list
    assert_false(buddy_check(b));
    *b = copy;

    fx->meta[a + 5].state = fx->meta[a].state; // bogus head inside a free block
    assert_false(buddy_check(b));
    memcpy(fx->meta, saved, sizeof(saved));

    // Two free order-0 buddies left unmerged: free page 0 behind the allocator's back.
    fx->meta[a].next = b->head[0];
    fx->meta[a].prev = BUDDY_NIL;
    fx->meta[a].state = fx->meta[b->head[0]].state;
    fx->meta[b->head[0]].prev = (uint32_t)a;
    b->head[0] = (uint32_t)a;
    b->free_pages++;
    assert_false(buddy_check(b));
    *b = copy;
    memcpy(fx->meta, saved, sizeof(saved));

    assert_true(buddy_check(b));
    assert_true(buddy_free(b, a, 0));
    assert_true(buddy_check(b));
    fixture_free(fx);
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

struct live {
    uint64_t pfn;
    unsigned order;
};

struct stress {
    struct fixture *fx;
    uint8_t *shadow; // per frame: 1 while inside a live block
    uint8_t *usable; // per frame: 1 if donated
    struct live *live;
    size_t nlive;
};

static void shadow_mark(struct stress *st, uint64_t pfn, unsigned order, uint8_t v)
{
    uint64_t idx = pfn - st->fx->b.base_pfn;
    for (uint64_t i = 0; i < (1ull << order); i++) {
        if (v) {
            assert_int_equal(st->shadow[idx + i], 0); // overlap with a live block
            assert_int_equal(st->usable[idx + i], 1); // handed out a reserved frame
        }
        st->shadow[idx + i] = v;
    }
}

static void stress_alloc(struct stress *st)
{
    // Mostly small orders, as real use is, with an occasional large one.
    unsigned order =
        (rng() % 8 == 0) ? (unsigned)(rng() % (BUDDY_MAX_ORDER + 1)) : (unsigned)(rng() % 3);
    uint64_t pfn = buddy_alloc(&st->fx->b, order);
    if (pfn == BUDDY_NONE) {
        return;
    }
    assert_int_equal(pfn & ((1ull << order) - 1), 0);
    shadow_mark(st, pfn, order, 1);
    st->live[st->nlive++] = (struct live){pfn, order};
}

static void stress_free(struct stress *st)
{
    size_t i = rng() % st->nlive;
    struct live l = st->live[i];
    if (rng() % 16 == 0) {
        assert_false(buddy_free(&st->fx->b, l.pfn, l.order + 1)); // wrong order: refused
    }
    assert_true(buddy_free(&st->fx->b, l.pfn, l.order));
    shadow_mark(st, l.pfn, l.order, 0);
    st->live[i] = st->live[--st->nlive];
    if (rng() % 16 == 0) {
        assert_false(buddy_free(&st->fx->b, l.pfn, l.order)); // double free: refused
    }
}

static void test_stress(void **state)
{
    (void)state;
    uint64_t base = 0x12345, n = 8191;
    struct stress st = {.fx = fixture_new(base, n)};
    st.shadow = calloc(n, 1);
    st.usable = calloc(n, 1);
    st.live = calloc(n, sizeof(*st.live));
    uint64_t ranges[][2] = {{base + 1, 2000}, {base + 2100, 3333}, {base + 6000, 2191}};
    for (size_t r = 0; r < 3; r++) {
        buddy_add_free(&st.fx->b, ranges[r][0], ranges[r][1]);
        memset(st.usable + (ranges[r][0] - base), 1, ranges[r][1]);
    }
    uint64_t total = buddy_free_pages(&st.fx->b), shape[BUDDY_MAX_ORDER + 1];
    count_blocks(&st.fx->b, shape);

    rng_state = 0x9E3779B97F4A7C15ull;
    for (int op = 0; op < 10000; op++) {
        // Drift between filling up and draining so both exhaustion and merging happen.
        bool filling = (op / 1000) % 2 == 0;
        if (st.nlive == 0 || rng() % 100 < (filling ? 65u : 35u)) {
            stress_alloc(&st);
        } else {
            stress_free(&st);
        }
        if (op % 100 == 99) {
            assert_true(buddy_check(&st.fx->b));
        }
    }
    while (st.nlive > 0) {
        stress_free(&st);
    }
    assert_true(buddy_check(&st.fx->b));
    assert_int_equal(buddy_free_pages(&st.fx->b), total);
    assert_same_shape(&st.fx->b, shape);
    free(st.live);
    free(st.usable);
    free(st.shadow);
    fixture_free(st.fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_meta_size),
        cmocka_unit_test(test_init_all_reserved),
        cmocka_unit_test(test_init_clamps),
        cmocka_unit_test(test_add_odd_ranges),
        cmocka_unit_test(test_add_maximal_blocks),
        cmocka_unit_test(test_exhaust_every_order),
        cmocka_unit_test(test_bad_order),
        cmocka_unit_test(test_split_and_merge),
        cmocka_unit_test(test_no_merge_across_range_end),
        cmocka_unit_test(test_double_free),
        cmocka_unit_test(test_wrong_shape_free),
        cmocka_unit_test(test_out_of_range_free),
        cmocka_unit_test(test_check_detects_corruption),
        cmocka_unit_test(test_stress),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
