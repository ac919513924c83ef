// SPDX-License-Identifier: MIT
// Per-CPU scheduler: priority round robin over scheduling contexts, with call chains.
//
// A queued or running SC belongs to a global EC. When that EC calls a portal, the handler
// runs on the same SC (time donation) until it replies: the EC to run is found by
// following the chain of callees from the SC's EC. An SC whose chain waits somewhere
// (a semaphore, a busy handler) is dropped from the queue and queued again on wake-up.
// The local APIC timer is armed for the end of the current quantum or the next timeout,
// whichever comes first; there is no periodic tick.
#include "kernel/sched.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/exit.h"
#include "kernel/cpus.h"
#include "kernel/ipc.h"
#include "kernel/lock.h"
#include "kernel/pd.h"
#include "kernel/printk.h"
#include "kernel/sc.h"
#include "kernel/sm.h"
#include "kernel/tlb.h"
#include "kernel/vcpu.h"

#define SC_OF(link) ((struct sc *)((char *)(link) - __builtin_offsetof(struct sc, rq)))
#define EC_OF(link) ((struct ec *)((char *)(link) - __builtin_offsetof(struct ec, timeout)))

static struct sched *cpu_sched(void) { return &this_cpu()->sched; }

void sched_init(void)
{
    struct sched *s = cpu_sched();
    runq_init(&s->rq);
    timeq_init(&s->tq);
}

struct ec *sched_current(void) { return this_cpu()->current; }
struct sc *sched_current_sc(void) { return cpu_sched()->sc; }

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

// The CPU an SC runs on decides when it runs; another CPU only queues it and knocks.
void sched_enqueue(struct sc *sc)
{
    struct sched *s = &cpu_data(sc->cpu)->sched;
    if (sc->rq.queued || sc == s->sc)
        return;
    bool ok = runq_push_back(&s->rq, &sc->rq, sc->prio);
    assert(ok);
    if (!s->sc || sc->prio > s->sc->prio)
        s->preempt = true;
    if (sc->cpu != this_cpu()->id)
        lapic_send_ipi(cpu_apic_id(sc->cpu), VEC_IPI_WAKE);
}

static void charge(struct sched *s, uint64_t now)
{
    uint64_t used = now - s->slice_start;
    s->sc->consumed += used;
    s->sc->left = used < s->sc->left ? s->sc->left - used : 0;
    s->slice_start = now;
}

void sched_sc_gone(struct sc *sc)
{
    struct sched *s = &cpu_data(sc->cpu)->sched;
    if (sc->rq.queued)
        runq_remove(&s->rq, &sc->rq);
    if (sc == s->sc) {
        charge(s, rdtsc());
        s->sc = 0;
        if (sc->cpu != this_cpu()->id) // it runs there right now: make that CPU choose again
            lapic_send_ipi(cpu_apic_id(sc->cpu), VEC_IPI_WAKE);
    }
}

void sched_wake(struct ec *ec)
{
    ec->state = EC_READY;
    sched_timeout_cancel(ec);
    struct sc *sc = chain_sc(ec);
    if (sc)
        sched_enqueue(sc);
}

uint64_t sched_consumed(const struct sc *sc)
{
    struct sched *s = &cpu_data(sc->cpu)->sched;
    return sc->consumed + (sc == s->sc ? rdtsc() - s->slice_start : 0);
}

void sched_timeout_add(struct ec *ec, uint64_t deadline)
{
    bool ok = timeq_insert(&cpu_data(ec->cpu)->sched.tq, &ec->timeout, deadline);
    assert(ok);
    cpu_data(ec->cpu)->sched.armed = 0; // the timer may have to fire earlier
}

void sched_timeout_cancel(struct ec *ec)
{
    if (ec->timeout.queued)
        timeq_remove(&cpu_data(ec->cpu)->sched.tq, &ec->timeout);
}

// Timer interrupt: timeouts that expired wake their ECs; a used-up quantum rotates.
void sched_tick(void)
{
    struct sched *s = cpu_sched();
    uint64_t now = rdtsc();
    struct timeq_link *l;
    while ((l = timeq_pop_expired(&s->tq, now)))
        sm_timeout(EC_OF(l));
    if (s->sc) {
        charge(s, now);
        if (!s->sc->left)
            s->rotate = true;
    }
    s->armed = 0; // the timer fired: arm it anew
}

