// SPDX-License-Identifier: MIT
// The programs of the boot configuration as the root task runs them: state and lock.
#include "programs.h"
#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/tsc.h"

struct program programs[CFG_MAX_PROGRAMS];
unsigned program_count;
const struct nova_hip *system_hip;

static nova_sel lock_sm, bell_sm, console_sm;

// About 20 ms: a live holder writes a line in far less.
#define CONSOLE_REPAIR_US 20000

bool programs_init(const struct cfg *cfg, const struct nova_hip *hip)
{
    system_hip = hip;
    program_count = cfg->count;
    for (unsigned i = 0; i < cfg->count; i++)
        programs[i] = (struct program){.cfg = &cfg->prog[i], .slot = i};
    lock_sm = sel_alloc();
    bell_sm = sel_alloc();
    console_sm = sel_alloc();
    bool ok = CHECK_STATUS(nova_create_sm(lock_sm, NOVA_SEL_ROOT_PD, 1), NOVA_OK) &&
              CHECK_STATUS(nova_create_sm(bell_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
              CHECK_STATUS(nova_create_sm(console_sm, NOVA_SEL_ROOT_PD, 1), NOVA_OK);
    if (ok)
        con_set_lock(console_sm);
    return ok;
}

nova_sel console_lock(void)
{
    return console_sm;
}

// If the lock stays taken, its holder is taken to be dead, and the lock is freed.
void console_repair(void)
{
    uint64_t deadline = nova_rdtsc() + nova_tsc_us(system_hip->tsc_khz, CONSOLE_REPAIR_US);
    enum nova_status st = nova_sm_down_timed(console_sm, deadline);
    CHECK(st == NOVA_OK || st == NOVA_TIMEOUT);
    CHECK_STATUS(nova_sm_up(console_sm), NOVA_OK);
}

uint64_t programs_held(void)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < program_count; i++)
        sum += ledger_total(&programs[i].image) + ledger_total(&programs[i].mem);
    return sum;
}

void sys_lock(void)
{
    CHECK_STATUS(nova_sm_down(lock_sm), NOVA_OK);
}

void sys_unlock(void)
{
    CHECK_STATUS(nova_sm_up(lock_sm), NOVA_OK);
}

void sys_ring(void)
{
    CHECK_STATUS(nova_sm_up(bell_sm), NOVA_OK);
}

void sys_wait(void)
{
    CHECK_STATUS(nova_sm_down(bell_sm), NOVA_OK);
}
