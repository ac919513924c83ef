// SPDX-License-Identifier: MIT
// Per-CPU kernel data, reached through GS while the CPU runs in the kernel.
#pragma once

#define PERCPU_KSTACK_TOP 0
#define PERCPU_USER_RSP   8
#define PERCPU_FRAME_TOP  16

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

#include "kernel/runq.h"
#include "kernel/timeq.h"

struct ec;
struct sc;

// Scheduler state of one CPU (kernel/sched.c).
struct sched {
    struct runq rq;  // ready SCs
    struct timeq tq; // ECs waiting with a timeout
    struct sc *sc;   // the SC whose time runs now
    uint64_t slice_start, armed;
    bool preempt, rotate;
};

// The first fields are read by entry.S at fixed offsets.
struct percpu {
    uint64_t kstack_top; // 0: the CPU's kernel stack
    uint64_t user_rsp;   // 8: scratch for the syscall entry
    uint64_t frame_top;  // 16: end of the current EC's register frame
    struct percpu *self; // 24
    struct ec *current;  // the EC whose user state the frame holds
    unsigned id;
    struct sched sched;
};

extern struct percpu percpu_boot;

static inline struct percpu *this_cpu(void) { return &percpu_boot; }

void percpu_init(void);

#endif
