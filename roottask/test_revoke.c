// SPDX-License-Identifier: MIT
// Test "revoke": memory, a capability and a port taken back from children; the faults after.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "child.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "pages.h"
#include "tests.h"

#define REV_CHILD_VA  0x30000000ull // the page in the child
#define REV_ALIAS_VA  0x60000000ull // the same page in the root, in a node of its own
#define REV_SEL_SM    CHILD_SEL_FREE
#define REV_SEL_GO    (CHILD_SEL_FREE + 1) // in the child and, another SM, in the grandchild
#define REV_SEL_GRAND (CHILD_SEL_FREE + 2) // the child's capability to the grandchild PD
#define REV_GRAND_VA  0x38000000ull        // where the child delegates the page on
#define REV_WORDS     (PAGE_SIZE / 8)
#define PF_VECTOR     14
#define PF_CHILD      0 // portal ids of the page-fault handler: whose fault it is
#define PF_ROOT       1
#define GP_VECTOR     13
#define REV_PORT      0x80 // POST codes: harmless to read

static uint64_t handler_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static struct portal pf; // the child EC's page-fault portal: a handler in the root PD
static nova_sel park_sm; // where the handler blocks if its reply fails

// What the handler saw, in the root's globals.
static struct pf_seen {
    unsigned count;
    uint64_t vector, addr, error, fresh;
} volatile pf_seen[2];

// What the child did, in the child's globals.
static volatile unsigned rev_phase;
static volatile unsigned rev_type_before, rev_type_after;
static volatile enum nova_status rev_pass_on;

// The I/O part: the #GP handler's record (root), and the port child's (its own globals).
static uint64_t gp_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static struct portal gp;
static volatile unsigned gp_count;
static volatile uint64_t gp_vector, gp_insn;
static volatile unsigned port_phase;

// What the grandchild saw, in the grandchild's globals.
static volatile unsigned grand_phase;
static volatile uint64_t grand_word, grand_crd[2], grand_phys[2];

static uint64_t pattern(uint64_t i, uint64_t round)
{
    return 0xa5a5000000000000ull ^ round << 32 ^ i;
}

static void fill(volatile uint64_t *p, uint64_t round)
{
    for (uint64_t i = 0; i < REV_WORDS; i++)
        p[i] = pattern(i, round);
}

static bool holds(const volatile uint64_t *p, uint64_t round)
{
    for (uint64_t i = 0; i < REV_WORDS; i++)
        if (p[i] != pattern(i, round))
            return false;
    return true;
}

static unsigned type_of(nova_sel sel)
{
    unsigned type = ~0u;
    CHECK_STATUS(nova_lookup(sel, &type, 0), NOVA_OK);
    return type;
}

// Child code: fills the page, waits for the revoke, touches the page again.
static _Noreturn void rev_child(struct nova_utcb *u)
{
    fill((volatile uint64_t *)REV_CHILD_VA, 1);
    rev_type_before = type_of(REV_SEL_SM);
    nova_crd page = NOVA_CRD(NOVA_CRD_MEM, REV_CHILD_VA >> PAGE_SHIFT, 0, 0x3);
    rev_pass_on = nova_delegate(REV_SEL_GRAND, page, REV_GRAND_VA >> PAGE_SHIFT);
    u->head.recv_mem = NOVA_CRD(NOVA_CRD_MEM, REV_CHILD_VA >> PAGE_SHIFT, 0, 0x7);
    rev_phase = 1;
    CHECK_STATUS(nova_sm_down(REV_SEL_GO), NOVA_OK);
    rev_type_after = type_of(REV_SEL_SM);
    fill((volatile uint64_t *)REV_CHILD_VA, 2); // faults: the page is gone
    rev_phase = 2;
    child_park();
}

// Grandchild code: sees the page, and after the revoke no longer has it.
static _Noreturn void grand_child(struct nova_utcb *u)
{
    grand_word = *(volatile uint64_t *)REV_GRAND_VA;
    CHECK_STATUS(
        nova_lookup_mem(REV_GRAND_VA, (nova_crd *)&grand_crd[0], (uint64_t *)&grand_phys[0]),
        NOVA_OK);
    grand_phase = 1;
    CHECK_STATUS(nova_sm_down(REV_SEL_GO), NOVA_OK);
    CHECK_STATUS(
        nova_lookup_mem(REV_GRAND_VA, (nova_crd *)&grand_crd[1], (uint64_t *)&grand_phys[1]),
        NOVA_OK);
    grand_phase = 2;
    child_park();
}

