// SPDX-License-Identifier: MIT
// Ready queue: one circular doubly linked FIFO per priority and a mask of the non-empty levels.
#include "kernel/runq.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void runq_init(struct runq *q)
{
    for (unsigned p = 0; p < RUNQ_PRIOS; p++)
        q->head[p] = NULL;
    q->mask = 0;
}

void runq_link_init(struct runq_link *l)
{
    l->next = l->prev = NULL;
    l->prio = 0;
    l->queued = false;
}

// Links l in front of the level's head; the caller decides whether l becomes the new head.
static bool insert(struct runq *q, struct runq_link *l, unsigned prio, bool front)
{
    if (l->queued || prio >= RUNQ_PRIOS)
        return false;
    struct runq_link *h = q->head[prio];

    if (!h) {
        l->next = l->prev = l;
        q->head[prio] = l;
        q->mask |= 1ull << prio;
    } else {
        // In a circular list the slot before the head is both the tail and the new head.
        l->next = h;
        l->prev = h->prev;
        h->prev->next = l;
        h->prev = l;
        if (front)
            q->head[prio] = l;
    }
    l->prio = (uint8_t)prio;
    l->queued = true;
    return true;
}

bool runq_push_back(struct runq *q, struct runq_link *l, unsigned prio)
{
    return insert(q, l, prio, false);
}

bool runq_push_front(struct runq *q, struct runq_link *l, unsigned prio)
{
    return insert(q, l, prio, true);
}

bool runq_remove(struct runq *q, struct runq_link *l)
{
    if (!l->queued)
        return false;
    unsigned p = l->prio;

    if (l->next == l) {
        q->head[p] = NULL;
        q->mask &= ~(1ull << p);
    } else {
        l->prev->next = l->next;
        l->next->prev = l->prev;
        if (q->head[p] == l)
            q->head[p] = l->next;
    }
    // Cleared so that a stale link cannot be followed into the queue.
    l->next = l->prev = NULL;
    l->queued = false;
    return true;
}

int runq_top_prio(const struct runq *q)
{
    // Compiles to bsr/lzcnt: no libgcc call, so it is fine in the freestanding kernel.
    return q->mask ? 63 - __builtin_clzll(q->mask) : -1;
}

struct runq_link *runq_peek(const struct runq *q)
{
    int p = runq_top_prio(q);

    return p < 0 ? NULL : q->head[p];
}

struct runq_link *runq_pop(struct runq *q)
{
    struct runq_link *l = runq_peek(q);

    if (l)
        runq_remove(q, l);
    return l;
}

// Walks one level. Checking next->prev at every step also guarantees that the walk ends: the
// first node seen twice would have two different predecessors, unless it is the head.
static bool level_ok(const struct runq_link *h, unsigned prio)
{
    const struct runq_link *l = h;

    do {
        if (!l->queued || l->prio != prio || !l->next || l->next->prev != l)
            return false;
        l = l->next;
    } while (l != h);
    return true;
}

bool runq_check(const struct runq *q)
{
    for (unsigned p = 0; p < RUNQ_PRIOS; p++) {
        bool set = q->mask & (1ull << p);

        if (set != (q->head[p] != NULL))
            return false;
        if (set && !level_ok(q->head[p], p))
            return false;
    }
    return true;
}
