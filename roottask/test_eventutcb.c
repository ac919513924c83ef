// SPDX-License-Identifier: MIT
// Test "eventutcb": an event leaves the UTCB of the EC that raised it as it was.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "pages.h"
#include "tests.h"
#include "thread.h"

/*
 * docs/abi.md, events: the faulting EC waits, the handler gets its state, and "the reply
 * writes back the groups the handler leaves in head.mtd"; typed items in the reply are
 * delegated within the faulting EC's receive windows. Nothing there writes the faulting
 * EC's UTCB, and the kernel does not copy the reply's untyped words into it. An EC may be
 * building a message in its UTCB when it faults (or is recalled): the event must not change
 * that message. Two events: a handler that only skips a ud2, and a pager-like handler that
 * replies with a typed item.
 */

#define EU_PRIO       40
#define EU_QUANTUM_US 10000
#define EU_UD         6
#define EU_PF         14
#define EU_PAGE_VA    0x70000000ull // unmapped until the page-fault handler maps it
#define EU_WORDS      32            // the EC's message: more words than an event's state
#define EU_MTD        (NOVA_MTD_QUAL | NOVA_MTD_RIP)

static uint64_t ud_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t pf_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t ec_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static struct portal ud, pf;
static nova_sel park_sm;
static volatile bool ec_done, kept[2];

static uint64_t word(unsigned i)
{
    return 0xe0e0000000000000ull | i;
}

// A message in the making: EU_WORDS untyped words and one typed item after them.
static void prepare(struct nova_utcb *u)
{
    for (unsigned i = 0; i < EU_WORDS; i++)
        u->msg[i] = word(i);
    u->head.untyped = EU_WORDS;
    u->head.typed = 0;
    msg_add_item(u, NOVA_CRD(NOVA_CRD_OBJ, park_sm, 0, 0x1f), 0x1234);
}

static bool unchanged(struct nova_utcb *u)
{
    bool ok = u->head.untyped == EU_WORDS && u->head.typed == 1;
    for (unsigned i = 0; i < EU_WORDS; i++)
        ok = ok && u->msg[i] == word(i);
    const struct nova_typed_item *it = msg_items(u);
    ok = ok && it[0].crd == NOVA_CRD(NOVA_CRD_OBJ, park_sm, 0, 0x1f) && it[0].dest == 0x1234;
    if (!ok)
        con_printf("eventutcb: now untyped %u, typed %u, msg[21] %#lx, msg[22] %#lx\n",
                   u->head.untyped, u->head.typed, u->msg[21], u->msg[22]);
    return ok;
}

static _Noreturn void on_ud(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)ud.utcb->msg;
    s->rip += 2;
    ud.utcb->head.mtd = NOVA_MTD_RIP;
    reply_or_park(park_sm);
}

static _Noreturn void on_pf(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)pf.utcb->msg;
    uint64_t phys = pages_alloc(1);
    if (!phys || s->fault_addr != EU_PAGE_VA)
        thread_park(park_sm);
    pf.utcb->head.mtd = 0;
    pf.utcb->head.typed = 0;
    msg_add_item(pf.utcb, NOVA_CRD(NOVA_CRD_MEM, pages_vpn(phys), 0, 0x3), EU_PAGE_VA >> 12);
    reply_or_park(park_sm);
}

static _Noreturn void builder(struct nova_utcb *u)
{
    u->head.recv_mem = NOVA_CRD(NOVA_CRD_MEM, EU_PAGE_VA >> 12, 0, 0x3);
    prepare(u);
    __asm__ volatile("ud2" ::: "memory");
    kept[0] = unchanged(u);
    prepare(u);
    *(volatile uint64_t *)EU_PAGE_VA = 1;
    kept[1] = unchanged(u);
    ec_done = true;
    thread_park(park_sm);
}

static bool setup(nova_sel base)
{
    park_sm = sel_alloc();
    return CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(portal_create(&ud, on_ud, ud_stack, THREAD_STACK_WORDS, EU_MTD), NOVA_OK) &&
           CHECK_STATUS(portal_create(&pf, on_pf, pf_stack, THREAD_STACK_WORDS, EU_MTD), NOVA_OK) &&
           CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, NOVA_CRD(NOVA_CRD_OBJ, ud.pt, 0, 0x1f),
                                      base + EU_UD),
                        NOVA_OK) &&
           CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, NOVA_CRD(NOVA_CRD_OBJ, pf.pt, 0, 0x1f),
                                      base + EU_PF),
                        NOVA_OK);
}

void test_eventutcb(const struct nova_hip *hip)
{
    nova_sel base = sel_alloc_block(64), ec = sel_alloc(), sc = sel_alloc();
    if (!setup(base) ||
        !CHECK_STATUS(thread_create_evt(ec, builder, ec_stack, THREAD_STACK_WORDS, base),
                      NOVA_OK) ||
        !CHECK_STATUS(nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, EU_PRIO, EU_QUANTUM_US), NOVA_OK))
        return;
    CHECK(ec_done);
    if (CHECK(kept[0]))
        con_printf("eventutcb: a #UD handler's reply left the EC's message as it was\n");
    if (CHECK(kept[1]))
        con_printf("eventutcb: a pager's reply with an item left the EC's message as it was\n");
}
