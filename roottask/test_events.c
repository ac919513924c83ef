// SPDX-License-Identifier: MIT
// Test "events": start-up, exception and recall events as calls to portals at the event base.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"
#include "thread.h"

#define EV_PRIO       40 // above the root: an EC runs until it blocks or ends
#define EV_QUANTUM_US 10000
#define EV_UD         6 // #UD, raised by ud2 (2 bytes)
#define EV_RAX_IN     0x1111
#define EV_RAX_OUT    0x600dcafe
#define EV_BAD_RIP    0xffffffff80000000ull // the kernel's half: no user RIP
#define EV_BAD_RSP    0x0000800000000000ull // the first non-canonical address
#define UD_MTD        (NOVA_MTD_GPR_ACDB | NOVA_MTD_RIP | NOVA_MTD_RFLAGS | NOVA_MTD_QUAL)
#define RFLAGS_CF     0x1ull
#define RFLAGS_IF     0x200ull

// Handlers: a local EC each, in the root PD.
static uint64_t startup_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t ud_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t recall_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t bad_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t dying_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static struct portal startup, ud, recall, bad, dying;
static nova_sel park_sm, wake_sm;

// The ECs that take the events.
static uint64_t worker_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t victim_stack[4][THREAD_STACK_WORDS] __attribute__((aligned(16)));

// What each side saw.
static volatile unsigned startup_runs, ud_runs, recall_runs, bad_runs;
static volatile uint64_t startup_rip, ud_rax, ud_vector, ud_insn, ud_words, ud_mtd, recall_vector;
static volatile uint64_t worker_rax, worker_rflags, worker_recalls;
static volatile bool startup_fresh, worker_started, worker_resumed, victim_reached[4],
    victim_survived[4];

static uint64_t raise_ud(uint64_t rax)
{
    __asm__ volatile("ud2" : "+a"(rax)::"memory");
    return rax;
}

// RFLAGS right after the ud2, as the handler left them. The push steps over the red zone
// (lea leaves the flags alone).
static uint64_t raise_ud_flags(uint64_t *rax)
{
    uint64_t flags;
    __asm__ volatile("ud2\n\tlea -128(%%rsp), %%rsp\n\tpushfq\n\tpopq %1\n\tlea 128(%%rsp), %%rsp"
                     : "+a"(*rax), "=r"(flags)::"memory", "cc");
    return flags;
}

// Starts where the start-up handler says, with RDI = its UTCB as every EC.
static _Noreturn void worker(struct nova_utcb *u)
{
    uint64_t rax = EV_RAX_IN;
    worker_started = true;
    worker_rflags = raise_ud_flags(&rax);
    worker_rax = rax;
    CHECK_STATUS(nova_sm_down(wake_sm), NOVA_OK);
    worker_recalls = recall_runs; // the recall came before this line ran
    worker_resumed = true;
    thread_park(park_sm);
}

// A new EC: every general register zero but RSP (as created) and RDI (its UTCB).
static bool fresh_registers(const struct nova_evt_state *s)
{
    uint64_t any = s->rax | s->rcx | s->rdx | s->rbx | s->rbp | s->rsi;
    any |= s->r8 | s->r9 | s->r10 | s->r11 | s->r12 | s->r13 | s->r14 | s->r15;
    return any == 0 && s->rdi != 0 && (s->rdi & 0xfff) == 0 &&
           s->rsp == thread_stack_top(worker_stack, THREAD_STACK_WORDS);
}

static _Noreturn void on_startup(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)startup.utcb->msg;
    startup_runs++, startup_rip = s->rip, startup_fresh = fresh_registers(s);
    s->rip = (uint64_t)(uintptr_t)worker;
    s->rsp = thread_stack_top(worker_stack, THREAD_STACK_WORDS);
    startup.utcb->head.mtd = NOVA_MTD_RIP | NOVA_MTD_RSP;
    reply_or_park(park_sm);
}

