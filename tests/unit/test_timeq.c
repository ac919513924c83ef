// SPDX-License-Identifier: MIT
// Unit tests of the timeout queue: deadline order, FIFO ties, removal, expiry and a model check.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "kernel/timeq.h"

#define NLINKS 512

static struct timeq q;
static struct timeq_link links[NLINKS];

static int setup(void **state)
{
    (void)state;
    timeq_init(&q);
    // Garbage first, so that the tests show that init, not the zeroed .bss, clears the links.
    memset(links, 0xa5, sizeof(links));
    for (unsigned i = 0; i < NLINKS; i++)
        timeq_link_init(&links[i]);
    return 0;
}

static void insert(unsigned i, uint64_t deadline)
{
    assert_true(timeq_insert(&q, &links[i], deadline));
    assert_true(links[i].queued);
    assert_int_equal(links[i].deadline, deadline);
    assert_true(timeq_check(&q));
}

static void remove_link(unsigned i)
{
    assert_true(timeq_remove(&q, &links[i]));
    assert_false(links[i].queued);
    assert_true(timeq_check(&q));
}

// Pops the first link, whatever its deadline, and checks it is links[i].
static void expect_pop(unsigned i)
{
    assert_ptr_equal(timeq_first(&q), &links[i]);
    assert_ptr_equal(timeq_pop_expired(&q, UINT64_MAX), &links[i]);
    assert_false(links[i].queued);
    assert_true(timeq_check(&q));
}

static void expect_empty(void)
{
    assert_int_equal(q.count, 0);
    assert_null(timeq_first(&q));
    assert_null(timeq_pop_expired(&q, UINT64_MAX));
    assert_true(timeq_check(&q));
}

static void test_empty(void **state)
{
    (void)state;
    expect_empty();
    assert_null(timeq_pop_expired(&q, 0));
}

static void test_ordering(void **state)
{
    (void)state;
    // i * 37 mod 101 visits 0..100 once each, in a scrambled order.
    for (unsigned i = 0; i < 101; i++)
        insert(i, 1000 + (uint64_t)(i * 37 % 101) * 10);
    for (uint64_t d = 0; d < 101; d++) {
        struct timeq_link *l = timeq_first(&q);

        assert_non_null(l);
        assert_int_equal(l->deadline, 1000 + d * 10);
        assert_ptr_equal(timeq_pop_expired(&q, 1000 + d * 10), l);
        assert_true(timeq_check(&q));
    }
    expect_empty();
}

static void test_fifo_ties(void **state)
{
    (void)state;
    // Interleaved with other deadlines (odd, so never 500), so that the equal ones take
    // different paths in the tree.
    unsigned last_tie = 0, ties = 0;

    for (unsigned i = 0; i < 60; i++)
        insert(i, i % 3 == 1 ? 500 : 101 + i * 20);
    for (unsigned i = 0; i < 60; i++) {
        struct timeq_link *l = timeq_pop_expired(&q, UINT64_MAX);

        assert_non_null(l);
        assert_true(timeq_check(&q));
        if (l->deadline != 500)
            continue;
        unsigned idx = (unsigned)(l - links);

        assert_int_equal(idx, ties ? last_tie + 3 : 1);
        last_tie = idx;
        ties++;
    }
    assert_int_equal(ties, 20);
    expect_empty();
    // A link that is queued again goes behind the others of its deadline.
    insert(0, 7);
    insert(1, 7);
    insert(2, 7);
    remove_link(0);
    insert(0, 7);
    expect_pop(1);
    expect_pop(2);
    expect_pop(0);
}

static void test_remove_arbitrary(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 15; i++)
        insert(i, 100 + i); // a full tree of four levels: root, inner nodes and leaves
    remove_link(0);         // the root
    assert_ptr_equal(timeq_first(&q), &links[1]);
    remove_link(14); // the last node
    remove_link(3);  // an inner node
    remove_link(10); // a leaf that is not the last
    remove_link(1);
    static const unsigned left[] = {2, 4, 5, 6, 7, 8, 9, 11, 12, 13};

    for (unsigned i = 0; i < 10; i++)
        expect_pop(left[i]);
    expect_empty();
    // The only element.
    insert(5, 42);
    remove_link(5);
    expect_empty();
}

