// SPDX-License-Identifier: MIT
// Per-CPU scheduler: priority round robin over scheduling contexts.
#pragma once

#include <stdbool.h>

#include "arch/x86/regs.h"

struct ec;
struct sc;

struct ec *sched_current(void);
// sc's EC became ready; it preempts the current EC if its priority is higher.
void sched_enqueue(struct sc *sc);
// ec stops running: taken off the run queue, or, if current, switched away from.
void sched_remove(struct ec *ec);
// A blocked EC becomes ready again.
void sched_wake(struct ec *ec);
// Picks the EC to run next and returns the frame to resume; called on every kernel exit.
struct cpu_regs *sched_exit(void);
// TSC ticks sc has consumed, including the current slice if it is running.
uint64_t sched_consumed(const struct sc *sc);
