// SPDX-License-Identifier: MIT
// Scenario "bench5": wake-up and interrupt latencies, one "bench: NAME N instructions" line each.
#pragma once

#include <stdint.h>

#include "nova/hip.h"

// Under QEMU with -icount shift=0 the TSC counts instructions, hence the unit printed.
void bench_print(const char *name, uint64_t value);

// A PIT interrupt to a user thread on CPU 0, averaged over one-shots (bench5_irq.c).
void bench_irq_to_user(const struct nova_hip *hip);
