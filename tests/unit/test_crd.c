// SPDX-License-Identifier: MIT
// Unit tests of capability range descriptor arithmetic: validity, containment, intersection.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>

#include "kernel/crd.h"
#include "nova/caps.h"
#include "nova/crd.h"

static const unsigned types[] = {NOVA_CRD_MEM, NOVA_CRD_IO, NOVA_CRD_OBJ};

static uint64_t limit_of(unsigned type)
{
    return type == NOVA_CRD_MEM  ? CRD_MEM_LIMIT
           : type == NOVA_CRD_IO ? CRD_IO_LIMIT
                                 : CRD_OBJ_LIMIT;
}

static bool valid(unsigned type, uint64_t base, unsigned order)
{
    return crd_valid(NOVA_CRD(type, base, order, 0), NULL, NULL, NULL);
}

static void test_limits_match_abi(void **state)
{
    (void)state;
    assert_int_equal(CRD_MEM_LIMIT, 1ull << 35); // pages of the 128 TiB user half
    assert_int_equal(CRD_IO_LIMIT, 65536);
    assert_int_equal(CRD_OBJ_LIMIT, NOVA_SEL_MAX);
}

static void test_decode(void **state)
{
    (void)state;
    unsigned type = 99, order = 99;
    uint64_t base = 99;

    assert_true(
        crd_valid(NOVA_CRD(NOVA_CRD_MEM, 0x1234500, 8, NOVA_CRD_MEM_R), &type, &base, &order));
    assert_int_equal(type, NOVA_CRD_MEM);
    assert_int_equal(base, 0x1234500);
    assert_int_equal(order, 8);
    assert_true(crd_valid(NOVA_CRD(NOVA_CRD_IO, 0x3f8, 3, 1), &type, &base, &order));
    assert_int_equal(type, NOVA_CRD_IO);
    assert_int_equal(base, 0x3f8);
    assert_int_equal(order, 3);
    assert_true(crd_valid(NOVA_CRD(NOVA_CRD_OBJ, 32, 5, 0x1f), &type, NULL, NULL));
    assert_int_equal(type, NOVA_CRD_OBJ);

    // A failed decode leaves the outputs alone.
    type = 99;
    assert_false(crd_valid(NOVA_CRD(NOVA_CRD_NULL, 0, 0, 0), &type, &base, &order));
    assert_false(crd_valid(0, &type, &base, &order));
    assert_int_equal(type, 99);
    // Permissions are the caller's to mask, not a reason to reject.
    assert_true(crd_valid(NOVA_CRD(NOVA_CRD_IO, 0, 0, 0x1f), NULL, NULL, NULL));
}

static void test_alignment(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        unsigned t = types[i];

        // 3 << 13 plus 2^13 still fits the smallest space (I/O, 2^16).
        for (unsigned order = 0; order < 14; order++) {
            assert_true(valid(t, 1ull << order, order));
            assert_true(valid(t, 3ull << order, order));
            if (order == 0)
                continue;
            assert_false(valid(t, 1, order));
            assert_false(valid(t, (1ull << order) + (1ull << (order - 1)), order));
            assert_false(valid(t, (1ull << order) - 1, order));
        }
    }
}

static void test_order_limits(void **state)
{
    (void)state;
    // The order field is 5 bits; whole spaces are 2^35, 2^16 and 2^17 units.
    assert_true(valid(NOVA_CRD_MEM, 0, 31));
    assert_true(valid(NOVA_CRD_MEM, 15ull << 31, 31));
    assert_false(valid(NOVA_CRD_MEM, 16ull << 31, 31));
    assert_true(valid(NOVA_CRD_IO, 0, 16));
    assert_false(valid(NOVA_CRD_IO, 0, 17));
    assert_false(valid(NOVA_CRD_IO, 0, 31));
    assert_true(valid(NOVA_CRD_OBJ, 0, 17));
    assert_false(valid(NOVA_CRD_OBJ, 0, 18));
    assert_false(valid(NOVA_CRD_OBJ, 0, 31));
}

// For every type and order: the last aligned range below the limit is valid, the next is not.
static void test_every_limit(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 3; i++) {
        unsigned t = types[i];
        uint64_t lim = limit_of(t);

        for (unsigned order = 0; order < 32; order++) {
            uint64_t size = 1ull << order;

            if (size <= lim) {
                assert_true(valid(t, lim - size, order));
            }
            assert_false(valid(t, lim, order));
            assert_false(valid(t, lim + size, order));
            assert_false(valid(t, lim * 2, order));
        }
        assert_true(valid(t, lim - 1, 0));
        assert_false(valid(t, lim + 1, 0));
        // The largest encodable bases: far beyond every limit, with no wrap-around.
        assert_false(valid(t, (1ull << 52) - 1, 0));
        assert_false(valid(t, (1ull << 52) - (1ull << 31), 31));
    }
}

static void test_perm_mask(void **state)
{
    (void)state;
    assert_int_equal(crd_perm_mask(NOVA_CRD_MEM), 0x7);
    assert_int_equal(crd_perm_mask(NOVA_CRD_IO), 0x1);
    assert_int_equal(crd_perm_mask(NOVA_CRD_OBJ), 0x1f);
    assert_int_equal(crd_perm_mask(NOVA_CRD_NULL), 0);
    assert_int_equal(crd_perm_mask(4), 0);
    assert_int_equal(crd_perm_mask(NOVA_CRD_OBJ) & NOVA_PERM_PD_ALL, NOVA_PERM_PD_ALL);
    assert_int_equal(crd_perm_mask(NOVA_CRD_OBJ) & NOVA_PERM_EC_ALL, NOVA_PERM_EC_ALL);
    assert_int_equal(NOVA_CRD_PERM(NOVA_CRD(NOVA_CRD_OBJ, 0, 0, 0xff)),
                     crd_perm_mask(NOVA_CRD_OBJ));
}

