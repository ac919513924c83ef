// SPDX-License-Identifier: MIT
// Timeout queue: a min-heap of absolute TSC deadlines, built from links in a complete tree.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Embedded in the waiting object; zero-initialised (or timeq_link_init) means not queued.
struct timeq_link {
    struct timeq_link *left, *right, *parent;
    uint64_t deadline; // absolute TSC value
    uint64_t seq;      // insertion stamp: equal deadlines leave in FIFO order
    bool queued;
};

// A binary heap whose nodes are the links themselves: the tree is complete, so node i (from 1,
// in level order) is found by following the bits of i from the root, and every operation is
// O(log n) in the worst case, with no array to size or allocate.
struct timeq {
    struct timeq_link *root; // earliest deadline
    size_t count;
    uint64_t seq; // next insertion stamp; 2^64 insertions do not happen
};

void timeq_init(struct timeq *q);
void timeq_link_init(struct timeq_link *l);
// Queues l to expire at deadline. False, and nothing changed, if l is already queued.
bool timeq_insert(struct timeq *q, struct timeq_link *l, uint64_t deadline)
    __attribute__((warn_unused_result));
// Takes l out wherever it is (a waiter woken before its timeout). False, and nothing changed,
// if l is not queued.
bool timeq_remove(struct timeq *q, struct timeq_link *l);
// The earliest deadline (the first inserted among equal ones), or NULL if empty.
struct timeq_link *timeq_first(const struct timeq *q);
// The first link with deadline <= now, removed; NULL if none has expired.
struct timeq_link *timeq_pop_expired(struct timeq *q, uint64_t now);
// True if the shape, the links and the heap order are consistent; for tests and debugging.
bool timeq_check(const struct timeq *q);
