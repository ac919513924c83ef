// SPDX-License-Identifier: MIT
// Portal calls and replies, message transfer, and events delivered as calls.
#include "kernel/ipc.h"
#include "arch/x86/cpu.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/paging.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/pd.h"
#include "kernel/pt.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "kernel/xfer.h"
#include "lib/string.h"
#include "nova/caps.h"
#include "nova/utcb.h"
#include "nova/vcpu.h"

#define RFLAGS_IF       0x200ull
#define RFLAGS_FIXED    0x2ull
#define RFLAGS_USER     0xcd5ull // CF PF AF ZF SF TF DF OF: what user code may change
#define SYSCALL_INSN_LEN 2

static bool busy(const struct ec *h) { return h->state != EC_IDLE || h->caller; }

// True if h already serves ec's chain: waiting for h would wait forever.
static bool in_chain(const struct ec *ec, const struct ec *h)
{
    for (; ec; ec = ec->caller)
        if (ec == h)
            return true;
    return false;
}

static void enqueue_waiter(struct ec *h, struct ec *w)
{
    w->state = EC_QUEUED;
    w->waiting_for = h;
    w->wait_next = 0;
    if (h->waiters)
        h->last->wait_next = w;
    else
        h->waiters = w;
    h->last = w;
}

// The handler is free again: the first EC that waited for it tries once more.
static void wake_waiter(struct ec *h)
{
    struct ec *w = h->waiters;
    if (!w)
        return;
    h->waiters = w->wait_next;
    w->wait_next = 0;
    w->waiting_for = 0;
    sched_wake(w);
}

static void remove_waiter(struct ec *w)
{
    struct ec *h = w->waiting_for, **pp = &h->waiters, *prev = 0;
    while (*pp != w)
        prev = *pp, pp = &(*pp)->wait_next;
    *pp = w->wait_next;
    if (h->last == w)
        h->last = prev;
    w->waiting_for = 0;
    w->wait_next = 0;
}

static void start_handler(struct ec *caller, struct ec *h, const struct pt *pt, bool event)
{
    bool ok = kobj_get(&h->obj);
    assert(ok);
    caller->callee = h;
    caller->state = EC_CALLING;
    caller->in_event = event;
    h->caller = caller;
    h->regs.rip = pt->ip;
    h->regs.rsp = h->initial_sp;
    h->regs.rdi = pt->id;
    h->regs.rflags = RFLAGS_IF | RFLAGS_FIXED;
    h->regs.cs = SEL_UCODE;
    h->regs.ss = SEL_UDATA;
    h->state = EC_READY;
}

// The call of caller is over: the handler waits for the next one.
static void finish_call(struct ec *caller)
{
    struct ec *h = caller->callee;
    caller->callee = 0;
    caller->in_event = false;
    h->caller = 0;
    if (h->state == EC_READY)
        h->state = EC_IDLE;
    wake_waiter(h);
    kobj_put(&h->obj);
}

static enum nova_status check_words(const struct nova_utcb *u)
{
    uint64_t words = (uint64_t)u->head.untyped + 2ull * u->head.typed;
    return words <= NOVA_UTCB_WORDS ? NOVA_OK : NOVA_BAD_PAR;
}

static void copy_untyped(struct nova_utcb *to, const struct nova_utcb *from)
{
    to->head.untyped = from->head.untyped;
    if (from->head.untyped)
        memcpy(to->msg, from->msg, from->head.untyped * sizeof(uint64_t));
}

