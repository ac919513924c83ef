// SPDX-License-Identifier: MIT
// Scenario "bench": the cost of an empty call + reply, to another PD and within the root PD.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "child.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "tests.h"
#include "thread.h"

#define BENCH_ROUNDS 100000
#define BENCH_WARMUP 100

static uint64_t handler_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel park_sm;

// Under QEMU's -icount shift=0 the TSC advances by one per instruction.
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

// The empty message the call brought is the reply.
static _Noreturn void echo_child(uint64_t id)
{
    reply_or_park(CHILD_SEL_PARK);
}

static _Noreturn void echo_root(uint64_t id)
{
    reply_or_park(park_sm);
}

// Average TSC ticks of one round trip through pt; 0 if a call failed.
static uint64_t measure(nova_sel pt)
{
    struct nova_utcb *u = (struct nova_utcb *)NOVA_ROOT_UTCB;
    unsigned failed = 0;
    msg_clear(u);
    for (unsigned i = 0; i < BENCH_WARMUP; i++)
        failed += nova_call(pt) != NOVA_OK;
    uint64_t start = rdtsc();
    for (unsigned i = 0; i < BENCH_ROUNDS; i++)
        failed += nova_call(pt) != NOVA_OK;
    uint64_t ticks = rdtsc() - start;
    return CHECK(failed == 0) ? ticks / BENCH_ROUNDS : 0;
}

// A child PD without I/O ports: the pure cost of call and reply between two PDs. With
// options CHILD_CONSOLE both PDs have I/O ports, and the kernel loads an I/O bitmap on
// every switch between them.
static void cross_pd(const char *name, unsigned options)
{
    struct child c;
    nova_sel ec = sel_alloc(), pt = sel_alloc();
    uint64_t utcb;
    if (!child_create(&c, options) ||
        !CHECK_STATUS(child_ec(&c, ec, (void *)echo_child, 0, false, &utcb), NOVA_OK) ||
        !CHECK_STATUS(nova_create_pt(pt, c.pd, ec, 0, (uint64_t)(uintptr_t)echo_child), NOVA_OK))
        return;
    uint64_t n = measure(pt);
    if (n)
        con_printf("bench: %s %lu instructions\n", name, n);
    child_collect_failures(&c);
}

static void same_pd(void)
{
    struct portal p;
    park_sm = sel_alloc();
    if (!CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(portal_create(&p, echo_root, handler_stack, THREAD_STACK_WORDS, 0), NOVA_OK))
        return;
    uint64_t n = measure(p.pt);
    if (n)
        con_printf("bench: ipc_roundtrip_same_pd %lu instructions\n", n);
}

void test_bench(const struct nova_hip *hip)
{
    con_printf("ipc bench: %u round trips each, TSC %lu kHz\n", BENCH_ROUNDS, hip->tsc_khz);
    cross_pd("ipc_roundtrip", 0);
    same_pd();
    cross_pd("ipc_roundtrip_io_pds", CHILD_CONSOLE);
}
