// SPDX-License-Identifier: MIT
// Semaphore: a counter with up and blocking down.
#pragma once

#include <stdint.h>

#include "kernel/kobj.h"

struct ec;

struct sm {
    struct kobj obj;
    uint64_t count;
    struct ec *waiters, *last; // FIFO of blocked ECs
};

void sm_cache_init(void);
enum nova_status sm_create(struct sm **out, uint64_t count) __attribute__((warn_unused_result));
void sm_up(struct sm *sm);
// Takes one unit or blocks the current EC until an up.
void sm_down(struct sm *sm, struct ec *cur);
// Takes a blocked EC off the queue of the semaphore it waits on (the EC is going away).
void sm_cancel(struct ec *ec);
