// SPDX-License-Identifier: MIT
// Unit tests of the ready queue: priority order, round robin, removal, mask and misuse.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "kernel/runq.h"

#define NLINKS 256

static struct runq q;
static struct runq_link links[NLINKS];

static int setup(void **state)
{
    (void)state;
    runq_init(&q);
    // Garbage first, so that the tests show that init, not the zeroed .bss, clears the links.
    memset(links, 0xa5, sizeof(links));
    for (unsigned i = 0; i < NLINKS; i++)
        runq_link_init(&links[i]);
    return 0;
}

static void push_back(unsigned i, unsigned prio)
{
    assert_true(runq_push_back(&q, &links[i], prio));
    assert_true(runq_check(&q));
}

static void push_front(unsigned i, unsigned prio)
{
    assert_true(runq_push_front(&q, &links[i], prio));
    assert_true(runq_check(&q));
}

static void remove_link(unsigned i)
{
    assert_true(runq_remove(&q, &links[i]));
    assert_false(links[i].queued);
    assert_true(runq_check(&q));
}

// Pops one link and checks it is links[i].
static void expect_pop(unsigned i)
{
    assert_ptr_equal(runq_peek(&q), &links[i]);
    assert_int_equal(runq_top_prio(&q), links[i].prio);
    assert_ptr_equal(runq_pop(&q), &links[i]);
    assert_false(links[i].queued);
    assert_true(runq_check(&q));
}

static void expect_empty(void)
{
    assert_int_equal(q.mask, 0);
    assert_int_equal(runq_top_prio(&q), -1);
    assert_null(runq_peek(&q));
    assert_null(runq_pop(&q));
    assert_true(runq_check(&q));
}

static void test_empty(void **state)
{
    (void)state;
    expect_empty();
    for (unsigned p = 0; p < RUNQ_PRIOS; p++)
        assert_null(q.head[p]);
}

static void test_priority_order(void **state)
{
    (void)state;
    static const unsigned prios[] = {5, 63, 0, 17, 62, 1, 40};
    static const unsigned order[] = {1, 4, 6, 3, 0, 5, 2}; // indices by descending priority

    for (unsigned i = 0; i < 7; i++)
        push_back(i, prios[i]);
    for (unsigned i = 0; i < 7; i++)
        expect_pop(order[i]);
    expect_empty();
}

static void test_round_robin(void **state)
{
    (void)state;
    for (unsigned i = 0; i < 5; i++)
        push_back(i, 10);
    // Each popped link goes to the tail again: the level rotates through push_back order.
    for (unsigned round = 0; round < 3; round++) {
        for (unsigned i = 0; i < 5; i++) {
            expect_pop(i);
            push_back(i, 10);
        }
    }
    // A higher level, once non-empty, goes first; the lower one keeps its rotation.
    expect_pop(0);
    push_back(9, 11);
    expect_pop(9);
    for (unsigned i = 1; i < 5; i++)
        expect_pop(i);
    expect_empty();
}

static void test_push_front(void **state)
{
    (void)state;
    push_back(0, 20);
    push_back(1, 20);
    push_front(2, 20); // a preempted context resumes before the others of its level
    push_front(3, 20);
    push_back(4, 20);
    push_front(5, 7);  // the front of a lower level is still behind level 20
    push_front(6, 30); // into an empty level
    expect_pop(6);
    expect_pop(3);
    expect_pop(2);
    expect_pop(0);
    expect_pop(1);
    expect_pop(4);
    expect_pop(5);
    expect_empty();
}

static void fill(unsigned n, unsigned prio)
{
    for (unsigned i = 0; i < n; i++)
        push_back(i, prio);
}

static void test_remove_positions(void **state)
{
    (void)state;
    fill(5, 3);
    remove_link(0); // head
    assert_ptr_equal(q.head[3], &links[1]);
    remove_link(2); // middle
    remove_link(4); // tail
    assert_ptr_equal(q.head[3]->prev, &links[3]);
    push_back(4, 3); // the tail is still found after a removal
    expect_pop(1);
    expect_pop(3);
    remove_link(4); // only element
    assert_null(q.head[3]);
    expect_empty();
    // A removed link can be queued again, at another priority.
    push_back(0, 60);
    expect_pop(0);
}

static void test_remove_other_levels(void **state)
{
    (void)state;
    push_back(0, 1);
    push_back(1, 2);
    push_back(2, 3);
    remove_link(1);
    assert_int_equal(q.mask, (1ull << 1) | (1ull << 3));
    expect_pop(2);
    expect_pop(0);
    expect_empty();
}

static void test_mask(void **state)
{
    (void)state;
    uint64_t want = 0;

    for (unsigned p = 0; p < RUNQ_PRIOS; p += 3) {
        push_back(p, p);
        push_back(p + 1, p); // two links: the bit stays until both leave
        want |= 1ull << p;
        assert_int_equal(q.mask, want);
        assert_int_equal(runq_top_prio(&q), p);
    }
    for (unsigned p = 0; p < RUNQ_PRIOS; p += 3) {
        remove_link(p + 1);
        assert_int_equal(q.mask, want);
        remove_link(p);
        want &= ~(1ull << p);
        assert_int_equal(q.mask, want);
    }
    expect_empty();
    push_back(0, 0);
    push_back(1, 63);
    assert_int_equal(q.mask, (1ull << 63) | 1);
    expect_pop(1);
    assert_int_equal(q.mask, 1);
    expect_pop(0);
}

