// SPDX-License-Identifier: MIT
// Time for the tests: TSC deadlines from microseconds, and sleeping with a timed down.
#include "clock.h"
#include "alloc.h"
#include "check.h"
#include "nova-user/hypercall.h"

static uint64_t khz;
static nova_sel sleep_sm;
static bool have_sm;

bool clock_init(const struct nova_hip *hip)
{
    khz = hip->tsc_khz;
    if (!CHECK(khz != 0))
        return false;
    if (have_sm)
        return true;
    sleep_sm = sel_alloc();
    have_sm = CHECK_STATUS(nova_create_sm(sleep_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    return have_sm;
}

uint64_t clock_us(uint64_t us)
{
    return nova_tsc_us(khz, us);
}

uint64_t clock_to_us(uint64_t ticks)
{
    return nova_tsc_to_us(khz, ticks);
}

uint64_t clock_deadline_us(uint64_t us)
{
    return nova_rdtsc() + clock_us(us);
}

enum nova_status clock_sleep_until(uint64_t deadline)
{
    return nova_sm_down_timed(sleep_sm, deadline);
}

enum nova_status clock_sleep_us(uint64_t us)
{
    return clock_sleep_until(clock_deadline_us(us));
}

void clock_drain(nova_sel sm)
{
    enum nova_status st = nova_sm_down_zero_timed(sm, 1);
    (void)st; // OK if there was a count, TIMEOUT if not
}
