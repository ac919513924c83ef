// SPDX-License-Identifier: MIT
// Threads of the root task: global ECs on static stacks, and local ECs serving portals.
#include "thread.h"
#include "alloc.h"
#include "check.h"
#include "nova-user/io.h"

// As if fn had been called: RSP + 8 is 16-byte aligned at a function's first instruction.
uint64_t thread_stack_top(uint64_t *stack, size_t words)
{
    return (((uint64_t)(uintptr_t)(stack + words)) & ~15ull) - 8;
}

enum nova_status thread_create(nova_sel ec, thread_fn *fn, uint64_t *stack, size_t words)
{
    return thread_create_evt(ec, fn, stack, words, 0);
}

enum nova_status thread_create_evt(nova_sel ec, thread_fn *fn, uint64_t *stack, size_t words,
                                   nova_sel evt_base)
{
    uint64_t utcb_cpu0 = utcb_alloc();
    return nova_create_ec(ec, NOVA_SEL_ROOT_PD, utcb_cpu0, thread_stack_top(stack, words),
                          (uint64_t)(uintptr_t)fn, evt_base, true);
}

enum nova_status portal_create(struct portal *p, portal_fn *fn, uint64_t *stack, size_t words,
                               uint64_t mtd)
{
    uint64_t utcb = utcb_alloc(), ip = (uint64_t)(uintptr_t)fn;
    p->ec = sel_alloc(), p->pt = sel_alloc();
    p->utcb = (struct nova_utcb *)(uintptr_t)utcb;
    enum nova_status st =
        nova_create_ec(p->ec, NOVA_SEL_ROOT_PD, utcb, thread_stack_top(stack, words), ip, 0, false);
    return st == NOVA_OK ? nova_create_pt(p->pt, NOVA_SEL_ROOT_PD, p->ec, mtd, ip) : st;
}

_Noreturn void thread_park(nova_sel sm)
{
    while (nova_sm_down(sm) == NOVA_OK)
        ; // an unexpected up: park again
    for (;;)
        cpu_pause(); // the semaphore is gone; spinning is all that is left
}

_Noreturn void reply_or_park(nova_sel park)
{
    CHECK_STATUS(nova_reply(), NOVA_OK);
    thread_park(park);
}
