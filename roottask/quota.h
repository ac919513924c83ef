// SPDX-License-Identifier: MIT
// Memory quotas and page ledgers: what each client of the memory service may hold and holds.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The root task's memory service counts, per client, the pages it handed out against the
 * client's limit (struct quota), and records which pages they are (struct ledger), so that
 * when the client dies the root can take back exactly what it held. Both are pure logic,
 * built freestanding for the root task and hosted for the unit tests; neither locks.
 *
 * A request goes: quota_take, then ledger_add; if ledger_add fails, quota_give back and
 * refuse the request. A release goes: ledger_remove, then quota_give.
 */

// Pages, not bytes: every count here is in pages.
struct quota {
    uint64_t limit; // most pages the client may hold at once
    uint64_t used;  // pages it holds now; never above limit
    uint64_t peak;  // highest used ever seen, for the statistics
};

void quota_init(struct quota *q, uint64_t limit);

// Charges pages to q: false, and q unchanged, if used + pages would exceed the limit (or
// overflow). Taking 0 pages always succeeds.
bool quota_take(struct quota *q, uint64_t pages);

// Credits pages back: false, and q unchanged, if the client does not hold that many (a
// bookkeeping bug of the caller, which it must report rather than wrap around).
bool quota_give(struct quota *q, uint64_t pages);

// Pages the client may still take.
uint64_t quota_left(const struct quota *q);

/*
 * The ledger: the page ranges a client holds, sorted by base, never overlapping, and
 * adjacent ranges merged into one, so a client that takes its memory piecewise but
 * contiguously costs one entry. base and count are page numbers and page counts.
 *
 * LEDGER_MAX bounds the number of separate (non-adjacent) ranges. When the ledger is full,
 * ledger_add of a range that merges with no held range fails, and the memory service must
 * refuse the allocation (the client can free something, or ask for fewer, larger ranges).
 * Likewise ledger_remove of the middle of a range, which splits it in two, fails when the
 * ledger is full; the client may still free whole ranges or pages at either end.
 */
#define LEDGER_MAX 32

struct ledger {
    struct {
        uint64_t base, count;
    } r[LEDGER_MAX];
    unsigned n; // entries in use: r[0, n)
};

void ledger_init(struct ledger *l);

// Records [base, base + count): false, and l unchanged, if count is 0, the range runs past
// UINT64_MAX, overlaps a held range (a page handed out twice) or needs an entry and l is full.
bool ledger_add(struct ledger *l, uint64_t base, uint64_t count);

// Forgets [base, base + count), all of it or part of one held range: false, and l
// unchanged, if count is 0, any page of it is not held, or a split finds l full.
bool ledger_remove(struct ledger *l, uint64_t base, uint64_t count);

// True if every page of [base, base + count) is held (count 0: false).
bool ledger_holds(const struct ledger *l, uint64_t base, uint64_t count);

// Pages held, in all ranges.
uint64_t ledger_total(const struct ledger *l);

// Calls visit on every range in ascending order, for teardown. visit must not change l;
// to take everything back, visit all ranges, then ledger_init.
void ledger_for_each(const struct ledger *l,
                     void (*visit)(void *ctx, uint64_t base, uint64_t count), void *ctx);
