// SPDX-License-Identifier: MIT
// Test "preempt": a timed-out down of a high-priority thread preempts a spinner at once.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"

#define SPIN_PRIO       16
#define SPIN_QUANTUM_US 1000000 // a quantum end never rescues the high-priority thread
#define HIGH_PRIO       40
#define HIGH_QUANTUM_US 10000
#define HIGH_WAIT_US    20000
#define ROOT_WAIT_US    2000000
// Under emulation the wake-up may lag its deadline; far less than the spinner's quantum.
#define LATENCY_LIMIT_US 50000

static uint64_t spin_stack[SMALL_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t high_stack[SMALL_STACK_WORDS] __attribute__((aligned(16)));
static volatile uint64_t spins;
static nova_sel never_sm, done_sm;

// What the high-priority thread saw: its deadline, when it ran, the status, the spinner.
static struct {
    uint64_t deadline, ran, spins;
    enum nova_status st;
} high;

static _Noreturn void spin(struct nova_utcb *utcb)
{
    for (;;)
        spins++;
}

static _Noreturn void wait_high(struct nova_utcb *utcb)
{
    high.deadline = clock_deadline_us(HIGH_WAIT_US);
    high.st = nova_sm_down_timed(never_sm, high.deadline);
    high.ran = nova_rdtsc();
    high.spins = spins;
    thread_signal(done_sm);
    thread_rest();
}

static void start(thread_fn *fn, uint64_t *stack, unsigned prio, unsigned quantum)
{
    struct thread_spec s = {fn, stack, SMALL_STACK_WORDS, 0, 0, prio, quantum};
    nova_sel ec;
    CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
}

static bool make_sms(void)
{
    never_sm = sel_alloc(), done_sm = sel_alloc();
    return CHECK_STATUS(nova_create_sm(never_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_sm(done_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
}

void test_preempt(const struct nova_hip *hip)
{
    if (!clock_init(hip) || !make_sms())
        return;
    start(spin, spin_stack, SPIN_PRIO, SPIN_QUANTUM_US);
    // Above the root: it runs at once, up to its down, before create_sc returns.
    start(wait_high, high_stack, HIGH_PRIO, HIGH_QUANTUM_US);
    CHECK(high.deadline != 0 && high.ran == 0);
    // The root waits too: only the spinner is left to run on CPU 0.
    if (!CHECK_STATUS(nova_sm_down_timed(done_sm, clock_deadline_us(ROOT_WAIT_US)), NOVA_OK))
        return;
    CHECK_STATUS(high.st, NOVA_TIMEOUT);
    CHECK(high.ran >= high.deadline);
    CHECK(high.spins > 0); // the spinner had the CPU while the thread waited
    uint64_t late = high.ran - high.deadline;
    con_printf("preempt: high priority ran after %lu ticks (%lu us past its deadline)\n",
               high.ran - (high.deadline - clock_us(HIGH_WAIT_US)), clock_to_us(late));
    CHECK(clock_to_us(late) < LATENCY_LIMIT_US);
    uint64_t s = spins;
    CHECK_STATUS(clock_sleep_us(HIGH_WAIT_US), NOVA_TIMEOUT);
    CHECK(spins > s); // and it still spins: it never blocked
}
