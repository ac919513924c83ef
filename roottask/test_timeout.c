// SPDX-License-Identifier: MIT
// Test "timeout": timed downs expire on time, a past deadline at once; zeroing downs.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"

#define WAIT_US       50000
#define SLACK_US      50000 // emulation may wake us late, never early
#define PAST_LIMIT_US 5000  // a past deadline must not block at all
#define UPPER_PRIO    16    // runs while the root waits, and ups the semaphore
#define ZERO_COUNT    5
#define SHORT_US      10000

static uint64_t upper_stack[SMALL_STACK_WORDS] __attribute__((aligned(16)));

static nova_sel new_sm(uint64_t count)
{
    nova_sel sm = sel_alloc();
    CHECK_STATUS(nova_create_sm(sm, NOVA_SEL_ROOT_PD, count), NOVA_OK);
    return sm;
}

static void expires_on_time(void)
{
    nova_sel sm = new_sm(0);
    uint64_t deadline = clock_deadline_us(WAIT_US);
    CHECK_STATUS(nova_sm_down_timed(sm, deadline), NOVA_TIMEOUT);
    uint64_t now = nova_rdtsc();
    CHECK(now >= deadline);
    uint64_t late = now >= deadline ? clock_to_us(now - deadline) : 0;
    CHECK(late <= SLACK_US);
    con_printf("timeout: %u us down returned TIMEOUT %lu us after its deadline\n", WAIT_US, late);
}

static void past_deadline(void)
{
    nova_sel sm = new_sm(0);
    uint64_t start = nova_rdtsc();
    CHECK_STATUS(nova_sm_down_timed(sm, 1), NOVA_TIMEOUT);
    CHECK_STATUS(nova_sm_down_timed(sm, start), NOVA_TIMEOUT);
    CHECK_STATUS(nova_sm_down_zero_timed(sm, start), NOVA_TIMEOUT);
    uint64_t took = clock_to_us(nova_rdtsc() - start);
    CHECK(took < PAST_LIMIT_US);
    con_printf("timeout: past deadlines returned TIMEOUT at once (%lu us for three)\n", took);
}

static nova_sel upper_sm;

static _Noreturn void upper(struct nova_utcb *utcb)
{
    thread_signal(upper_sm); // the root checks what its down returned
    thread_rest();
}

// A count that is there, and an up while the root waits, both beat the deadline.
static void up_first(void)
{
    upper_sm = new_sm(1);
    uint64_t deadline = clock_deadline_us(WAIT_US);
    CHECK_STATUS(nova_sm_down_timed(upper_sm, deadline), NOVA_OK);
    struct thread_spec s = {upper, STACK_OF(upper_stack), 0, 0, UPPER_PRIO, SHORT_US};
    nova_sel ec;
    CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
    deadline = clock_deadline_us(WAIT_US);
    CHECK_STATUS(nova_sm_down_timed(upper_sm, deadline), NOVA_OK);
    uint64_t now = nova_rdtsc();
    CHECK(now < deadline);
    con_printf("timeout: an up %lu us before the deadline returned OK\n",
               now < deadline ? clock_to_us(deadline - now) : 0);
}

static void zeroing(void)
{
    nova_sel sm = new_sm(ZERO_COUNT);
    CHECK_STATUS(nova_sm_down_zero(sm), NOVA_OK);
    CHECK_STATUS(nova_sm_down_timed(sm, clock_deadline_us(SHORT_US)), NOVA_TIMEOUT);
    CHECK_STATUS(nova_sm_up(sm), NOVA_OK);
    CHECK_STATUS(nova_sm_up(sm), NOVA_OK);
    CHECK_STATUS(nova_sm_down_timed(sm, clock_deadline_us(SHORT_US)), NOVA_OK);
    CHECK_STATUS(nova_sm_down_zero_timed(sm, clock_deadline_us(SHORT_US)), NOVA_OK);
    CHECK_STATUS(nova_sm_down_zero_timed(sm, clock_deadline_us(SHORT_US)), NOVA_TIMEOUT);
    // Zero belongs to down only.
    CHECK_STATUS(nova_hc(NOVA_HC_SM_CTRL, NOVA_SM_UP | NOVA_SM_ZERO, sm, 0, 0, 0, 0, 0),
                 NOVA_BAD_HYPERCALL);
    con_printf("timeout: a zeroing down took a count of %u at once\n", ZERO_COUNT);
}

void test_timeout(const struct nova_hip *hip)
{
    if (!clock_init(hip))
        return;
    expires_on_time();
    past_deadline();
    up_first();
    zeroing();
}