static void test_contains(void **state)
{
    (void)state;
    nova_crd w = NOVA_CRD(NOVA_CRD_MEM, 0x100, 8, NOVA_CRD_MEM_R);

    assert_true(crd_contains(w, NOVA_CRD_MEM, 0x100, 8));
    assert_true(crd_contains(w, NOVA_CRD_MEM, 0x100, 0));
    assert_true(crd_contains(w, NOVA_CRD_MEM, 0x1ff, 0));
    assert_true(crd_contains(w, NOVA_CRD_MEM, 0x180, 7));
    assert_true(crd_contains(w, NOVA_CRD_MEM, 0x1f0, 4));
    assert_false(crd_contains(w, NOVA_CRD_MEM, 0x0ff, 0));
    assert_false(crd_contains(w, NOVA_CRD_MEM, 0x200, 0));
    assert_false(crd_contains(w, NOVA_CRD_MEM, 0x1ff, 1)); // runs past the end
    assert_false(crd_contains(w, NOVA_CRD_MEM, 0x000, 9)); // larger than the window
    assert_false(crd_contains(w, NOVA_CRD_MEM, 0x100, 64));
    assert_false(crd_contains(w, NOVA_CRD_IO, 0x100, 0));
    assert_false(crd_contains(w, NOVA_CRD_NULL, 0x100, 0));
    // No wrap-around for hostile bases.
    assert_false(crd_contains(w, NOVA_CRD_MEM, UINT64_MAX, 0));
    assert_false(crd_contains(w, NOVA_CRD_MEM, UINT64_MAX - 0xff, 8));
    // Invalid windows contain nothing.
    assert_false(crd_contains(NOVA_CRD(NOVA_CRD_MEM, 0x101, 8, 0), NOVA_CRD_MEM, 0x101, 0));
    assert_false(crd_contains(NOVA_CRD(NOVA_CRD_IO, 0, 17, 1), NOVA_CRD_IO, 0, 0));
    assert_false(crd_contains(0, NOVA_CRD_NULL, 0, 0));
    // A window over a whole space.
    nova_crd io = NOVA_CRD(NOVA_CRD_IO, 0, 16, 1);

    assert_true(crd_contains(io, NOVA_CRD_IO, 0xfffc, 2));
    assert_false(crd_contains(io, NOVA_CRD_IO, 0x10000, 0));
}

static void test_intersect(void **state)
{
    (void)state;
    uint64_t b = 1;
    unsigned o = 1;

    assert_true(range_intersect(0x100, 8, 0x180, 4, &b, &o));
    assert_int_equal(b, 0x180);
    assert_int_equal(o, 4);
    assert_true(range_intersect(0x180, 4, 0x100, 8, &b, &o));
    assert_int_equal(b, 0x180);
    assert_int_equal(o, 4);
    assert_true(range_intersect(0x40, 6, 0x40, 6, &b, &o));
    assert_int_equal(b, 0x40);
    assert_int_equal(o, 6);
    assert_false(range_intersect(0x100, 8, 0x200, 8, &b, &o)); // adjacent
    assert_false(range_intersect(0x100, 8, 0x0ff, 0, &b, &o));
    assert_int_equal(b, 0x40); // untouched when empty
    assert_true(range_intersect(0, 63, 0x7fffffffffffffffull, 0, &b, &o));
    assert_false(range_intersect(0, 63, 1ull << 63, 63, NULL, NULL));
    assert_true(range_intersect(1ull << 63, 63, UINT64_MAX, 0, NULL, &o));
    assert_int_equal(o, 0);
    // Not naturally aligned, or too large: refused.
    assert_false(range_intersect(0x101, 8, 0x100, 0, &b, &o));
    assert_false(range_intersect(0x100, 0, 0x101, 8, &b, &o));
    assert_false(range_intersect(0, 64, 0, 0, &b, &o));
    assert_false(range_intersect(0, 0, 0, 200, &b, &o));
}

// Against brute force over every aligned pair in [0, 64): the units both cover, as a bitmask.
static uint64_t units(uint64_t base, unsigned order)
{
    uint64_t m = order == 6 ? UINT64_MAX : (1ull << (1u << order)) - 1;

    return m << base;
}

static void test_intersect_exhaustive(void **state)
{
    (void)state;
    for (unsigned o1 = 0; o1 <= 6; o1++)
        for (uint64_t b1 = 0; b1 < 64; b1 += 1ull << o1)
            for (unsigned o2 = 0; o2 <= 6; o2++)
                for (uint64_t b2 = 0; b2 < 64; b2 += 1ull << o2) {
                    uint64_t both = units(b1, o1) & units(b2, o2), b;
                    unsigned o;
                    bool hit = range_intersect(b1, o1, b2, o2, &b, &o);

                    assert_int_equal(hit, both != 0);
                    if (hit)
                        assert_int_equal(units(b, o), both);
                }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_match_abi),
        cmocka_unit_test(test_decode),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_order_limits),
        cmocka_unit_test(test_every_limit),
        cmocka_unit_test(test_perm_mask),
        cmocka_unit_test(test_contains),
        cmocka_unit_test(test_intersect),
        cmocka_unit_test(test_intersect_exhaustive),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
