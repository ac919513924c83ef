// SPDX-License-Identifier: MIT
// Scenario "bench5": semaphore wake-up latency on one CPU and across CPUs.
#include <stdint.h>

#include "alloc.h"
#include "bench5.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"

#define ROUNDS        10000
#define WAKER_PRIO    40 // above the root's 32: an up on its CPU switches to it at once
#define WAKER_QUANTUM 10000
#define ROUND_WAIT_US 1000000

static uint64_t stacks[2][SMALL_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel wake_sm, back_sm;

// t0 is written by the root before each up; the woken thread adds its TSC minus t0.
static struct {
    volatile uint64_t t0, sum;
    volatile unsigned rounds;
    enum nova_status st;
} run;

void bench_print(const char *name, uint64_t value)
{
    con_printf("bench: %s %lu instructions\n", name, value);
}

// Blocks in down; first thing after each wake-up it takes the TSC, then hands back.
static _Noreturn void woken(struct nova_utcb *utcb)
{
    for (unsigned i = 0; i < ROUNDS && run.st == NOVA_OK; i++) {
        run.st = nova_sm_down(wake_sm);
        uint64_t t1 = nova_rdtsc();
        run.sum += t1 - run.t0;
        run.rounds++;
        if (thread_arg(utcb)) // across CPUs the root waits for this; on one CPU it just runs
            thread_signal(back_sm);
    }
    thread_rest();
}

static bool prepare(unsigned cpu)
{
    run.sum = run.rounds = 0, run.st = NOVA_OK;
    wake_sm = sel_alloc(), back_sm = sel_alloc();
    struct thread_spec s = {.fn = woken,
                            .stack = stacks[cpu != 0],
                            .words = SMALL_STACK_WORDS,
                            .arg = cpu != 0,
                            .cpu = cpu,
                            .prio = WAKER_PRIO,
                            .quantum_us = WAKER_QUANTUM};
    nova_sel ec;
    return CHECK_STATUS(nova_create_sm(wake_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_sm(back_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
}

static bool round_trip(bool cross)
{
    run.t0 = nova_rdtsc();
    if (!CHECK_STATUS(nova_sm_up(wake_sm), NOVA_OK))
        return false;
    return !cross ||
           CHECK_STATUS(nova_sm_down_timed(back_sm, clock_deadline_us(ROUND_WAIT_US)), NOVA_OK);
}

static void bench_wakeup(const char *name, unsigned cpu)
{
    if (!prepare(cpu))
        return;
    for (unsigned i = 0; i < ROUNDS && round_trip(cpu != 0); i++)
        ;
    CHECK_STATUS(run.st, NOVA_OK);
    if (CHECK(run.rounds == ROUNDS))
        bench_print(name, run.sum / ROUNDS);
}

void test_bench5(const struct nova_hip *hip)
{
    if (!clock_init(hip))
        return;
    bench_wakeup("sm_wakeup_same_cpu", 0);
    if (cpus_online(hip) >= 2)
        bench_wakeup("sm_wakeup_cross_cpu", cpu_is_online(hip, 1) ? 1 : cpu_last(hip));
    bench_irq_to_user(hip);
}
