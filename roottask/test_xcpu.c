// SPDX-License-Identifier: MIT
// Test "xcpu": an up on CPU 0 wakes a thread blocked on another CPU.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/io.h"
#include "tests.h"

#define CPUS_MAX       16
#define WAITER_PRIO    16
#define WAITER_QUANTUM 10000
#define SETTLE_US      10000   // time for the waiter to get from its flag into the down
#define READY_WAIT_US  2000000 // time for the waiter to start at all
#define DONE_WAIT_US   2000000

static uint64_t stacks[CPUS_MAX][SMALL_STACK_WORDS] __attribute__((aligned(16)));

// What one waiter saw; ready before it blocks, woken with the TSC and APIC id after.
static struct waiter {
    volatile bool ready;
    uint64_t woken, apic;
    enum nova_status st;
} waiters[CPUS_MAX];

static nova_sel sm_a, sm_b;

static _Noreturn void waiter(struct nova_utcb *utcb)
{
    struct waiter *w = &waiters[thread_arg(utcb)];
    w->ready = true;
    w->st = nova_sm_down(sm_a);
    w->woken = nova_rdtsc();
    w->apic = cpu_apic_self();
    thread_signal(sm_b);
    thread_rest();
}

// Spins on the flag (the waiter is on another CPU), then lets it block.
static bool wait_ready(struct waiter *w)
{
    uint64_t deadline = clock_deadline_us(READY_WAIT_US);
    while (!w->ready && nova_rdtsc() < deadline)
        cpu_pause();
    if (!CHECK(w->ready))
        return false;
    CHECK_STATUS(clock_sleep_us(SETTLE_US), NOVA_TIMEOUT);
    return true;
}

static void wake_on(const struct nova_hip *hip, unsigned cpu)
{
    struct waiter *w = &waiters[cpu];
    struct thread_spec s = {waiter, STACK_OF(stacks[cpu]), cpu, cpu, WAITER_PRIO, WAITER_QUANTUM};
    nova_sel ec;
    if (!CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK) || !wait_ready(w))
        return;
    CHECK(w->woken == 0); // blocked: nobody has upped A yet
    uint64_t up = nova_rdtsc();
    CHECK_STATUS(nova_sm_up(sm_a), NOVA_OK);
    if (!CHECK_STATUS(nova_sm_down_timed(sm_b, clock_deadline_us(DONE_WAIT_US)), NOVA_OK))
        return;
    CHECK_STATUS(w->st, NOVA_OK);
    CHECK(w->woken > up);
    if (CHECK(w->apic == hip->cpu[cpu].apic_id))
        con_printf("xcpu: woken on CPU %u, %lu ticks after the up\n", cpu, w->woken - up);
}

void test_xcpu(const struct nova_hip *hip)
{
    if (cpus_online(hip) < 2) {
        con_printf("xcpu: skipped, one CPU\n");
        return;
    }
    sm_a = sel_alloc(), sm_b = sel_alloc();
    if (!clock_init(hip) || !CHECK(hip->cpu_count <= CPUS_MAX) ||
        !CHECK_STATUS(nova_create_sm(sm_a, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(nova_create_sm(sm_b, NOVA_SEL_ROOT_PD, 0), NOVA_OK))
        return;
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++)
        if (cpu_is_online(hip, cpu))
            wake_on(hip, cpu);
}
