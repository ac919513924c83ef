// SPDX-License-Identifier: MIT
// The time-stamp counter: reading it, and converting between its ticks and wall time.
#pragma once

#include <stdint.h>

// The TSC of this CPU; "memory" keeps the compiler from moving loads and stores across it.
static inline uint64_t nova_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

// khz is the TSC rate the HIP reports (hip->tsc_khz).
static inline uint64_t nova_tsc_us(uint64_t khz, uint64_t us)
{
    return khz * us / 1000;
}

static inline uint64_t nova_tsc_to_us(uint64_t khz, uint64_t ticks)
{
    return khz ? ticks * 1000 / khz : 0;
}