static void test_remove_sifts_up(void **state)
{
    (void)state;
    // The last node is early but lies in the right subtree; removing a node of the left
    // subtree moves it there, below a later parent, so it has to rise.
    static const uint64_t d[] = {10, 100, 20, 110, 120, 30, 40};

    for (unsigned i = 0; i < 7; i++)
        insert(i, d[i]);
    remove_link(3);
    assert_int_equal(links[6].parent->deadline, 10);
    expect_pop(0);
    expect_pop(2);
    expect_pop(5);
    expect_pop(6);
    expect_pop(1);
    expect_pop(4);
    expect_empty();
}

static void test_pop_expired(void **state)
{
    (void)state;
    insert(0, 1000);
    insert(1, 2000);
    assert_null(timeq_pop_expired(&q, 0));
    assert_null(timeq_pop_expired(&q, 999)); // one tick before
    assert_true(links[0].queued);
    assert_ptr_equal(timeq_pop_expired(&q, 1000), &links[0]); // at the deadline exactly
    assert_null(timeq_pop_expired(&q, 1999));
    assert_ptr_equal(timeq_pop_expired(&q, 5000), &links[1]); // long after
    expect_empty();
    // Everything due by now leaves, one call at a time, and the rest stays.
    for (unsigned i = 0; i < 10; i++)
        insert(i, 10 * i);
    unsigned n = 0;

    while (timeq_pop_expired(&q, 45))
        n++;
    assert_int_equal(n, 5);
    assert_int_equal(q.count, 5);
    assert_int_equal(timeq_first(&q)->deadline, 50);
}

static void test_extreme_deadlines(void **state)
{
    (void)state;
    insert(0, UINT64_MAX);
    insert(1, UINT64_MAX - 1);
    insert(2, 0);
    insert(3, UINT64_MAX);
    insert(4, 1ull << 63);
    insert(5, (1ull << 63) - 1);
    assert_ptr_equal(timeq_pop_expired(&q, 0), &links[2]);
    assert_null(timeq_pop_expired(&q, 0));
    // Plain comparison of absolute values: 2^63 is later, not earlier, than 2^63 - 1.
    assert_ptr_equal(timeq_pop_expired(&q, 1ull << 63), &links[5]);
    assert_ptr_equal(timeq_pop_expired(&q, 1ull << 63), &links[4]);
    assert_null(timeq_pop_expired(&q, UINT64_MAX - 2));
    assert_ptr_equal(timeq_pop_expired(&q, UINT64_MAX - 1), &links[1]);
    assert_null(timeq_pop_expired(&q, UINT64_MAX - 1));
    assert_ptr_equal(timeq_pop_expired(&q, UINT64_MAX), &links[0]);
    assert_ptr_equal(timeq_pop_expired(&q, UINT64_MAX), &links[3]);
    expect_empty();
}

static void test_misuse_detected(void **state)
{
    (void)state;
    struct timeq before;

    insert(0, 50);
    insert(1, 60);
    before = q;
    // A second insert of a queued link is refused and keeps its deadline and place.
    assert_false(timeq_insert(&q, &links[1], 10));
    assert_int_equal(links[1].deadline, 60);
    assert_memory_equal(&q, &before, sizeof(q));
    assert_true(timeq_check(&q));
    // Removing a link that is not queued, never or no longer, is refused.
    assert_false(timeq_remove(&q, &links[2]));
    remove_link(0);
    before = q;
    assert_false(timeq_remove(&q, &links[0]));
    assert_memory_equal(&q, &before, sizeof(q));
    expect_pop(1);
    // A queued link handed to an empty queue belongs elsewhere: refused as well.
    struct timeq other;

    timeq_init(&other);
    insert(3, 5);
    assert_false(timeq_remove(&other, &links[3]));
    assert_true(links[3].queued);
    assert_true(timeq_check(&other));
}

