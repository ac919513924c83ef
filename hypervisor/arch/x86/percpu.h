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
struct pd;
struct sc;

// Scheduler state of one CPU (kernel/sched.c).
struct sched {
    struct runq rq;  // ready SCs
    struct timeq tq; // ECs waiting with a timeout
    struct sc *sc;   // the SC whose time runs now
    uint64_t slice_start, armed;
    struct sc *armed_sc; // what the armed deadline was computed from
    size_t armed_tq;
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
    struct pd *active_pd;          // whose page table and I/O bitmap are loaded
    const uint8_t *loaded_bitmap;  // the I/O bitmap copied into this CPU's TSS
};

extern struct percpu percpu[];

// GS points at the running CPU's struct percpu while in the kernel.
static inline struct percpu *this_cpu(void)
{
    struct percpu *p;
    __asm__("mov %%gs:24, %0" : "=r"(p));
    return p;
}

static inline struct percpu *cpu_data(unsigned cpu) { return &percpu[cpu]; }

// Sets up GS, the kernel stack and SYSCALL on the calling CPU.
void percpu_init(unsigned cpu, uint64_t kstack_top);

#endif