enum nova_status ipc_call(struct ec *caller, struct pt *pt)
{
    struct ec *h = pt->ec;
    if (h->cpu != caller->cpu)
        return NOVA_BAD_CPU;
    if (h->state == EC_DEAD)
        return NOVA_ABORTED;
    if (busy(h) && in_chain(caller, h))
        return NOVA_BUSY;
    enum nova_status st = check_words(caller->utcb);
    if (st != NOVA_OK)
        return st;
    if (busy(h)) { // try again once the handler is free: nothing is lost
        caller->regs.rip -= SYSCALL_INSN_LEN;
        enqueue_waiter(h, caller);
        return NOVA_OK;
    }
    st = xfer_items(caller->pd, caller->utcb, h->pd, h->utcb, true);
    if (st != NOVA_OK)
        return st;
    copy_untyped(h->utcb, caller->utcb);
    start_handler(caller, h, pt, false);
    return NOVA_OK;
}

static void state_to_utcb(struct nova_evt_state *s, const struct cpu_regs *r, uint64_t mtd)
{
    if (mtd & NOVA_MTD_GPR_ACDB)
        s->rax = r->rax, s->rcx = r->rcx, s->rdx = r->rdx, s->rbx = r->rbx;
    if (mtd & NOVA_MTD_GPR_BSD)
        s->rbp = r->rbp, s->rsi = r->rsi, s->rdi = r->rdi;
    if (mtd & NOVA_MTD_RSP)
        s->rsp = r->rsp;
    if (mtd & NOVA_MTD_RIP)
        s->rip = r->rip;
    if (mtd & NOVA_MTD_RFLAGS)
        s->rflags = r->rflags;
    if (mtd & NOVA_MTD_GPR_R8_15) {
        s->r8 = r->r8, s->r9 = r->r9, s->r10 = r->r10, s->r11 = r->r11;
        s->r12 = r->r12, s->r13 = r->r13, s->r14 = r->r14, s->r15 = r->r15;
    }
}

