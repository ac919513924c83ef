// SPDX-License-Identifier: MIT
// Test "objects": one object of each type, a worker thread, a semaphore handshake, a revoke.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"
#include "thread.h"

// The child PD's address space is empty; these only have to be user addresses.
#define CHILD_UTCB  0x10000000ull
#define CHILD_STACK 0x10010000ull
#define CHILD_ENTRY 0x10020000ull
#define PORTAL_ID   0x42

// Below the root's 32 (docs/abi.md), so the worker runs only while the root is blocked.
#define WORKER_PRIO       16
#define WORKER_QUANTUM_US 10000

static uint64_t worker_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel wake_sm, park_sm;

static _Noreturn void worker(struct nova_utcb *utcb)
{
    con_printf("worker: running\n");
    CHECK_STATUS(nova_sm_up(wake_sm), NOVA_OK);
    thread_park(park_sm);
}

static void created(const char *what, nova_sel sel, unsigned type, unsigned perms)
{
    unsigned t = 0, p = 0;
    if (CHECK_STATUS(nova_lookup(sel, &t, &p), NOVA_OK))
        con_printf("created %s at sel %lu (type %u, perms %#x)\n", what, sel, t, p);
    CHECK_OBJECT(sel, type, perms);
}

// A local EC in the child PD and a portal to it; returns the portal's selector.
static nova_sel make_portal(nova_sel pd)
{
    nova_sel ec = sel_alloc(), pt = sel_alloc();
    CHECK_STATUS(nova_create_ec(ec, pd, CHILD_UTCB | 0, CHILD_STACK, CHILD_ENTRY, 0, false),
                 NOVA_OK);
    created("local EC", ec, NOVA_OBJ_EC, NOVA_PERM_EC_ALL);
    CHECK_STATUS(nova_create_pt(pt, pd, ec, 0, CHILD_ENTRY), NOVA_OK);
    created("PT", pt, NOVA_OBJ_PT, NOVA_PERM_PT_ALL);
    if (CHECK_STATUS(nova_pt_ctrl(pt, PORTAL_ID), NOVA_OK))
        con_printf("objects: portal id set to %#x\n", PORTAL_ID);
    return pt;
}

static nova_sel make_sm(void)
{
    nova_sel sm = sel_alloc();
    CHECK_STATUS(nova_create_sm(sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    created("SM", sm, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
    return sm;
}

// The root blocks on wake_sm; only the worker can wake it, so waking proves the worker ran.
static void handshake(nova_sel sc)
{
    uint64_t time = 0;
    con_printf("objects: root blocks on SM %lu\n", wake_sm);
    CHECK_STATUS(nova_sm_down(wake_sm), NOVA_OK);
    con_printf("objects: root woke up\n");
    if (CHECK_STATUS(nova_sc_ctrl(sc, &time), NOVA_OK))
        con_printf("objects: worker SC consumed %lu TSC ticks\n", time);
    CHECK(time > 0);
}

static void start_worker(void)
{
    nova_sel ec = sel_alloc(), sc = sel_alloc();
    unsigned before = check_failures;
    CHECK_STATUS(thread_create(ec, worker, worker_stack, THREAD_STACK_WORDS), NOVA_OK);
    created("global EC", ec, NOVA_OBJ_EC, NOVA_PERM_EC_ALL);
    CHECK_STATUS(nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, WORKER_PRIO, WORKER_QUANTUM_US), NOVA_OK);
    created("SC", sc, NOVA_OBJ_SC, NOVA_PERM_SC_ALL);
    // Blocking without a runnable worker would hang the test instead of failing it.
    if (check_failures == before)
        handshake(sc);
    else
        con_printf("objects: no handshake, the worker could not be started\n");
}

static void revoke_portal(nova_sel pt)
{
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, pt, 0, 0x1f), true), NOVA_OK);
    if (CHECK_EMPTY(pt))
        con_printf("objects: revoked PT at sel %lu, lookup reports type 0\n", pt);
}

void test_objects(const struct nova_hip *hip)
{
    nova_sel pd = sel_alloc();
    CHECK_STATUS(nova_create_pd(pd, NOVA_SEL_ROOT_PD), NOVA_OK);
    created("PD", pd, NOVA_OBJ_PD, NOVA_PERM_PD_ALL);
    wake_sm = make_sm();
    nova_sel pt = make_portal(pd);
    park_sm = make_sm();
    start_worker();
    revoke_portal(pt);
}
