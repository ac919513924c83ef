// SPDX-License-Identifier: MIT
// Supervision: start-up and exception events, exits, teardown and restarts of programs.
#include "supervise.h"
#include "alloc.h"
#include "check.h"
#include "handlers.h"
#include "loader.h"
#include "memsvc.h"
#include "namesvc.h"
#include "nova-user/console.h"
#include "nova-user/services.h"
#include "nova-user/start_info.h"
#include "pool.h"
#include "service.h"
#include "thread.h"

// Above every program (prio= allows up to 63, and an equal priority does not preempt the
// supervisor): a program that spins cannot keep its supervisor from tearing it down.
#define SUPERVISOR_PRIO        63
#define SUPERVISOR_QUANTUM_US  10000
#define SUPERVISOR_STACK_WORDS 4096

static uint64_t supervisor_stack[SUPERVISOR_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel done_sm;

static const char *const vector_names[32] = {
    "#DE divide error",
    "#DB debug",
    "NMI",
    "#BP breakpoint",
    "#OF overflow",
    "#BR bound range",
    "#UD invalid opcode",
    "#NM device not available",
    "#DF double fault",
    "coprocessor segment overrun",
    "#TS invalid TSS",
    "#NP segment not present",
    "#SS stack fault",
    "#GP general protection",
    "#PF page fault",
    "reserved",
    "#MF x87 floating point",
    "#AC alignment check",
    "#MC machine check",
    "#XM SIMD floating point",
    "#VE virtualization",
    "#CP control protection",
    [28] = "#HV hypervisor injection",
    [29] = "#VC VMM communication",
    [30] = "#SX security",
};

static const char *vector_name(uint64_t v)
{
    return v < 32 && vector_names[v] ? vector_names[v] : "reserved";
}

// ---- Events, in the service EC of the program's CPU ----

/*
 * The main EC's start-up event sets what create_ec cannot: RSI. Any later event is an
 * exception: the program is marked for the supervisor and its EC sent to the park stub,
 * where it blocks until the teardown (it must not run on, and the service EC must not
 * block: it serves every program of its CPU).
 */
_Noreturn void supervise_event(struct program *p, struct nova_utcb *u)
{
    struct nova_evt_state *s = (struct nova_evt_state *)u->msg;
    sys_lock();
    bool startup = s->vector == NOVA_EVT_STARTUP && p->state == PROG_RUNNING && !p->started;
    bool ring = !startup && p->state == PROG_RUNNING;
    if (startup)
        p->started = true;
    if (ring) {
        p->fault = *s;
        p->state = PROG_FAULTED;
    }
    sys_unlock();
    if (startup) {
        s->rip = p->entry;
        s->rsp = NOVA_PROG_STACK_TOP;
        s->rdi = NOVA_PROG_UTCB;
        s->rsi = NOVA_PROG_INFO;
        s->rbp = 0;
        u->head.mtd = NOVA_MTD_RIP | NOVA_MTD_RSP | NOVA_MTD_GPR_BSD;
    } else {
        s->rip = NOVA_PROG_PARK_STUB;
        s->rsp = NOVA_PROG_STACK_TOP;
        u->head.mtd = NOVA_MTD_RIP | NOVA_MTD_RSP;
    }
    u->head.typed = 0;
    if (ring)
        sys_ring();
    service_reply(u);
}

// SYS_EXIT: the program parks after the reply (lib/program.c); the supervisor takes over.
_Noreturn void supervise_sys(struct program *p, struct nova_utcb *u)
{
    uint64_t op = u->head.untyped ? u->msg[0] : 0, kernel_st = 0;
    int64_t status = u->head.untyped > 1 ? (int64_t)u->msg[1] : 0;
    bool ring = false;
    service_drop_items(u);
    if (op == SYS_HANDLER) {
        u->msg[0] = handlers_create(p, u, &kernel_st);
        u->msg[1] = kernel_st;
        u->head.untyped = 2;
        u->head.typed = 0;
        service_reply(u);
    }
    if (op == SYS_EXIT) {
        sys_lock();
        ring = p->state == PROG_RUNNING;
        if (ring) {
            p->state = PROG_EXITED;
            p->exit_status = status;
        }
        sys_unlock();
    }
    u->msg[0] = op == SYS_EXIT ? SVC_OK : SVC_BAD_OP;
    u->head.untyped = 1;
    u->head.typed = 0;
    if (ring)
        sys_ring();
    service_reply(u);
}

// ---- The supervisor ----

static void start(struct program *p)
{
    if (!loader_start(p))
        p->state = PROG_FAILED;
}

/*
 * Everything p held goes back: the free memory is what it was before p started, give or
 * take what the other programs took or gave back in the meantime (their ledgers tell).
 */
static void teardown(struct program *p)
{
    const char *name = p->cfg->name;
    namesvc_release_all(p);
    loader_release(p);
    memsvc_release_all(p);
    console_repair();
    uint64_t now = pool_free_pages(), others = programs_held();
    int64_t by_others = (int64_t)others - (int64_t)p->others_before;
    con_printf("root: free memory %lu pages\n", now);
    if (now == p->free_before)
        con_printf("root: memory after teardown of %s: %lu pages, before: %lu pages (equal)\n",
                   name, now, p->free_before);
    else
        con_printf("root: memory after teardown of %s: %lu pages, before: %lu pages (not equal: "
                   "the other programs %s %ld pages meanwhile)\n",
                   name, now, p->free_before, by_others > 0 ? "took" : "gave back",
                   by_others > 0 ? by_others : -by_others);
    CHECK((int64_t)p->free_before - by_others == (int64_t)now); // else p leaked pages
}

static void faulted(struct program *p)
{
    const struct nova_evt_state *s = &p->fault;
    const struct cfg_program *c = p->cfg;
    con_printf("root: program %s faulted: vector %lu (%s) at rip 0x%lx, address 0x%lx\n", c->name,
               s->vector, vector_name(s->vector), s->rip, s->fault_addr);
    teardown(p);
    p->state = PROG_ENDED;
    if (c->restart_on_fault && p->restarts < c->restarts) {
        p->restarts++;
        con_printf("root: restarting %s (%u of %u)\n", c->name, p->restarts, c->restarts);
        start(p);
    } else {
        con_printf("root: %s will not be restarted\n", c->name);
    }
}

static void exited(struct program *p)
{
    con_printf("root: program %s exited with status %ld\n", p->cfg->name, p->exit_status);
    teardown(p);
    p->state = PROG_ENDED;
}

// Servers (programs that provide a service) run on for their clients.
static bool all_ended(unsigned *serving)
{
    bool ended = true;
    *serving = 0;
    for (unsigned i = 0; i < program_count; i++) {
        const struct program *p = &programs[i];
        bool over = p->state == PROG_ENDED || p->state == PROG_FAILED;
        if (p->cfg->provides_count)
            *serving += !over;
        else
            ended = ended && over;
    }
    return ended;
}

static _Noreturn void supervisor(struct nova_utcb *u)
{
    bool announced = false;
    sys_lock();
    for (unsigned i = 0; i < program_count; i++)
        start(&programs[i]);
    sys_unlock();
    for (;;) {
        unsigned serving;
        sys_lock();
        for (unsigned i = 0; i < program_count; i++) {
            if (programs[i].state == PROG_FAULTED)
                faulted(&programs[i]);
            else if (programs[i].state == PROG_EXITED)
                exited(&programs[i]);
        }
        bool done = all_ended(&serving);
        sys_unlock();
        if (done && !announced) {
            announced = true;
            con_printf("root: every program has ended, %u server(s) still running\n", serving);
            CHECK_STATUS(nova_sm_up(done_sm), NOVA_OK);
        }
        sys_wait();
    }
}

void supervise_run(void)
{
    nova_sel ec = sel_alloc(), sc = sel_alloc();
    done_sm = sel_alloc();
    if (!CHECK_STATUS(nova_create_sm(done_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(thread_create(ec, supervisor, supervisor_stack, SUPERVISOR_STACK_WORDS),
                      NOVA_OK) ||
        !CHECK_STATUS(
            nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, SUPERVISOR_PRIO, SUPERVISOR_QUANTUM_US),
            NOVA_OK))
        return;
    CHECK_STATUS(nova_sm_down(done_sm), NOVA_OK);
}
