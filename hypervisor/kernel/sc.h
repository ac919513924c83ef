// SPDX-License-Identifier: MIT
// Scheduling context: the priority and time quantum that let a global EC run.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kernel/kobj.h"
#include "kernel/runq.h"

#define SC_PRIO_MAX 63

struct ec;

struct sc {
    struct kobj obj;
    struct runq_link rq; // run-queue link
    struct ec *ec;       // holds a reference
    unsigned prio, cpu;
    uint64_t quantum;  // TSC ticks
    uint64_t left;     // TSC ticks left of the current quantum
    uint64_t consumed; // TSC ticks spent running
};

// Binds a new SC to ec and makes ec ready.
enum nova_status sc_create(struct sc **out, struct ec *ec, unsigned prio, uint64_t quantum)
    __attribute__((warn_unused_result));
void sc_cache_init(void);
