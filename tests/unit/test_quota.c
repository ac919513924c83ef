// SPDX-License-Identifier: MIT
// Unit tests of the root task's memory quotas and page ledgers.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "../../roottask/quota.h"

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void expect_quota(const struct quota *q, uint64_t limit, uint64_t used, uint64_t peak)
{
    assert_int_equal(q->limit, limit);
    assert_int_equal(q->used, used);
    assert_int_equal(q->peak, peak);
    assert_int_equal(quota_left(q), limit - used);
}

// ---- Quotas ----

static void test_quota_limit(void **state)
{
    (void)state;
    struct quota q;

    quota_init(&q, 10);
    expect_quota(&q, 10, 0, 0);
    assert_true(quota_take(&q, 4));
    assert_true(quota_take(&q, 6));
    expect_quota(&q, 10, 10, 10);
    assert_false(quota_take(&q, 1));
    expect_quota(&q, 10, 10, 10);
    assert_true(quota_take(&q, 0));
    assert_true(quota_give(&q, 3));
    expect_quota(&q, 10, 7, 10);
    assert_false(quota_take(&q, 4));
    assert_true(quota_take(&q, 3));
    expect_quota(&q, 10, 10, 10);
}

static void test_quota_zero_limit(void **state)
{
    (void)state;
    struct quota q;

    quota_init(&q, 0);
    assert_true(quota_take(&q, 0));
    assert_false(quota_take(&q, 1));
    assert_false(quota_take(&q, UINT64_MAX));
    assert_false(quota_give(&q, 1));
    expect_quota(&q, 0, 0, 0);
}

static void test_quota_overflow(void **state)
{
    (void)state;
    struct quota q;

    quota_init(&q, UINT64_MAX);
    assert_true(quota_take(&q, UINT64_MAX - 1));
    assert_false(quota_take(&q, 2)); // the sum would wrap to 0
    assert_false(quota_take(&q, UINT64_MAX));
    expect_quota(&q, UINT64_MAX, UINT64_MAX - 1, UINT64_MAX - 1);
    assert_true(quota_take(&q, 1));
    assert_false(quota_take(&q, 1));
    expect_quota(&q, UINT64_MAX, UINT64_MAX, UINT64_MAX);
    assert_true(quota_give(&q, UINT64_MAX));
    expect_quota(&q, UINT64_MAX, 0, UINT64_MAX);

    quota_init(&q, 100);
    assert_true(quota_take(&q, 50));
    assert_false(quota_take(&q, UINT64_MAX)); // 50 + UINT64_MAX wraps to 49
    assert_false(quota_take(&q, UINT64_MAX - 48));
    expect_quota(&q, 100, 50, 50);
}

static void test_quota_underflow(void **state)
{
    (void)state;
    struct quota q;

    quota_init(&q, 100);
    assert_false(quota_give(&q, 1));
    assert_true(quota_give(&q, 0));
    assert_true(quota_take(&q, 30));
    assert_false(quota_give(&q, 31));
    assert_false(quota_give(&q, UINT64_MAX));
    expect_quota(&q, 100, 30, 30);
    assert_true(quota_give(&q, 30));
    expect_quota(&q, 100, 0, 30);
}

// A limit lowered below what the client holds: nothing more, but giving back still works.
static void test_quota_lowered_limit(void **state)
{
    (void)state;
    struct quota q;

    quota_init(&q, 100);
    assert_true(quota_take(&q, 80));
    q.limit = 50;
    assert_int_equal(quota_left(&q), 0);
    assert_false(quota_take(&q, 1));
    assert_true(quota_give(&q, 40));
    assert_int_equal(quota_left(&q), 10);
    assert_true(quota_take(&q, 10));
    assert_false(quota_take(&q, 1));
}

static void test_quota_random_sequence(void **state)
{
    (void)state;
    struct quota q;
    uint64_t used = 0, peak = 0;
    const uint64_t limit = 1000;

    quota_init(&q, limit);
    for (int i = 0; i < 20000; i++) {
        uint64_t pages = rng() % 300;

        if (rng() % 2) {
            bool ok = used + pages <= limit;
            assert_int_equal(quota_take(&q, pages), ok);
            used += ok ? pages : 0;
            peak = used > peak ? used : peak;
        } else {
            bool ok = pages <= used;
            assert_int_equal(quota_give(&q, pages), ok);
            used -= ok ? pages : 0;
        }
        expect_quota(&q, limit, used, peak);
    }
}

// ---- Ledgers ----

struct span {
    uint64_t base, count;
};

static void expect_ledger(const struct ledger *l, const struct span *want, unsigned n)
{
    assert_int_equal(l->n, n);
    for (unsigned i = 0; i < n; i++) {
        assert_int_equal(l->r[i].base, want[i].base);
        assert_int_equal(l->r[i].count, want[i].count);
    }
}