// inb $0x80, %al: two bytes, e4 80.
static void read_port(void)
{
    __asm__ volatile("inb %0, %%al" ::"i"(REV_PORT) : "rax");
}

// Port child code: reads its port, waits for the revoke, reads it again (#GP).
static _Noreturn void port_child(struct nova_utcb *u)
{
    read_port();
    port_phase = 1;
    CHECK_STATUS(nova_sm_down(REV_SEL_GO), NOVA_OK);
    read_port(); // the handler skips it
    port_phase = 2;
    child_park();
}

// Root code, the port child's #GP handler: skips the two-byte inb.
static _Noreturn void rev_gp(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)gp.utcb->msg;
    gp_count++, gp_vector = s->vector;
    gp_insn = *(const volatile uint8_t *)(uintptr_t)s->rip;
    if (gp_count > 1)
        thread_park(park_sm); // skipping again would hide the problem
    s->rip += 2;
    gp.utcb->head.mtd = NOVA_MTD_RIP;
    reply_or_park(park_sm);
}

// Root code, the page-fault handler of the child (portal id PF_CHILD) and of the root itself
// (PF_ROOT): maps a fresh page, filled with pattern round 3, where the fault was.
static _Noreturn void rev_pf(uint64_t id)
{
    struct nova_utcb *u = pf.utcb;
    const struct nova_evt_state *s = (const void *)u->msg;
    volatile struct pf_seen *seen = &pf_seen[id == PF_ROOT];
    seen->count++, seen->vector = s->vector, seen->addr = s->fault_addr, seen->error = s->error;
    con_printf("revoke: %s faulted at %#lx (vector %lu, error %#lx, rip %#lx)\n",
               id == PF_ROOT ? "root" : "child", s->fault_addr, s->vector, s->error, s->rip);
    if (seen->count > 1 || !(seen->fresh = pages_alloc(1)))
        thread_park(park_sm); // a fault here again would repeat for ever
    fill(pages_virt(seen->fresh), 3);
    u->head.mtd = 0; // no register changes: the access runs again
    u->head.typed = 0;
    msg_add_item(u, NOVA_CRD(NOVA_CRD_MEM, pages_vpn(seen->fresh), 0, 0x3),
                 s->fault_addr >> PAGE_SHIFT);
    reply_or_park(park_sm);
}

// The page goes to the child through an alias of its own, so that revoking it takes back
// that page only, not everything derived from the big free-memory block the kernel gave.
static uint64_t share_page(struct child *c)
{
    uint64_t phys = pages_alloc(1), alias = REV_ALIAS_VA >> PAGE_SHIFT;
    if (!CHECK(phys != 0))
        return 0;
    nova_crd from_window = NOVA_CRD(NOVA_CRD_MEM, pages_vpn(phys), 0, 0x3);
    nova_crd from_alias = NOVA_CRD(NOVA_CRD_MEM, alias, 0, 0x3);
    if (!CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, from_window, alias), NOVA_OK) ||
        !CHECK_STATUS(nova_delegate(c->pd, from_alias, REV_CHILD_VA >> PAGE_SHIFT), NOVA_OK))
        return 0;
    return phys;
}

