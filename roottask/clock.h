// SPDX-License-Identifier: MIT
// Time for the tests: TSC deadlines from microseconds, and sleeping with a timed down.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova-user/tsc.h"
#include "nova/caps.h"
#include "nova/hip.h"
#include "nova/status.h"

// Checks that the HIP knows the TSC rate and sets up the sleeping semaphore; false if not.
bool clock_init(const struct nova_hip *hip);

// TSC ticks in us microseconds, and microseconds in ticks, at the HIP's rate.
uint64_t clock_us(uint64_t us);
uint64_t clock_to_us(uint64_t ticks);

// The absolute deadline us microseconds from now.
uint64_t clock_deadline_us(uint64_t us);

// Blocks in a timed down on a semaphore nobody ups until deadline; NOVA_TIMEOUT is normal.
enum nova_status clock_sleep_until(uint64_t deadline);
enum nova_status clock_sleep_us(uint64_t us);

// Takes whatever count sm has without blocking (a zeroing down with a past deadline).
void clock_drain(nova_sel sm);