static void test_ledger_merge(void **state)
{
    (void)state;
    struct ledger l;

    ledger_init(&l);
    assert_int_equal(ledger_total(&l), 0);
    assert_true(ledger_add(&l, 100, 10));
    assert_true(ledger_add(&l, 110, 5)); // after
    expect_ledger(&l, (struct span[]){{100, 15}}, 1);
    assert_true(ledger_add(&l, 90, 10)); // before
    expect_ledger(&l, (struct span[]){{90, 25}}, 1);
    assert_true(ledger_add(&l, 200, 1));
    assert_true(ledger_add(&l, 50, 1));
    expect_ledger(&l, (struct span[]){{50, 1}, {90, 25}, {200, 1}}, 3);
    assert_true(ledger_add(&l, 115, 85)); // bridges two ranges
    expect_ledger(&l, (struct span[]){{50, 1}, {90, 111}}, 2);
    assert_true(ledger_add(&l, 0, 50));
    expect_ledger(&l, (struct span[]){{0, 51}, {90, 111}}, 2);
    assert_int_equal(ledger_total(&l), 162);
}

static void test_ledger_overlap(void **state)
{
    (void)state;
    struct ledger l;
    static const struct span bad[] = {
        {100, 1}, {109, 1}, {95, 6}, {109, 5}, {90, 30}, {102, 3}, {100, 10}, {0, UINT64_MAX},
    };

    ledger_init(&l);
    assert_true(ledger_add(&l, 100, 10));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(ledger_add(&l, bad[i].base, bad[i].count));
    assert_false(ledger_add(&l, 5, 0));
    assert_false(ledger_add(&l, UINT64_MAX, 1)); // would wrap
    assert_false(ledger_add(&l, UINT64_MAX - 5, 10));
    expect_ledger(&l, (struct span[]){{100, 10}}, 1);
    assert_true(ledger_add(&l, UINT64_MAX - 5, 5)); // up to UINT64_MAX - 1 is fine
    assert_true(ledger_holds(&l, UINT64_MAX - 1, 1));
    assert_true(ledger_remove(&l, UINT64_MAX - 5, 5));
}

static void test_ledger_remove(void **state)
{
    (void)state;
    struct ledger l;

    ledger_init(&l);
    assert_true(ledger_add(&l, 100, 100));
    assert_true(ledger_remove(&l, 100, 10)); // head
    expect_ledger(&l, (struct span[]){{110, 90}}, 1);
    assert_true(ledger_remove(&l, 190, 10)); // tail
    expect_ledger(&l, (struct span[]){{110, 80}}, 1);
    assert_true(ledger_remove(&l, 150, 10)); // middle: split
    expect_ledger(&l, (struct span[]){{110, 40}, {160, 30}}, 2);
    assert_true(ledger_remove(&l, 110, 40)); // exact
    expect_ledger(&l, (struct span[]){{160, 30}}, 1);
    assert_true(ledger_add(&l, 150, 10)); // merges again
    expect_ledger(&l, (struct span[]){{150, 40}}, 1);
    assert_int_equal(ledger_total(&l), 40);
    assert_true(ledger_remove(&l, 150, 40));
    expect_ledger(&l, NULL, 0);
}

static void test_ledger_remove_not_held(void **state)
{
    (void)state;
    struct ledger l;
    static const struct span bad[] = {
        {0, 10},  {99, 1},  {99, 2},  {110, 1},  {105, 10},       {105, 20},
        {95, 40}, {100, 0}, {115, 5}, {118, 10}, {0, UINT64_MAX},
    };

    ledger_init(&l);
    assert_false(ledger_remove(&l, 0, 1));
    assert_true(ledger_add(&l, 100, 10));
    assert_true(ledger_add(&l, 120, 10)); // a gap at 110-119
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_false(ledger_remove(&l, bad[i].base, bad[i].count));
        assert_false(ledger_holds(&l, bad[i].base, bad[i].count));
    }
    assert_false(ledger_remove(&l, UINT64_MAX, 2));
    expect_ledger(&l, (struct span[]){{100, 10}, {120, 10}}, 2);
    assert_true(ledger_holds(&l, 100, 10));
    assert_true(ledger_holds(&l, 125, 5));
}

// LEDGER_MAX separate ranges fill it: a new separate range fails, merges still work.
static void test_ledger_full(void **state)
{
    (void)state;
    struct ledger l;

    ledger_init(&l);
    for (uint64_t i = 0; i < LEDGER_MAX; i++)
        assert_true(ledger_add(&l, i * 100, 10));
    assert_int_equal(l.n, LEDGER_MAX);
    assert_false(ledger_add(&l, 50, 10));                  // separate, before the end
    assert_false(ledger_add(&l, LEDGER_MAX * 100ull, 10)); // separate, after the end
    assert_int_equal(l.n, LEDGER_MAX);
    assert_int_equal(ledger_total(&l), LEDGER_MAX * 10);

    assert_true(ledger_add(&l, 10, 5)); // adjacent: merges, no new entry
    assert_true(ledger_add(&l, 95, 5));
    assert_true(ledger_add(&l, 15, 80)); // closes the gap: one entry fewer
    assert_int_equal(l.n, LEDGER_MAX - 1);
    assert_true(ledger_add(&l, 50000, 1));
    assert_int_equal(l.n, LEDGER_MAX);

    assert_false(ledger_remove(&l, 205, 1)); // a split needs an entry
    assert_true(ledger_holds(&l, 200, 10));
    assert_true(ledger_remove(&l, 200, 1)); // the ends do not
    assert_true(ledger_remove(&l, 209, 1));
    assert_true(ledger_remove(&l, 300, 10));
    assert_true(ledger_remove(&l, 205, 1)); // now there is room
    assert_int_equal(l.n, LEDGER_MAX);
}