static bool setup(struct child *c, nova_sel sm, nova_sel go)
{
    park_sm = sel_alloc();
    return CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_sm(sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_sm(go, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(c, sm, REV_SEL_SM), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(c, go, REV_SEL_GO), NOVA_OK) &&
           CHECK_STATUS(portal_create(&pf, rev_pf, handler_stack, THREAD_STACK_WORDS,
                                      NOVA_MTD_QUAL | NOVA_MTD_RIP),
                        NOVA_OK) &&
           CHECK_STATUS(child_give_cap(c, pf.pt, CHILD_SEL_EVT_BASE + PF_VECTOR), NOVA_OK);
}

// Memory without SELF: the child's mapping goes, the root's stays.
static void revoke_both(uint64_t phys, nova_sel sm)
{
    uint64_t alias = REV_ALIAS_VA >> PAGE_SHIFT, got = 0;
    nova_crd crd = 0;
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_MEM, alias, 0, 0x1f), false), NOVA_OK);
    CHECK_STATUS(nova_lookup_mem(REV_ALIAS_VA, &crd, &got), NOVA_OK);
    if (CHECK(crd == NOVA_CRD(NOVA_CRD_MEM, alias, 0, 0x3)) && CHECK(got == phys))
        con_printf("revoke: root still maps its page at %#llx (phys %#lx)\n", REV_ALIAS_VA, got);
    CHECK(holds((const volatile uint64_t *)REV_ALIAS_VA, 1));
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, sm, 0, 0x1f), false), NOVA_OK);
    CHECK_OBJECT(sm, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
}

// With SELF the root's alias goes too; the free-memory block it came from stays. The root
// reads the alias just before, so a stale TLB entry would let the read after it through:
// instead it faults (a portal at the root's own event base, 0 + 14), and the handler maps a
// fresh page there, in the root EC's receive window.
static void revoke_alias(uint64_t phys)
{
    struct nova_utcb *u = (struct nova_utcb *)NOVA_ROOT_UTCB;
    nova_crd crd = ~0ull;
    uint64_t got = ~0ull, ip = (uint64_t)(uintptr_t)rev_pf;
    if (!CHECK_STATUS(
            nova_create_pt(PF_VECTOR, NOVA_SEL_ROOT_PD, pf.ec, NOVA_MTD_QUAL | NOVA_MTD_RIP, ip),
            NOVA_OK) ||
        !CHECK_STATUS(nova_pt_ctrl(PF_VECTOR, PF_ROOT), NOVA_OK))
        return;
    u->head.recv_mem = NOVA_CRD(NOVA_CRD_MEM, REV_ALIAS_VA >> PAGE_SHIFT, 0, 0x3);
    CHECK(holds((const volatile uint64_t *)REV_ALIAS_VA, 1));
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_MEM, REV_ALIAS_VA >> PAGE_SHIFT, 0, 0), true),
                 NOVA_OK);
    CHECK_STATUS(nova_lookup_mem(REV_ALIAS_VA, &crd, &got), NOVA_OK);
    CHECK(crd == 0 && got == 0);
    if (CHECK(holds((const volatile uint64_t *)REV_ALIAS_VA, 3)) && CHECK(pf_seen[1].count == 1) &&
        CHECK(pf_seen[1].addr == REV_ALIAS_VA && pf_seen[1].error == 0x4))
        con_printf("revoke: the root's own read after the revoke faulted\n");
    CHECK_STATUS(nova_lookup_mem((uintptr_t)pages_virt(phys), &crd, &got), NOVA_OK);
    if (CHECK(crd != 0 && got == phys) && CHECK(holds(pages_virt(phys), 1)))
        con_printf("revoke: with SELF the root's alias went, its free memory stayed\n");
}

static void after(const struct child *c, uint64_t phys)
{
    CHECK(CHILD_GET(c, rev_phase) == 2);
    const volatile struct pf_seen *seen = &pf_seen[0];
    CHECK(seen->count == 1 && seen->vector == PF_VECTOR && seen->addr == REV_CHILD_VA);
    CHECK(seen->error == 0x6); // user-mode write to a page not present
    if (CHECK(CHILD_GET(c, rev_type_after) == NOVA_OBJ_NULL))
        con_printf("revoke: the child's lookup of the revoked SM reports type 0\n");
    CHECK(seen->fresh != 0 && holds(pages_virt(seen->fresh), 2));
    // What the child wrote after the revoke did not reach the old page.
    CHECK(holds(pages_virt(phys), 1));
}