// The handler's reply changes only what its MTD names, and only to what user mode may hold.
static bool state_from_utcb(struct cpu_regs *r, const struct nova_evt_state *s, uint64_t mtd)
{
    if (((mtd & NOVA_MTD_RIP) && s->rip >= USER_END) || ((mtd & NOVA_MTD_RSP) && s->rsp >= USER_END))
        return false;
    if (mtd & NOVA_MTD_GPR_ACDB)
        r->rax = s->rax, r->rcx = s->rcx, r->rdx = s->rdx, r->rbx = s->rbx;
    if (mtd & NOVA_MTD_GPR_BSD)
        r->rbp = s->rbp, r->rsi = s->rsi, r->rdi = s->rdi;
    if (mtd & NOVA_MTD_RSP)
        r->rsp = s->rsp;
    if (mtd & NOVA_MTD_RIP)
        r->rip = s->rip;
    if (mtd & NOVA_MTD_RFLAGS)
        r->rflags = (s->rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED;
    if (mtd & NOVA_MTD_GPR_R8_15) {
        r->r8 = s->r8, r->r9 = s->r9, r->r10 = s->r10, r->r11 = s->r11;
        r->r12 = s->r12, r->r13 = s->r13, r->r14 = s->r14, r->r15 = s->r15;
    }
    return true;
}

enum nova_status ipc_reply(struct ec *h)
{
    struct ec *c = h->caller;
    if (!c && h->global)
        return NOVA_ABORTED; // a global EC serves no calls
    if (!c) { // nobody to answer (the caller went away): wait for the next call
        h->state = EC_IDLE;
        wake_waiter(h);
        return NOVA_OK;
    }
    // An EC that raised an event did not ask for a message: its UTCB stays as it was.
    // A vCPU has no UTCB and so no receive windows: nothing can be delegated to it.
    enum nova_status st = check_words(h->utcb);
    if (st == NOVA_OK && c->vcpu)
        st = h->utcb->head.typed ? NOVA_BAD_PAR : NOVA_OK;
    else if (st == NOVA_OK)
        st = xfer_items(h->pd, h->utcb, c->pd, c->utcb, !c->in_event);
    if (st != NOVA_OK)
        return st;
    bool event = c->in_event, ok = true;
    if (event && c->vcpu)
        vcpu_backend->set(c->vcpu, (const struct nova_vcpu_state *)h->utcb->msg,
                          h->utcb->head.mtd & NOVA_VMTD_ALL & ~NOVA_VMTD_QUAL);
    else if (event)
        ok = state_from_utcb(&c->regs, (const struct nova_evt_state *)h->utcb->msg,
                             h->utcb->head.mtd & NOVA_MTD_ALL & ~NOVA_MTD_QUAL);
    else
        copy_untyped(c->utcb, h->utcb), c->regs.rax = NOVA_OK;
    finish_call(c);
    c->state = EC_READY;
    if (!ok)
        ec_kill(c, &c->regs, "its event handler replied with an invalid RIP or RSP");
    return NOVA_OK;
}

// Calls the portal at ec's event base + evt with ec's state; false if there is none.
static bool deliver(struct ec *ec, unsigned evt, uint64_t fault_addr)
{
    struct kobj *o;
    if (cap_lookup(&ec->pd->caps, ec->evt_base + evt, NOVA_OBJ_PT, NOVA_PERM_PT_CALL, &o) != NOVA_OK)
        return false;
    struct pt *pt = (struct pt *)o;
    struct ec *h = pt->ec;
    if (h->cpu != ec->cpu || h->state == EC_DEAD || in_chain(ec, h))
        return false;
    if (busy(h)) {
        enqueue_waiter(h, ec);
        return true;
    }
    struct nova_utcb *u = h->utcb;
    if (ec->vcpu) {
        struct nova_vcpu_state *vs = (struct nova_vcpu_state *)u->msg;
        memset(vs, 0, sizeof(*vs));
        vcpu_backend->get(ec->vcpu, vs, pt->mtd);
        u->head.untyped = NOVA_VCPU_WORDS;
    } else {
        struct nova_evt_state *s = (struct nova_evt_state *)u->msg;
        memset(s, 0, sizeof(*s));
        state_to_utcb(s, &ec->regs, pt->mtd);
        if (pt->mtd & NOVA_MTD_QUAL)
            s->vector = evt, s->error = ec->regs.error, s->fault_addr = fault_addr;
        u->head.untyped = NOVA_EVT_WORDS;
    }
    u->head.typed = 0;
    u->head.mtd = pt->mtd;
    start_handler(ec, h, pt, true);
    return true;
}

bool ipc_vcpu_event(struct ec *ec, unsigned evt) { return deliver(ec, evt, 0); }

bool ipc_exception(struct ec *ec, const struct cpu_regs *r)
{
    assert(r == &ec->regs);
    return deliver(ec, r->vector, r->vector == 14 ? read_cr2() : 0);
}

bool ipc_deliver_pending(struct ec *ec)
{
    unsigned bit = ec->pending & EC_PENDING_STARTUP ? EC_PENDING_STARTUP : EC_PENDING_RECALL;
    ec->pending &= ~bit;
    if (deliver(ec, bit == EC_PENDING_STARTUP ? NOVA_EVT_STARTUP : NOVA_EVT_RECALL, 0)) {
        if (ec->state == EC_QUEUED)
            ec->pending |= bit; // delivered once the handler is free
        return true;
    }
    if (bit == EC_PENDING_STARTUP) { // it has nowhere to start
        ec_kill(ec, &ec->regs, "no start-up portal");
        return true;
    }
    return false; // a recall without a portal is ignored
}

void ipc_detach(struct ec *ec)
{
    if (ec->state == EC_QUEUED)
        remove_waiter(ec);
    struct ec *c = ec->caller;
    if (c) { // ec served c: c's call ends without an answer
        bool event = c->in_event;
        finish_call(c);
        c->regs.rax = NOVA_ABORTED;
        sched_wake(c);
        if (event)
            ec_kill(c, &c->regs, "its event handler ended");
    }
    if (ec->callee) // ec called a handler that now has nobody to answer
        finish_call(ec);
    while (ec->waiters)
        wake_waiter(ec);
}
