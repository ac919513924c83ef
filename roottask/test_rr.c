// SPDX-License-Identifier: MIT
// Test "rr": two spinning threads of equal priority on CPU 0 share it by round robin.
#include <stdint.h>

#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "tests.h"

#define SPIN_PRIO       16 // below the root's 32: they run only while the root sleeps
#define SPIN_QUANTUM_US 1000
#define SLEEP_US        100000
// Over 100 quanta each thread must get a fair share: at least a fifth of the progress.
#define FAIR_SHARE_DIV 5

static uint64_t stacks[2][SMALL_STACK_WORDS] __attribute__((aligned(16)));
static volatile uint64_t counter[2];

static _Noreturn void spin(struct nova_utcb *utcb)
{
    volatile uint64_t *c = &counter[thread_arg(utcb)];
    for (;;)
        ++*c;
}

static void start_spinner(unsigned i)
{
    struct thread_spec s = {spin, STACK_OF(stacks[i]), i, 0, SPIN_PRIO, SPIN_QUANTUM_US};
    nova_sel ec;
    CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
}

// The root's timeout preempts the spinners; the counters it sees are what they did meanwhile.
static void sleep_and_sample(uint64_t now[2])
{
    uint64_t start = nova_rdtsc();
    CHECK_STATUS(clock_sleep_us(SLEEP_US), NOVA_TIMEOUT);
    now[0] = counter[0], now[1] = counter[1];
    con_printf("rr: slept %lu us\n", clock_to_us(nova_rdtsc() - start));
}

static void check_progress(const uint64_t before[2], const uint64_t after[2])
{
    uint64_t a = after[0] - before[0], b = after[1] - before[1];
    CHECK(a > 0 && b > 0);
    CHECK(a >= (a + b) / FAIR_SHARE_DIV && b >= (a + b) / FAIR_SHARE_DIV);
}

void test_rr(const struct nova_hip *hip)
{
    uint64_t zero[2] = {0, 0}, first[2], second[2];
    if (!clock_init(hip))
        return;
    start_spinner(0);
    start_spinner(1);
    // Below the root's priority neither has run yet.
    CHECK(counter[0] == 0 && counter[1] == 0);
    sleep_and_sample(first);
    check_progress(zero, first);
    con_printf("rr: both threads progressed (%lu, %lu)\n", first[0], first[1]);
    sleep_and_sample(second);
    check_progress(first, second);
    con_printf("rr: both threads progressed again (%lu, %lu)\n", second[0] - first[0],
               second[1] - first[1]);
}
