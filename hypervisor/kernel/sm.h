// SPDX-License-Identifier: MIT
// Semaphore: a counter with up and blocking down; interrupts are semaphore ups.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kobj.h"

struct ec;

#define SM_NO_GSI 0xffffu

struct sm {
    struct kobj obj;
    uint64_t count;
    struct ec *waiters, *last; // FIFO of blocked ECs
    uint16_t gsi;              // the interrupt whose semaphore this is, or SM_NO_GSI
    bool bound, level;         // routed by assign_gsi; level-triggered lines wait for a down
};

void sm_cache_init(void);
enum nova_status sm_create(struct sm **out, uint64_t count) __attribute__((warn_unused_result));
void sm_up(struct sm *sm);
// Takes one unit (all of them with zero) or blocks the current EC until an up or, when
// deadline is not 0, until the TSC reaches deadline.
enum nova_status sm_down(struct sm *sm, struct ec *cur, bool zero, uint64_t deadline);
// Takes a blocked EC off the queue of the semaphore it waits on (the EC is going away).
void sm_cancel(struct ec *ec);
// A timed down expired: the EC resumes with NOVA_TIMEOUT.
void sm_timeout(struct ec *ec);
// Some interrupt is routed to a semaphore: an idle CPU may still be woken.
bool sm_any_interrupt_bound(void);
void sm_note_bound(void);