static void test_check_detects_corruption(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 7; i++)
        insert(i, 10 * i);
    links[5].deadline = 0; // out of heap order
    assert_false(timeq_check(&q));
    links[5].deadline = 50;
    assert_true(timeq_check(&q));
    q.count++; // a slot that does not exist
    assert_false(timeq_check(&q));
    q.count -= 2; // a node beyond count
    assert_false(timeq_check(&q));
    q.count++;
    struct timeq_link *p = links[6].parent;

    links[6].parent = q.root; // a broken parent link
    assert_false(timeq_check(&q));
    links[6].parent = p;
    assert_true(timeq_check(&q));
}

// Reference model: each queued link's deadline and insertion stamp; the first is the minimum.
static uint64_t model_seq[NLINKS];
static uint64_t next_seq;
static unsigned model_count;

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static struct timeq_link *model_first(void)
{
    struct timeq_link *best = NULL;

    for (unsigned i = 0; i < NLINKS; i++) {
        struct timeq_link *l = &links[i];

        if (!l->queued)
            continue;
        if (!best || l->deadline < best->deadline ||
            (l->deadline == best->deadline && model_seq[i] < model_seq[best - links]))
            best = l;
    }
    return best;
}

// Mostly a narrow range with many ties; sometimes the top of the range, where sums would wrap.
static uint64_t random_deadline(void)
{
    uint64_t r = rng();

    return r % 8 == 0 ? UINT64_MAX - r % 16 : r % 512;
}

static void stress_insert(unsigned i)
{
    bool queued = links[i].queued;
    uint64_t old = links[i].deadline, d = random_deadline();

    assert_int_equal(timeq_insert(&q, &links[i], d), !queued);
    if (queued) {
        assert_int_equal(links[i].deadline, old);
        return;
    }
    model_seq[i] = next_seq++;
    model_count++;
}

static void stress_pop(void)
{
    struct timeq_link *want = model_first();
    uint64_t now = rng() % 2 ? rng() % 600 : UINT64_MAX - rng() % 20;

    assert_ptr_equal(timeq_first(&q), want);
    if (!want || want->deadline > now) {
        assert_null(timeq_pop_expired(&q, now));
        return;
    }
    assert_ptr_equal(timeq_pop_expired(&q, now), want);
    model_count--;
}

static void stress_step(void)
{
    unsigned i = rng() % NLINKS;
    bool queued = links[i].queued;

    switch (rng() % 8) {
    case 0:
    case 1:
    case 2:
        stress_insert(i);
        break;
    case 3:
    case 4:
        assert_int_equal(timeq_remove(&q, &links[i]), queued);
        model_count -= queued;
        break;
    default:
        stress_pop();
    }
    assert_int_equal(q.count, model_count);
}

static void test_stress(void **state)
{
    (void)state;
    unsigned peak = 0;

    next_seq = model_count = 0;
    // Phases that favour growth and then draining, so that the heap is often deep.
    for (unsigned batch = 0; batch < 50000 / 100; batch++) {
        for (unsigned k = 0; k < 100; k++) {
            if (batch % 20 < 10)
                stress_insert(rng() % NLINKS);
            else
                stress_step();
        }
        assert_true(timeq_check(&q));
        if (model_count > peak)
            peak = model_count;
    }
    assert_true(peak > NLINKS / 2);
    while (model_count) {
        struct timeq_link *want = model_first();

        assert_ptr_equal(timeq_pop_expired(&q, UINT64_MAX), want);
        model_count--;
    }
    expect_empty();
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_empty),
        T(test_ordering),
        T(test_fifo_ties),
        T(test_remove_arbitrary),
        T(test_remove_sifts_up),
        T(test_pop_expired),
        T(test_extreme_deadlines),
        T(test_misuse_detected),
        T(test_check_detects_corruption),
        T(test_stress),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
