// SPDX-License-Identifier: MIT
// Program runtime: start info, main, exit through the supervisor, parking and sleeping.
#include "nova-user/program.h"
#include "nova-user/log.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/services.h"

static const struct nova_start_info *start_info;
static struct nova_utcb *main_utcb;

_Noreturn void nova_program_start(struct nova_utcb *utcb, const struct nova_start_info *info);

const struct nova_start_info *prog_info(void)
{
    return start_info;
}

struct nova_utcb *prog_utcb(void)
{
    return main_utcb;
}

// Only the root's teardown ups the parking semaphore: an EC it wakes (one that a caller
// keeps alive) must end, and a fault without event portals ends it (docs/roottask.md).
_Noreturn void prog_park(void)
{
    (void)!nova_sm_down(NOVA_PROG_SEL_PARK);
    __builtin_trap();
}

_Noreturn void prog_exit(int status)
{
    struct nova_utcb *u = main_utcb;
    u->head.untyped = 2;
    u->head.typed = 0;
    u->msg[0] = SYS_EXIT;
    u->msg[1] = (uint64_t)(int64_t)status;
    if (nova_call(NOVA_PROG_SEL_SYS) != NOVA_OK)
        __builtin_trap(); // no supervisor listening: a fault is the other way to end
    prog_park();
}

enum svc_status prog_handler(uint64_t utcb, uint64_t sp, void (*fn)(uint64_t id), uint64_t mtd,
                             nova_sel ec_sel, nova_sel pt_sel)
{
    struct nova_utcb *u = main_utcb;
    uint64_t w[] = {SYS_HANDLER, utcb, sp, (uintptr_t)fn, mtd, ec_sel, pt_sel};
    for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++)
        u->msg[i] = w[i];
    u->head.untyped = sizeof(w) / sizeof(w[0]);
    u->head.typed = 0;
    return nova_call(NOVA_PROG_SEL_SYS) == NOVA_OK ? (enum svc_status)u->msg[0] : SVC_BAD_OP;
}

// A down with a deadline on the parking semaphore times out, unless the teardown ups it.
void prog_sleep_ms(unsigned ms)
{
    uint64_t khz = start_info ? start_info->tsc_khz : 0;
    uint64_t deadline = prog_rdtsc() + (khz ? khz : 1000000) * ms;
    if (nova_sm_down_timed(NOVA_PROG_SEL_PARK, deadline) != NOVA_TIMEOUT)
        __builtin_trap(); // woken by the teardown, or the semaphore is gone
}

_Noreturn void nova_program_start(struct nova_utcb *utcb, const struct nova_start_info *info)
{
    main_utcb = utcb;
    if (info->magic != NOVA_START_MAGIC) // not started by the root task as we know it
        __builtin_trap();
    start_info = info;
    con_set_lock(info->console_sm);
    log_set_name(info->name);
    prog_exit(main(info));
}
