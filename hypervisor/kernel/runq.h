// SPDX-License-Identifier: MIT
// Ready queue: one circular doubly linked FIFO per priority and a mask of the non-empty levels.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define RUNQ_PRIOS 64 // priorities 0..63; a larger number runs first

// Embedded in the queued object; zero-initialised (or runq_link_init) means not queued.
struct runq_link {
    struct runq_link *next, *prev;
    uint8_t prio;
    bool queued;
};

struct runq {
    struct runq_link *head[RUNQ_PRIOS]; // first of each level; its prev is the level's tail
    uint64_t mask;                      // bit p set: level p is non-empty
};

void runq_init(struct runq *q);
void runq_link_init(struct runq_link *l);
// Queue l at the tail (round robin) or head (a preempted context keeps its place) of level
// prio. False, and nothing changed, if l is already queued or prio >= RUNQ_PRIOS.
bool runq_push_back(struct runq *q, struct runq_link *l, unsigned prio)
    __attribute__((warn_unused_result));
bool runq_push_front(struct runq *q, struct runq_link *l, unsigned prio)
    __attribute__((warn_unused_result));
// Unlinks l in O(1). False, and nothing changed, if l is not queued.
bool runq_remove(struct runq *q, struct runq_link *l);
// The first link of the highest non-empty level, removed (pop) or left in place (peek); NULL if
// the queue is empty.
struct runq_link *runq_pop(struct runq *q);
struct runq_link *runq_peek(const struct runq *q);
// The highest non-empty level, or -1 if the queue is empty.
int runq_top_prio(const struct runq *q);
// True if the links and the mask are consistent; for tests and debug assertions.
bool runq_check(const struct runq *q);