// RAX changes and the ud2 is skipped; RCX, RDX and RBX go back as they came. CF is set, and
// IF cleared, which the kernel must not let through.
static _Noreturn void on_ud(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)ud.utcb->msg;
    ud_runs++, ud_rax = s->rax, ud_vector = s->vector;
    ud_words = ud.utcb->head.untyped, ud_mtd = ud.utcb->head.mtd;
    ud_insn = *(const volatile uint16_t *)(uintptr_t)s->rip;
    s->rax = EV_RAX_OUT;
    s->rip += 2;
    s->rflags = (s->rflags | RFLAGS_CF) & ~RFLAGS_IF;
    ud.utcb->head.mtd = NOVA_MTD_GPR_ACDB | NOVA_MTD_RIP | NOVA_MTD_RFLAGS;
    reply_or_park(park_sm);
}

static _Noreturn void on_recall(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)recall.utcb->msg;
    recall_runs++, recall_vector = s->vector;
    recall.utcb->head.mtd = 0;
    reply_or_park(park_sm);
}

// Portal id 0: a kernel RIP, id 1: a non-canonical RSP. Either ends the EC.
static _Noreturn void on_bad(uint64_t id)
{
    struct nova_evt_state *s = (struct nova_evt_state *)bad.utcb->msg;
    bad_runs++;
    s->rip = id == 0 ? EV_BAD_RIP : s->rip;
    s->rsp = id == 0 ? s->rsp : EV_BAD_RSP;
    bad.utcb->head.mtd = NOVA_MTD_RIP | NOVA_MTD_RSP;
    reply_or_park(park_sm);
}

// A handler that ends itself: it raises #UD, and its own event base has no portal.
static _Noreturn void on_ud_dying(uint64_t id)
{
    __asm__ volatile("ud2");
    reply_or_park(park_sm);
}

static _Noreturn void victim(unsigned i)
{
    victim_reached[i] = true;
    raise_ud(0);
    victim_survived[i] = true;
    thread_park(park_sm);
}

static _Noreturn void victim_rip(struct nova_utcb *u)
{
    victim(0);
}

static _Noreturn void victim_rsp(struct nova_utcb *u)
{
    victim(1);
}

static _Noreturn void victim_orphan(struct nova_utcb *u)
{
    victim(2);
}

// Root code from here on. A portal capability at an event selector: the root delegates its
// own capability to itself.
static bool place(nova_sel pt, nova_sel sel)
{
    return CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, NOVA_CRD(NOVA_CRD_OBJ, pt, 0, 0x1f), sel),
                        NOVA_OK);
}

static bool make_portals(nova_sel base)
{
    const unsigned n = THREAD_STACK_WORDS;
    return CHECK_STATUS(portal_create(&startup, on_startup, startup_stack, n, NOVA_MTD_ALL),
                        NOVA_OK) &&
           CHECK_STATUS(portal_create(&ud, on_ud, ud_stack, n, UD_MTD), NOVA_OK) &&
           CHECK_STATUS(
               portal_create(&recall, on_recall, recall_stack, n, NOVA_MTD_QUAL | NOVA_MTD_RIP),
               NOVA_OK) &&
           place(startup.pt, base + NOVA_EVT_STARTUP) && place(ud.pt, base + EV_UD) &&
           place(recall.pt, base + NOVA_EVT_RECALL);
}

// One handler, two portals: id 0 at base_rip's #UD, id 1 at base_rsp's; and a handler that
// ends at base_dying's #UD.
static bool make_bad_portals(nova_sel base_rip, nova_sel base_rsp, nova_sel base_dying)
{
    const uint64_t mtd = NOVA_MTD_RIP | NOVA_MTD_RSP, ip = (uint64_t)(uintptr_t)on_bad;
    return CHECK_STATUS(portal_create(&bad, on_bad, bad_stack, THREAD_STACK_WORDS, mtd), NOVA_OK) &&
           CHECK_STATUS(portal_create(&dying, on_ud_dying, dying_stack, THREAD_STACK_WORDS, 0),
                        NOVA_OK) &&
           place(dying.pt, base_dying + EV_UD) && place(bad.pt, base_rip + EV_UD) &&
           CHECK_STATUS(nova_create_pt(base_rsp + EV_UD, NOVA_SEL_ROOT_PD, bad.ec, mtd, ip),
                        NOVA_OK) &&
           CHECK_STATUS(nova_pt_ctrl(base_rsp + EV_UD, 1), NOVA_OK);
}