static unsigned idle_cpus;

// True when every CPU idles and neither a timeout nor an interrupt can change that.
static bool nothing_can_wake(void)
{
    if (idle_cpus < cpu_online_count() || sm_any_interrupt_bound())
        return false;
    for (unsigned cpu = 0; cpu < cpu_count(); cpu++) // an idle CPU may not have seen its work yet
        if (timeq_first(&cpu_data(cpu)->sched.tq) || cpu_data(cpu)->sched.rq.mask)
            return false;
    return true;
}

// Waits with interrupts on and the kernel lock free until some SC is ready here.
static void idle(struct sched *s)
{
    if (s->rq.mask)
        return;
    idle_cpus++;
    while (!s->rq.mask) {
        if (nothing_can_wake()) {
            printk("kernel: every execution context has ended or waits; halting\n");
            exit_emulator(false);
            cpu_stop();
        }
        struct timeq_link *t = timeq_first(&s->tq);
        uint64_t now = rdtsc();
        lapic_timer_arm(t ? (t->deadline > now ? t->deadline - now : 1) : 0);
        s->armed = 0;
        tlb_shootdown();
        kernel_unlock();
        __asm__ volatile("sti; hlt; cli" ::: "memory");
        kernel_lock();
    }
    idle_cpus--;
}

static void switch_sc(struct sched *s, struct sc *sc)
{
    s->slice_start = rdtsc();
    s->sc = sc;
    if (!sc->left)
        sc->left = sc->quantum;
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

// The timer fires at the end of the quantum or at the next timeout; re-armed only on change.
static void arm_timer_slow(struct sched *s)
{
    s->armed_sc = s->sc, s->armed_tq = s->tq.count;
    struct timeq_link *t = timeq_first(&s->tq);
    uint64_t deadline = s->slice_start + s->sc->left;
    if (t && t->deadline < deadline)
        deadline = t->deadline;
    if (deadline == s->armed)
        return;
    s->armed = deadline;
    uint64_t now = rdtsc();
    lapic_timer_arm(deadline > now ? deadline - now : 1);
}

static inline void arm_timer(struct sched *s)
{
    // Nothing that decides the deadline changed: the common case on the IPC path.
    if (!s->armed || s->armed_sc != s->sc || s->armed_tq != s->tq.count)
        arm_timer_slow(s);
}

static struct ec *run(struct sched *s, struct ec *r)
{
    switch_ec(r);
    arm_timer(s);
    return r;
}

bool sched_must_choose(void)
{
    struct sched *s = cpu_sched();
    return s->preempt || s->rotate || !s->sc;
}

// The EC to run next on this CPU, switched to; vCPUs among them are run by the caller.
static struct ec *choose(void)
{
    struct sched *s = cpu_sched();
    struct ec *r = s->sc ? runnable(s->sc) : 0;
    if (r && !s->preempt && !s->rotate)
        return run(s, r);
    if (r) { // preempted: it keeps its place; a used-up quantum goes to the back
        bool ok = s->rotate ? runq_push_back(&s->rq, &s->sc->rq, s->sc->prio)
                            : runq_push_front(&s->rq, &s->sc->rq, s->sc->prio);
        assert(ok);
    }
    s->preempt = s->rotate = false;
    if (s->sc) { // its time stops here, whether it waits or was put back
        charge(s, rdtsc());
        s->sc = 0;
    }
    for (;;) {
        idle(s);
        struct sc *sc = SC_OF(runq_pop(&s->rq));
        r = runnable(sc);
        if (r) {
            switch_sc(s, sc);
            return run(s, r);
        }
    }
}

struct cpu_regs *sched_exit(void)
{
    for (;;) {
        struct ec *r = choose();
        if (!r->vcpu)
            return &r->regs;
        vcpu_run(r);
    }
}

struct cpu_regs *kernel_exit(void)
{
    struct cpu_regs *r = sched_exit();
    tlb_shootdown();
    kernel_unlock();
    return r;
}
