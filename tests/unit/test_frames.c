// SPDX-License-Identifier: MIT
// Unit tests of the root task's page-frame pool: aligned blocks, regions, reserve and free.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "../../roottask/frames.h"

#define WORDS 64 // enough bitmap for 4096 frames per region

static uint64_t bits[4][WORDS];

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void test_add_and_count(void **state)
{
    (void)state;
    struct frames f;
    frames_init(&f);
    assert_true(frames_add(&f, 0x100, 0x300, bits[0]));
    assert_true(frames_add(&f, 0x1000, 5, bits[1]));
    assert_int_equal(f.total, 0x305);
    assert_int_equal(frames_free_count(&f), 0x305);
    assert_false(frames_add(&f, 0x3ff, 2, bits[2])); // overlaps the first region
    assert_false(frames_add(&f, 0x2000, 0, bits[2]));
    assert_int_equal(frames_bitmap_words(65), 2);
}

static void test_alignment(void **state)
{
    (void)state;
    struct frames f;
    uint64_t b;
    frames_init(&f);
    assert_true(frames_add(&f, 3, 61, bits[0])); // [3, 64): the only 32-block is [32, 64)
    assert_true(frames_alloc(&f, 5, &b));
    assert_int_equal(b, 32);
    assert_false(frames_alloc(&f, 5, &b));
    assert_true(frames_alloc(&f, 4, &b));
    assert_int_equal(b, 16);
    assert_true(frames_alloc(&f, 0, &b));
    assert_int_equal(b, 3);
    assert_true(frames_alloc(&f, 2, &b));
    assert_int_equal(b, 4);
    assert_int_equal(frames_free_count(&f), 61 - 32 - 16 - 1 - 4);
}

static void test_free_and_reuse(void **state)
{
    (void)state;
    struct frames f;
    uint64_t a, b, c;
    frames_init(&f);
    assert_true(frames_add(&f, 0, 16, bits[0]));
    assert_true(frames_alloc(&f, 2, &a));
    assert_true(frames_alloc(&f, 2, &b));
    assert_false(frames_free(&f, b, 8)); // half of it is free already: nothing changes
    assert_int_equal(frames_free_count(&f), 8);
    assert_true(frames_free(&f, a, 4));
    assert_false(frames_free(&f, a, 4)); // double free
    assert_true(frames_alloc(&f, 2, &c));
    assert_int_equal(c, a);
    assert_false(frames_free(&f, 15, 2)); // beyond the region
}

static void test_reserve(void **state)
{
    (void)state;
    struct frames f;
    uint64_t b;
    frames_init(&f);
    assert_true(frames_add(&f, 0, 8, bits[0]));
    assert_true(frames_reserve(&f, 0, 1));
    assert_false(frames_reserve(&f, 0, 1));
    assert_false(frames_reserve(&f, 100, 1));
    assert_true(frames_alloc(&f, 0, &b));
    assert_int_equal(b, 1);
    assert_true(frames_alloc(&f, 2, &b));
    assert_int_equal(b, 4);
    assert_false(frames_alloc(&f, 3, &b));
    assert_false(frames_alloc(&f, FRAMES_MAX_ORDER + 1, &b));
}

// Several regions: allocations never cross one, and every frame comes back exactly once.
static void test_random(void **state)
{
    (void)state;
    struct frames f;
    uint64_t held[512][2];
    unsigned n = 0;
    frames_init(&f);
    assert_true(frames_add(&f, 0x10000, 1000, bits[0]));
    assert_true(frames_add(&f, 0x20003, 2000, bits[1]));
    assert_true(frames_add(&f, 0x7, 77, bits[2]));
    for (int i = 0; i < 20000; i++) {
        if (n < 512 && rng() % 3) {
            unsigned order = (unsigned)(rng() % 6);
            uint64_t b;
            if (frames_alloc(&f, order, &b)) {
                assert_int_equal(b & ((1u << order) - 1), 0);
                bool in_one = (b >= 0x10000 && b + (1u << order) <= 0x10000 + 1000) ||
                              (b >= 0x20003 && b + (1u << order) <= 0x20003 + 2000) ||
                              (b >= 0x7 && b + (1u << order) <= 0x7 + 77);
                assert_true(in_one);
                for (unsigned k = 0; k < n; k++)
                    assert_true(b + (1u << order) <= held[k][0] || held[k][0] + held[k][1] <= b);
                held[n][0] = b, held[n][1] = 1u << order, n++;
            }
        } else if (n) {
            unsigned k = (unsigned)(rng() % n);
            assert_true(frames_free(&f, held[k][0], held[k][1]));
            held[k][0] = held[n - 1][0], held[k][1] = held[n - 1][1], n--;
        }
        uint64_t in_use = 0;
        for (unsigned k = 0; k < n; k++)
            in_use += held[k][1];
        assert_int_equal(frames_free_count(&f), f.total - in_use);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_count),  cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_free_and_reuse), cmocka_unit_test(test_reserve),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
