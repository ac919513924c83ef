// SPDX-License-Identifier: MIT
// The kernel lock: one CPU at a time runs kernel code; TLB flush requests are served while waiting.
#include "kernel/lock.h"
#include "arch/x86/cpu.h"
#include "kernel/tlb.h"

// A ticket lock: CPUs enter in the order they arrived.
static volatile unsigned next_ticket, now_serving;

void kernel_lock(void)
{
    unsigned ticket = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_RELAXED);
    while (__atomic_load_n(&now_serving, __ATOMIC_ACQUIRE) != ticket) {
        tlb_serve_request(); // the lock holder may be waiting for this CPU's flush
        cpu_pause();
    }
}

void kernel_unlock(void) { __atomic_store_n(&now_serving, now_serving + 1, __ATOMIC_RELEASE); }
