// SPDX-License-Identifier: MIT
// Per-CPU scheduler: priority round robin over scheduling contexts.
#include "kernel/sched.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/percpu.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/pd.h"
#include "kernel/printk.h"
#include "kernel/qemu_exit.h"
#include "kernel/sc.h"

// The running SC is not on the queue; ready ones are, FIFO per priority.
static struct sc *head[SC_PRIO_MAX + 1], *tail[SC_PRIO_MAX + 1];
static uint64_t ready_mask; // bit p set: some SC of priority p is queued
static bool preempt;
static uint64_t slice_start;

struct ec *sched_current(void) { return this_cpu()->current; }

static void queue(struct sc *sc, bool front)
{
    assert(!sc->queued);
    unsigned p = sc->prio;
    sc->next = 0;
    if (!head[p])
        head[p] = tail[p] = sc;
    else if (front)
        sc->next = head[p], head[p] = sc;
    else
        tail[p]->next = sc, tail[p] = sc;
    sc->queued = true;
    ready_mask |= 1ull << p;
}

static void unqueue(struct sc *sc)
{
    unsigned p = sc->prio;
    struct sc **pp = &head[p], *prev = 0;
    while (*pp && *pp != sc)
        prev = *pp, pp = &(*pp)->next;
    assert(*pp == sc);
    *pp = sc->next;
    if (tail[p] == sc)
        tail[p] = prev;
    if (!head[p])
        ready_mask &= ~(1ull << p);
    sc->queued = false;
}

void sched_enqueue(struct sc *sc)
{
    struct ec *cur = sched_current();
    queue(sc, false);
    if (cur && cur->sc && sc->prio > cur->sc->prio)
        preempt = true;
}

void sched_remove(struct ec *ec)
{
    if (ec->sc && ec->sc->queued)
        unqueue(ec->sc);
}

void sched_wake(struct ec *ec)
{
    ec->state = EC_READY;
    if (ec->sc && ec != sched_current())
        sched_enqueue(ec->sc);
}

uint64_t sched_consumed(const struct sc *sc)
{
    struct ec *cur = sched_current();
    return sc->consumed + (cur && cur->sc == sc ? rdtsc() - slice_start : 0);
}

static bool current_can_continue(struct ec *cur)
{
    return cur && cur->state == EC_READY && cur->sc && !preempt;
}

static struct sc *pick(void)
{
    if (!ready_mask)
        return 0;
    unsigned p = 63 - __builtin_clzll(ready_mask);
    struct sc *sc = head[p];
    unqueue(sc);
    return sc;
}

static __attribute__((noreturn)) void idle(void)
{
    printk("kernel: every execution context has ended or waits; halting\n");
    qemu_exit(QEMU_EXIT_FAIL);
    cpu_stop();
}

static void switch_to(struct ec *prev, struct ec *next)
{
    uint64_t now = rdtsc();
    if (prev && prev->sc)
        prev->sc->consumed += now - slice_start;
    slice_start = now;
    struct percpu *cpu = this_cpu();
    bool ok = kobj_get(&next->obj);
    assert(ok);
    cpu->current = next;
    cpu->frame_top = (uint64_t)(&next->regs + 1);
    tss_set_kernel_stack(cpu->frame_top);
    pd_activate(next->pd);
    if (prev)
        kobj_put(&prev->obj); // may destroy an EC that ended: nothing uses its frame now
}

struct cpu_regs *sched_exit(void)
{
    struct ec *cur = sched_current();
    if (current_can_continue(cur))
        return &cur->regs;
    // A preempted EC keeps its place at the head of its priority.
    if (cur && cur->state == EC_READY && cur->sc)
        queue(cur->sc, true);
    preempt = false;
    struct sc *next = pick();
    if (!next)
        idle();
    if (next->ec != cur)
        switch_to(cur, next->ec);
    return &next->ec->regs;
}