// Created with instruction pointer 0, the worker asks its start-up portal where to begin.
static bool start_worker(nova_sel ec, nova_sel base)
{
    nova_sel sc = sel_alloc();
    if (!CHECK_STATUS(thread_create_evt(ec, 0, worker_stack, THREAD_STACK_WORDS, base), NOVA_OK) ||
        !CHECK_STATUS(nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, EV_PRIO, EV_QUANTUM_US), NOVA_OK))
        return false;
    CHECK(startup_runs == 1 && startup_rip == 0 && startup_fresh);
    if (CHECK(worker_started))
        con_printf("events: the start-up handler set RIP and RSP, the EC started there\n");
    CHECK(ud_runs == 1 && ud_vector == EV_UD && ud_insn == 0x0b0f && ud_rax == EV_RAX_IN);
    CHECK(ud_words == NOVA_EVT_WORDS && ud_mtd == UD_MTD);
    if (CHECK(worker_rax == EV_RAX_OUT))
        con_printf("events: the #UD handler set RAX to %#lx and RIP past the ud2\n", worker_rax);
    if (CHECK(worker_rflags & RFLAGS_CF) && CHECK(worker_rflags & RFLAGS_IF))
        con_printf("events: RFLAGS written back with CF, and IF kept on\n");
    return true;
}

// The worker waits on wake_sm: the recall comes when it next runs, before its own code.
static void recall_worker(nova_sel ec)
{
    CHECK_STATUS(nova_ec_recall(ec), NOVA_OK);
    CHECK(recall_runs == 0);
    CHECK_STATUS(nova_sm_up(wake_sm), NOVA_OK);
    CHECK(worker_resumed && recall_runs == 1 && recall_vector == NOVA_EVT_RECALL);
    if (CHECK(worker_recalls == 1))
        con_printf("events: the recall reached its handler before the EC ran again\n");
}

// The root's event base is 0, and selector NOVA_EVT_RECALL is empty: the recall is dropped.
static void recall_unhandled(void)
{
    if (!CHECK_EMPTY(NOVA_EVT_RECALL))
        return;
    CHECK_STATUS(nova_ec_recall(NOVA_SEL_ROOT_EC), NOVA_OK);
    con_printf("events: a recall without a portal is dropped, the root goes on\n");
}

// A victim EC that the kernel ends; it reaches its ud2 if fn is not NULL.
static bool run_victim(unsigned i, thread_fn *fn, nova_sel base)
{
    nova_sel ec = sel_alloc(), sc = sel_alloc();
    if (!CHECK_STATUS(thread_create_evt(ec, fn, victim_stack[i], THREAD_STACK_WORDS, base),
                      NOVA_OK) ||
        !CHECK_STATUS(nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, EV_PRIO, EV_QUANTUM_US), NOVA_OK))
        return false;
    CHECK_OBJECT(ec, NOVA_OBJ_EC, NOVA_PERM_EC_ALL);
    return CHECK(victim_reached[i] == (fn != 0)) && CHECK(!victim_survived[i]);
}

// Each of these ends the EC with a kernel report, and the root goes on.
static void run_victims(nova_sel base_rip, nova_sel base_rsp, nova_sel base_dying,
                        nova_sel base_none)
{
    if (run_victim(0, victim_rip, base_rip) && CHECK(bad_runs == 1))
        con_printf("events: a reply with a kernel RIP ended the EC\n");
    if (run_victim(1, victim_rsp, base_rsp) && CHECK(bad_runs == 2))
        con_printf("events: a reply with a non-canonical RSP ended the EC\n");
    if (run_victim(2, victim_orphan, base_dying))
        con_printf("events: a handler that ended during the event took the EC with it\n");
    if (run_victim(3, 0, base_none))
        con_printf("events: a start-up event without a portal ended the EC\n");
}

void test_events(const struct nova_hip *hip)
{
    nova_sel base = sel_alloc_block(64), base_rip = sel_alloc_block(64);
    nova_sel base_rsp = sel_alloc_block(64), base_dying = sel_alloc_block(64);
    nova_sel base_none = sel_alloc_block(64), worker_ec = sel_alloc();
    park_sm = sel_alloc(), wake_sm = sel_alloc();
    if (!CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(nova_create_sm(wake_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !make_portals(base) || !make_bad_portals(base_rip, base_rsp, base_dying))
        return;
    if (start_worker(worker_ec, base))
        recall_worker(worker_ec);
    recall_unhandled();
    run_victims(base_rip, base_rsp, base_dying, base_none);
    con_printf("events: root still running\n");
}