struct teardown {
    struct quota *q;
    uint64_t visits, last_end;
};

static void give_back(void *ctx, uint64_t base, uint64_t count)
{
    struct teardown *t = ctx;

    assert_true(base >= t->last_end); // ascending, separate
    t->last_end = base + count;
    t->visits++;
    assert_true(quota_give(t->q, count));
}

// A client dies: everything its ledger holds goes back, and its quota comes out at 0.
static void test_ledger_teardown(void **state)
{
    (void)state;
    struct quota q;
    struct ledger l;
    struct teardown t = {.q = &q};

    quota_init(&q, 1000);
    ledger_init(&l);
    static const struct span grants[] = {{500, 8}, {10, 4}, {14, 4}, {300, 100}, {200, 1}};
    for (size_t i = 0; i < sizeof(grants) / sizeof(grants[0]); i++) {
        assert_true(quota_take(&q, grants[i].count));
        assert_true(ledger_add(&l, grants[i].base, grants[i].count));
    }
    assert_int_equal(ledger_total(&l), q.used);
    ledger_for_each(&l, give_back, &t);
    assert_int_equal(t.visits, 4);
    assert_int_equal(q.used, 0);
    assert_int_equal(q.peak, 117);
    ledger_init(&l);
    assert_int_equal(ledger_total(&l), 0);
    ledger_for_each(&l, give_back, &t);
    assert_int_equal(t.visits, 4);
}

// The ledger against a bitmap of MODEL_PAGES pages, over random adds and removes.
#define MODEL_PAGES 600

static bool model[MODEL_PAGES];

static bool model_all(uint64_t base, uint64_t count, bool held)
{
    for (uint64_t p = base; p < base + count; p++) {
        if (model[p] != held)
            return false;
    }
    return true;
}

static void check_against_model(const struct ledger *l)
{
    uint64_t total = 0, runs = 0;

    for (unsigned i = 0; i < l->n; i++) {
        assert_true(l->r[i].count > 0);
        assert_true(i == 0 || l->r[i].base > l->r[i - 1].base + l->r[i - 1].count);
    }
    for (uint64_t p = 0; p < MODEL_PAGES; p++) {
        total += model[p];
        runs += model[p] && (p == 0 || !model[p - 1]);
        assert_int_equal(ledger_holds(l, p, 1), model[p]);
    }
    assert_int_equal(ledger_total(l), total);
    assert_int_equal(l->n, runs); // merged: one entry per run of held pages
}

// Whether page p is held, pages outside the model counting as not held.
static bool model_at(uint64_t p)
{
    return p < MODEL_PAGES && model[p];
}

// Exactly when the ledger may refuse a legal request: full, and the range needs an entry.
static void random_add(struct ledger *l, uint64_t base, uint64_t count)
{
    bool joins = (base > 0 && model_at(base - 1)) || model_at(base + count);
    bool want = model_all(base, count, false) && (l->n < LEDGER_MAX || joins);

    assert_int_equal(ledger_add(l, base, count), want);
    if (want)
        memset(model + base, 1, count);
}

static void random_remove(struct ledger *l, uint64_t base, uint64_t count)
{
    bool splits = base > 0 && model_at(base - 1) && model_at(base + count);
    bool want = model_all(base, count, true) && (l->n < LEDGER_MAX || !splits);

    assert_int_equal(ledger_remove(l, base, count), want);
    if (want)
        memset(model + base, 0, count);
}

static void test_ledger_random(void **state)
{
    (void)state;
    struct ledger l;
    unsigned full = 0;

    ledger_init(&l);
    memset(model, 0, sizeof(model));
    for (int i = 0; i < 20000; i++) {
        uint64_t count = 1 + rng() % 12;
        uint64_t base = rng() % (MODEL_PAGES - count);

        full += l.n == LEDGER_MAX;
        if (rng() % 2)
            random_add(&l, base, count);
        else
            random_remove(&l, base, count);
        check_against_model(&l);
    }
    assert_true(full > 100); // the full ledger was exercised, not only the easy cases
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quota_limit),         cmocka_unit_test(test_quota_zero_limit),
        cmocka_unit_test(test_quota_overflow),      cmocka_unit_test(test_quota_underflow),
        cmocka_unit_test(test_quota_lowered_limit), cmocka_unit_test(test_quota_random_sequence),
        cmocka_unit_test(test_ledger_merge),        cmocka_unit_test(test_ledger_overlap),
        cmocka_unit_test(test_ledger_remove),       cmocka_unit_test(test_ledger_remove_not_held),
        cmocka_unit_test(test_ledger_full),         cmocka_unit_test(test_ledger_teardown),
        cmocka_unit_test(test_ledger_random),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
