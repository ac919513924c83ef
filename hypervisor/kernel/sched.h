// SPDX-License-Identifier: MIT
// Per-CPU scheduler: priority round robin over scheduling contexts, with call chains.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/regs.h"

struct ec;
struct sc;

// The EC running on this CPU, and the SC whose time it uses (the caller's during a call).
struct ec *sched_current(void);
struct sc *sched_current_sc(void);
// sc became ready; it preempts the current SC if its priority is higher.
void sched_enqueue(struct sc *sc);
// sc goes away: off the run queue, and no longer the current SC.
void sched_sc_gone(struct sc *sc);
// A waiting EC can run again: the SC of its call chain is queued if it is not running.
void sched_wake(struct ec *ec);
// Picks the EC to run next and returns the frame to resume; called on every kernel exit.
struct cpu_regs *sched_exit(void);
// sched_exit, then the TLB shootdowns the kernel work needs, then the kernel lock goes.
struct cpu_regs *kernel_exit(void);
// TSC ticks sc has consumed, including the current slice if it is running.
uint64_t sched_consumed(const struct sc *sc);
// The EC that runs on the time of ec's call chain, or NULL if the chain waits somewhere.
struct ec *sched_runner(struct ec *ec);

void sched_init(void);
// ec's wait ends at the absolute TSC value deadline unless it is woken before.
void sched_timeout_add(struct ec *ec, uint64_t deadline);
void sched_timeout_cancel(struct ec *ec);
// The timer interrupt: expired timeouts, end of quantum.
void sched_tick(void);
// A running vCPU must leave its guest: preemption, end of quantum, its SC gone.
bool sched_must_choose(void);
