// SPDX-License-Identifier: MIT
// Test "fault": threads that raise exceptions end, and the root task goes on.
#include <stdbool.h>
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"
#include "thread.h"

// Above the root's 32: create_sc runs the thread at once and returns only after it ended.
#define FAULT_PRIO       48
#define FAULT_QUANTUM_US 10000

// Far below the image at 0x400000 and above the null page: nothing is mapped there.
#define UNMAPPED 0x1000ul

// What each thread got to: reached before its exception, survived after it (must stay 0).
struct progress {
    volatile bool reached, survived;
};

static struct progress pf, ud;
static nova_sel park_sm;
static uint64_t pf_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t ud_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));

// A thread the kernel failed to end must not spin at a priority above the root's.
static _Noreturn void survived(struct progress *p)
{
    p->survived = true;
    thread_park(park_sm);
}

static _Noreturn void page_fault(struct nova_utcb *utcb)
{
    pf.reached = true;
    *(volatile int *)UNMAPPED = 1;
    survived(&pf);
}

static _Noreturn void invalid_opcode(struct nova_utcb *utcb)
{
    ud.reached = true;
    __asm__ volatile("ud2");
    survived(&ud);
}

static void run_faulting(const char *what, thread_fn *fn, uint64_t *stack, struct progress *p)
{
    nova_sel ec = sel_alloc(), sc = sel_alloc();
    uint64_t time = 0;
    con_printf("fault: starting a thread that raises %s\n", what);
    if (!CHECK_STATUS(thread_create(ec, fn, stack, THREAD_STACK_WORDS), NOVA_OK))
        return;
    CHECK_STATUS(nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, FAULT_PRIO, FAULT_QUANTUM_US), NOVA_OK);
    CHECK(p->reached);
    CHECK(!p->survived);
    // The killed EC lives on while capabilities name it (docs/abi.md, objects).
    CHECK_OBJECT(ec, NOVA_OBJ_EC, NOVA_PERM_EC_ALL);
    CHECK_STATUS(nova_sc_ctrl(sc, &time), NOVA_OK);
    CHECK(time > 0);
}

void test_fault(const struct nova_hip *hip)
{
    park_sm = sel_alloc();
    CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    run_faulting("a page fault", page_fault, pf_stack, &pf);
    con_printf("fault: root still running\n");
    run_faulting("an invalid opcode (ud2)", invalid_opcode, ud_stack, &ud);
    con_printf("fault: root still running after ud2\n");
    // The kernel still creates objects after killing two ECs.
    nova_sel sm = sel_alloc();
    CHECK_STATUS(nova_create_sm(sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    CHECK_OBJECT(sm, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
}