// The grandchild PD: its capability goes to the child, which passes the page on.
static bool setup_grand(struct child *c, struct child *g, nova_sel go)
{
    return child_create(g, CHILD_CONSOLE) &&
           CHECK_STATUS(nova_create_sm(go, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(g, go, REV_SEL_GO), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(c, g->pd, REV_SEL_GRAND), NOVA_OK);
}

static void grand_before(struct child *g, uint64_t phys)
{
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, REV_GRAND_VA >> PAGE_SHIFT, 0, 0x3);
    if (!CHECK_STATUS(child_thread(g, grand_child, CHILD_SEL_EVT_BASE), NOVA_OK))
        return;
    CHECK(CHILD_GET(g, grand_phase) == 1 && CHILD_GET(g, grand_word) == pattern(0, 1));
    if (CHECK(CHILD_GET(g, grand_crd[0]) == crd) && CHECK(CHILD_GET(g, grand_phys[0]) == phys))
        con_printf("revoke: the child passed the page on to a grandchild PD\n");
}

static void grand_after(struct child *g, nova_sel go)
{
    CHECK_STATUS(nova_sm_up(go), NOVA_OK);
    CHECK(CHILD_GET(g, grand_phase) == 2);
    if (CHECK(CHILD_GET(g, grand_crd[1]) == 0) && CHECK(CHILD_GET(g, grand_phys[1]) == 0))
        con_printf("revoke: the grandchild lost the page too\n");
    child_collect_failures(g);
}

// A child without the console, with one port; its #GP portal leads to the root.
static bool setup_port(struct child *io, nova_sel go)
{
    return child_create(io, 0) && CHECK_STATUS(nova_create_sm(go, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(io, go, REV_SEL_GO), NOVA_OK) &&
           CHECK_STATUS(nova_delegate(io->pd, NOVA_CRD(NOVA_CRD_IO, REV_PORT, 0, 1), 0), NOVA_OK) &&
           CHECK_STATUS(portal_create(&gp, rev_gp, gp_stack, THREAD_STACK_WORDS,
                                      NOVA_MTD_QUAL | NOVA_MTD_RIP),
                        NOVA_OK) &&
           CHECK_STATUS(child_give_cap(io, gp.pt, CHILD_SEL_EVT_BASE + GP_VECTOR), NOVA_OK) &&
           CHECK_STATUS(child_thread(io, port_child, CHILD_SEL_EVT_BASE), NOVA_OK);
}

// Without SELF: every port derived from the root's goes (the other children's too), the
// root keeps its own and with them the console.
static void revoke_port(void)
{
    struct child io;
    nova_sel go = sel_alloc();
    if (!setup_port(&io, go) || !CHECK(CHILD_GET(&io, port_phase) == 1))
        return;
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_IO, REV_PORT, 0, 0), false), NOVA_OK);
    CHECK_STATUS(nova_sm_up(go), NOVA_OK);
    CHECK(CHILD_GET(&io, port_phase) == 2);
    if (CHECK(gp_count == 1 && gp_vector == GP_VECTOR && gp_insn == 0xe4))
        con_printf("revoke: the child's port access after the I/O revoke raised #GP\n");
    child_collect_failures(&io);
}

void test_revoke(const struct nova_hip *hip)
{
    struct child c, g;
    nova_sel sm = sel_alloc(), go = sel_alloc(), grand_go = sel_alloc();
    if (!child_create(&c, CHILD_CONSOLE) || !setup(&c, sm, go) || !setup_grand(&c, &g, grand_go))
        return;
    uint64_t phys = share_page(&c);
    if (!phys || !CHECK_STATUS(child_thread(&c, rev_child, CHILD_SEL_EVT_BASE), NOVA_OK))
        return;
    if (!CHECK(CHILD_GET(&c, rev_phase) == 1))
        return;
    if (CHECK(holds(pages_virt(phys), 1)))
        con_printf("revoke: the root reads the child's pattern\n");
    CHECK(CHILD_GET(&c, rev_type_before) == NOVA_OBJ_SM);
    if (CHECK_STATUS(CHILD_GET(&c, rev_pass_on), NOVA_OK))
        grand_before(&g, phys);
    revoke_both(phys, sm);
    CHECK_STATUS(nova_sm_up(go), NOVA_OK); // the child runs until it parks
    after(&c, phys);
    grand_after(&g, grand_go);
    revoke_alias(phys);
    child_collect_failures(&c);
    revoke_port();
}
