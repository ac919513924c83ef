// SPDX-License-Identifier: MIT
// Memory quotas and page ledgers of the root task's memory service (pure logic).
#include "quota.h"

void quota_init(struct quota *q, uint64_t limit)
{
    *q = (struct quota){.limit = limit};
}

// Written as a subtraction so that no sum can wrap: used <= limit holds throughout.
uint64_t quota_left(const struct quota *q)
{
    return q->used < q->limit ? q->limit - q->used : 0;
}

bool quota_take(struct quota *q, uint64_t pages)
{
    if (pages > quota_left(q))
        return false;
    q->used += pages;
    if (q->used > q->peak)
        q->peak = q->used;
    return true;
}

bool quota_give(struct quota *q, uint64_t pages)
{
    if (pages > q->used)
        return false;
    q->used -= pages;
    return true;
}

// ---- The ledger ----

void ledger_init(struct ledger *l)
{
    l->n = 0;
}

static uint64_t range_end(const struct ledger *l, unsigned i)
{
    return l->r[i].base + l->r[i].count;
}

// The first entry that ends after base: the one base falls in or the next one up.
static unsigned find_from(const struct ledger *l, uint64_t base)
{
    unsigned i = 0;

    while (i < l->n && range_end(l, i) <= base) {
        i++;
    }
    return i;
}

static void open_slot(struct ledger *l, unsigned i)
{
    for (unsigned j = l->n; j > i; j--) {
        l->r[j] = l->r[j - 1];
    }
    l->n++;
}

static void close_slot(struct ledger *l, unsigned i)
{
    l->n--;
    for (unsigned j = i; j < l->n; j++) {
        l->r[j] = l->r[j + 1];
    }
}

// [base, end) with base < end, given that it overlaps nothing in l; i = find_from(base).
static bool insert_range(struct ledger *l, unsigned i, uint64_t base, uint64_t end)
{
    bool joins_prev = i > 0 && range_end(l, i - 1) == base;
    bool joins_next = i < l->n && l->r[i].base == end;

    if (joins_prev && joins_next) {
        l->r[i - 1].count += end - base + l->r[i].count;
        close_slot(l, i);
    } else if (joins_prev) {
        l->r[i - 1].count += end - base;
    } else if (joins_next) {
        l->r[i].base = base;
        l->r[i].count += end - base;
    } else {
        if (l->n == LEDGER_MAX)
            return false;
        open_slot(l, i);
        l->r[i].base = base;
        l->r[i].count = end - base;
    }
    return true;
}

bool ledger_add(struct ledger *l, uint64_t base, uint64_t count)
{
    if (count == 0 || count > UINT64_MAX - base)
        return false;
    uint64_t end = base + count;
    unsigned i = find_from(l, base);

    if (i < l->n && l->r[i].base < end)
        return false; // overlap: the range at i ends after base and starts before end
    return insert_range(l, i, base, end);
}

// The entry holding all of [base, base + count), or l->n if there is none.
static unsigned holder(const struct ledger *l, uint64_t base, uint64_t count)
{
    if (count == 0 || count > UINT64_MAX - base)
        return l->n;
    unsigned i = find_from(l, base);

    if (i < l->n && l->r[i].base <= base && base + count <= range_end(l, i))
        return i;
    return l->n;
}

bool ledger_holds(const struct ledger *l, uint64_t base, uint64_t count)
{
    return holder(l, base, count) < l->n;
}

// Held ranges are merged, so a held span always lies in a single entry.
bool ledger_remove(struct ledger *l, uint64_t base, uint64_t count)
{
    unsigned i = holder(l, base, count);

    if (i == l->n)
        return false;
    uint64_t start = l->r[i].base, end = range_end(l, i), cut_end = base + count;

    if (start < base && cut_end < end) { // the middle: the entry splits in two
        if (l->n == LEDGER_MAX)
            return false;
        open_slot(l, i + 1);
        l->r[i].count = base - start;
        l->r[i + 1].base = cut_end;
        l->r[i + 1].count = end - cut_end;
    } else if (start < base) { // the tail
        l->r[i].count = base - start;
    } else if (cut_end < end) { // the head
        l->r[i].base = cut_end;
        l->r[i].count = end - cut_end;
    } else {
        close_slot(l, i);
    }
    return true;
}

uint64_t ledger_total(const struct ledger *l)
{
    uint64_t total = 0;

    for (unsigned i = 0; i < l->n; i++) {
        total += l->r[i].count;
    }
    return total;
}

void ledger_for_each(const struct ledger *l,
                     void (*visit)(void *ctx, uint64_t base, uint64_t count), void *ctx)
{
    for (unsigned i = 0; i < l->n; i++) {
        visit(ctx, l->r[i].base, l->r[i].count);
    }
}