static void test_misuse_detected(void **state)
{
    (void)state;
    struct runq before;
    struct runq_link link0;

    push_back(0, 4);
    push_back(1, 4);
    before = q;
    link0 = links[0];
    // Pushing a queued link, to either end and any level, is refused and changes nothing.
    assert_false(runq_push_back(&q, &links[0], 4));
    assert_false(runq_push_front(&q, &links[0], 4));
    assert_false(runq_push_back(&q, &links[0], 9));
    assert_memory_equal(&q, &before, sizeof(q));
    assert_ptr_equal(links[0].next, link0.next);
    assert_ptr_equal(links[0].prev, link0.prev);
    assert_int_equal(links[0].prio, 4);
    assert_true(links[0].queued);
    // So is a priority that has no level.
    assert_false(runq_push_back(&q, &links[2], RUNQ_PRIOS));
    assert_false(runq_push_front(&q, &links[2], ~0u));
    assert_false(links[2].queued);
    // Removing an unqueued link, never queued or already removed, is refused too.
    assert_false(runq_remove(&q, &links[2]));
    remove_link(1);
    before = q;
    assert_false(runq_remove(&q, &links[1]));
    assert_memory_equal(&q, &before, sizeof(q));
    assert_true(runq_check(&q));
    expect_pop(0);
    expect_empty();
}

static void test_check_detects_corruption(void **state)
{
    (void)state;
    fill(3, 8);
    q.mask |= 1ull << 9; // a bit without a level
    assert_false(runq_check(&q));
    q.mask &= ~(1ull << 8); // a level without its bit
    q.mask &= ~(1ull << 9);
    assert_false(runq_check(&q));
    q.mask |= 1ull << 8;
    assert_true(runq_check(&q));
    links[1].prev = &links[2]; // a broken back link
    assert_false(runq_check(&q));
    links[1].prev = &links[0];
    links[2].prio = 7; // a link on the wrong level
    assert_false(runq_check(&q));
    links[2].prio = 8;
    links[0].queued = false;
    assert_false(runq_check(&q));
    links[0].queued = true;
    assert_true(runq_check(&q));
}

// Reference model: the links of each level in queue order.
static unsigned model[RUNQ_PRIOS][NLINKS];
static unsigned model_len[RUNQ_PRIOS];

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void model_insert(unsigned i, unsigned p, bool front)
{
    unsigned *lvl = model[p];

    if (front) {
        memmove(lvl + 1, lvl, model_len[p] * sizeof(*lvl));
        lvl[0] = i;
    } else {
        lvl[model_len[p]] = i;
    }
    model_len[p]++;
}

static void model_remove(unsigned i, unsigned p)
{
    unsigned *lvl = model[p], k = 0;

    while (lvl[k] != i)
        k++;
    memmove(lvl + k, lvl + k + 1, (model_len[p] - k - 1) * sizeof(*lvl));
    model_len[p]--;
}

static int model_top(void)
{
    for (int p = RUNQ_PRIOS - 1; p >= 0; p--)
        if (model_len[p])
            return p;
    return -1;
}

// The queue against the model: the mask, and every level walked in order.
static void compare_model(void)
{
    assert_true(runq_check(&q));
    for (unsigned p = 0; p < RUNQ_PRIOS; p++) {
        const struct runq_link *l = q.head[p];

        assert_int_equal(!!(q.mask & (1ull << p)), model_len[p] != 0);
        for (unsigned k = 0; k < model_len[p]; k++, l = l->next)
            assert_ptr_equal(l, &links[model[p][k]]);
        assert_ptr_equal(l, q.head[p]);
    }
}

static void stress_step(void)
{
    unsigned i = rng() % NLINKS, p = rng() % 8 * 9; // few levels, so that they grow long
    bool queued = links[i].queued;
    int top = model_top();

    switch (rng() % 4) {
    case 0:
    case 1: {
        bool front = rng() & 1;
        bool ok = front ? runq_push_front(&q, &links[i], p) : runq_push_back(&q, &links[i], p);

        assert_int_equal(ok, !queued);
        if (ok)
            model_insert(i, p, front);
        break;
    }
    case 2:
        if (queued)
            model_remove(i, links[i].prio);
        assert_int_equal(runq_remove(&q, &links[i]), queued);
        break;
    default:
        assert_int_equal(runq_top_prio(&q), top);
        if (top < 0) {
            assert_null(runq_pop(&q));
            break;
        }
        assert_ptr_equal(runq_pop(&q), &links[model[top][0]]);
        model_remove(model[top][0], top);
    }
}

static void test_stress(void **state)
{
    (void)state;
    memset(model_len, 0, sizeof(model_len));
    for (unsigned batch = 0; batch < 50000 / 100; batch++) {
        for (unsigned k = 0; k < 100; k++)
            stress_step();
        compare_model();
    }
    while (model_top() >= 0) {
        int top = model_top();

        assert_ptr_equal(runq_pop(&q), &links[model[top][0]]);
        model_remove(model[top][0], top);
    }
    expect_empty();
}

#define T(fn) cmocka_unit_test_setup(fn, setup)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_empty),      T(test_priority_order),   T(test_round_robin),
        T(test_push_front), T(test_remove_positions), T(test_remove_other_levels),
        T(test_mask),       T(test_misuse_detected),  T(test_check_detects_corruption),
        T(test_stress),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
