// SPDX-License-Identifier: MIT
// Per-CPU scheduler: priority round robin over scheduling contexts, with call chains.
//
// A queued or running SC belongs to a global EC. When that EC calls a portal, the handler
// runs on the same SC (time donation) until it replies: the EC to run is found by
// following the chain of callees from the SC's EC. An SC whose chain waits somewhere
// (a semaphore, a busy handler) is dropped from the queue and queued again on wake-up.
#include "kernel/sched.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/percpu.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/ipc.h"
#include "kernel/pd.h"
#include "kernel/printk.h"
#include "kernel/qemu_exit.h"
#include "kernel/sc.h"

static struct sc *head[SC_PRIO_MAX + 1], *tail[SC_PRIO_MAX + 1];
static uint64_t ready_mask; // bit p set: some SC of priority p is queued
static bool preempt;
static uint64_t slice_start;
static struct sc *current_sc;

struct ec *sched_current(void) { return this_cpu()->current; }
struct sc *sched_current_sc(void) { return current_sc; }

struct ec *sched_runner(struct ec *ec)
{
    while (ec && ec->state == EC_CALLING)
        ec = ec->callee;
    return ec && ec->state == EC_READY ? ec : 0;
}

// The SC whose time ec runs on: its own, or that of the chain of callers it serves.
static struct sc *chain_sc(struct ec *ec)
{
    while (!ec->sc && ec->caller)
        ec = ec->caller;
    return ec->sc;
}

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
    if (sc->queued || sc == current_sc)
        return;
    queue(sc, false);
    if (current_sc && sc->prio > current_sc->prio)
        preempt = true;
}

void sched_sc_gone(struct sc *sc)
{
    if (sc->queued)
        unqueue(sc);
    if (sc == current_sc) {
        sc->consumed += rdtsc() - slice_start;
        current_sc = 0;
    }
}

void sched_wake(struct ec *ec)
{
    ec->state = EC_READY;
    struct sc *sc = chain_sc(ec);
    if (sc)
        sched_enqueue(sc);
}

uint64_t sched_consumed(const struct sc *sc)
{
    return sc->consumed + (sc == current_sc ? rdtsc() - slice_start : 0);
}

static struct sc *pick(void)
{
    if (!ready_mask)
        return 0;
    struct sc *sc = head[63 - __builtin_clzll(ready_mask)];
    unqueue(sc);
    return sc;
}

static __attribute__((noreturn)) void idle(void)
{
    printk("kernel: every execution context has ended or waits; halting\n");
    qemu_exit(QEMU_EXIT_FAIL);
    cpu_stop();
}

static void switch_sc(struct sc *sc)
{
    uint64_t now = rdtsc();
    if (current_sc)
        current_sc->consumed += now - slice_start;
    slice_start = now;
    current_sc = sc;
}

static void switch_ec(struct ec *next)
{
    struct percpu *cpu = this_cpu();
    struct ec *prev = cpu->current;
    if (next == prev)
        return;
    bool ok = kobj_get(&next->obj);
    assert(ok);
    cpu->current = next;
    cpu->frame_top = (uint64_t)(&next->regs + 1);
    tss_set_kernel_stack(cpu->frame_top);
    pd_activate(next->pd);
    if (prev)
        kobj_put(&prev->obj); // may destroy an EC that ended: nothing uses its frame now
}

// The runner of sc with its pending events delivered, or NULL if the chain now waits.
static struct ec *runnable(struct sc *sc)
{
    struct ec *r = sched_runner(sc->ec);
    while (r && r->pending && ipc_deliver_pending(r))
        r = sched_runner(sc->ec);
    return r;
}

struct cpu_regs *sched_exit(void)
{
    struct ec *r = current_sc ? runnable(current_sc) : 0;
    if (r && !preempt) {
        switch_ec(r);
        return &r->regs;
    }
    if (r) // preempted: it keeps its place at the head of its priority
        queue(current_sc, true);
    preempt = false;
    struct sc *sc;
    do {
        sc = pick();
        if (!sc)
            idle();
        r = runnable(sc);
    } while (!r);
    switch_sc(sc);
    switch_ec(r);
    return &r->regs;
}
