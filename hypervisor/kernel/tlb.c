// SPDX-License-Identifier: MIT
// TLB shootdown: other CPUs that run an address space drop its stale translations.
#include "kernel/tlb.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "kernel/cpus.h"
#include "kernel/pd.h"
#include "kernel/printk.h"

#define ACK_SPIN_LIMIT 100000000u

unsigned long tlb_stale;                  // CPUs to flush before the kernel lock is released
static volatile unsigned long requested;  // bit set: that CPU must flush; it clears the bit

void tlb_note_stale(unsigned long mask) { tlb_stale |= mask & ~(1ul << this_cpu()->id); }

void tlb_serve_request(void)
{
    unsigned long bit = 1ul << this_cpu()->id;
    if (!(__atomic_load_n(&requested, __ATOMIC_ACQUIRE) & bit))
        return;
    write_cr3(read_cr3()); // drops every non-global translation
    struct pd *pd = this_cpu()->active_pd;
    if (pd) // the I/O bitmap may have changed too
        tss_load_io_bitmap(pd->io_bitmap);
    __atomic_and_fetch(&requested, ~bit, __ATOMIC_RELEASE);
}

void tlb_flush_others(void)
{
    unsigned long mask = tlb_stale;
    tlb_stale = 0;
    __atomic_or_fetch(&requested, mask, __ATOMIC_RELEASE);
    for (unsigned cpu = 0; cpu < cpu_count(); cpu++)
        if (mask & (1ul << cpu))
            lapic_send_ipi(cpu_apic_id(cpu), VEC_IPI_FLUSH);
    for (unsigned i = 0; __atomic_load_n(&requested, __ATOMIC_ACQUIRE) & mask; i++)
        if (i == ACK_SPIN_LIMIT)
            panic("tlb: CPUs %#lx do not answer a shootdown", requested & mask);
        else
            cpu_pause();
}
