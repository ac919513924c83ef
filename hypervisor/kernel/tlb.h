// SPDX-License-Identifier: MIT
// TLB shootdown: other CPUs that run an address space drop its stale translations.
#pragma once

// CPUs in mask may hold stale translations of user mappings; flushed before the lock is released.
void tlb_note_stale(unsigned long mask);
// Sends the flush requests noted so far and waits until every CPU has flushed.
void tlb_flush_others(void);
extern unsigned long tlb_stale;
static inline void tlb_shootdown(void)
{
    if (tlb_stale)
        tlb_flush_others();
}
// Flushes this CPU's TLB if another CPU asked for it (the flush IPI and the lock wait).
void tlb_serve_request(void);
