// SPDX-License-Identifier: MIT
// The memory service: MEM_ALLOC, MEM_FREE and MEM_INFO on each program's memory portal.
#include "memsvc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/msg.h"
#include "nova-user/services.h"
#include "nova-user/start_info.h"
#include "pool.h"
#include "service.h"

#define PAGE_SHIFT 12
#define PAGE_MASK  0xfffull
#define MEM_BLOCKS 1024 // blocks held by all programs together
#define MEM_RW     (NOVA_CRD_MEM_R | NOVA_CRD_MEM_W)

// One delegated block: 2^order frames from ppn, at vpn in the client, through their alias.
struct block {
    bool used;
    unsigned slot, instance;
    unsigned order;
    uint64_t vpn, ppn;
};

static struct block blocks[MEM_BLOCKS];

// What one MEM_ALLOC hands out, until the reply has gone through.
struct plan {
    unsigned n;
    struct block *b[MEM_MAX_ITEMS];
};

static uint64_t heap_first(void)
{
    return NOVA_PROG_HEAP >> PAGE_SHIFT;
}

static uint64_t heap_end(void)
{
    return heap_first() + (1ull << NOVA_PROG_HEAP_ORDER);
}

static struct block *block_new(void)
{
    for (unsigned i = 0; i < MEM_BLOCKS; i++)
        if (!blocks[i].used)
            return &blocks[i];
    return NULL;
}

// Undoes one block, all but the quota: the client's mapping goes with the alias. Returns
// its pages, which the caller credits back.
static uint64_t block_release(struct program *p, struct block *b)
{
    uint64_t pages = 1ull << b->order;
    pool_unalias(b->ppn, pages);
    pool_free(b->ppn, pages);
    CHECK(ledger_remove(&p->mem, b->ppn, pages));
    b->used = false;
    return pages;
}

// The block of a plan is still the one it made, unless a teardown came in between.
static bool block_current(const struct program *p, const struct block *b, uint64_t vpn)
{
    return b->used && b->slot == p->slot && b->instance == p->instance && b->vpn == vpn;
}

// The order of the block at vpn with left pages to go: aligned on both sides.
static unsigned next_order(uint64_t vpn, uint64_t left)
{
    unsigned order = 63 - (unsigned)__builtin_clzll(left);
    if ((unsigned)__builtin_ctzll(vpn) < order)
        order = (unsigned)__builtin_ctzll(vpn);
    return order < MEM_MAX_ORDER ? order : MEM_MAX_ORDER;
}

static enum svc_status take_block(struct program *p, uint64_t vpn, unsigned order,
                                  struct block **out)
{
    uint64_t ppn;
    struct block *b = block_new();
    if (!b)
        return SVC_FULL;
    if (!pool_alloc(order, &ppn))
        return SVC_NO_MEM;
    if (pool_alias(ppn, order) != NOVA_OK) {
        pool_free(ppn, 1ull << order);
        return SVC_NO_MEM;
    }
    if (!ledger_add(&p->mem, ppn, 1ull << order)) {
        pool_unalias(ppn, 1ull << order);
        pool_free(ppn, 1ull << order);
        return SVC_FULL;
    }
    *b = (struct block){true, p->slot, p->instance, order, vpn, ppn};
    *out = b;
    return SVC_OK;
}

// Frames, aliases and bookkeeping for [vpn, vpn + pages), or nothing at all.
static enum svc_status plan_alloc(struct program *p, uint64_t vpn, uint64_t pages,
                                  struct plan *plan)
{
    if (!quota_take(&p->quota, pages)) {
        con_printf("root: %s is over its quota: holds %lu of %lu pages, asked for %lu more\n",
                   p->cfg->name, p->quota.used, p->quota.limit, pages);
        return SVC_QUOTA;
    }
    enum svc_status st = SVC_OK;
    plan->n = 0;
    for (uint64_t v = vpn, left = pages; st == SVC_OK && left;) {
        unsigned order = next_order(v, left);
        if (plan->n == MEM_MAX_ITEMS)
            st = SVC_BAD_ARG; // the address is aligned too poorly for the size
        else
            st = take_block(p, v, order, &plan->b[plan->n]);
        if (st == SVC_OK)
            plan->n++, v += 1ull << order, left -= 1ull << order;
    }
    if (st != SVC_OK) {
        for (unsigned i = 0; i < plan->n; i++)
            block_release(p, plan->b[i]);
        CHECK(quota_give(&p->quota, pages));
    }
    return st;
}

static bool valid_range(uint64_t addr, uint64_t pages)
{
    uint64_t vpn = addr >> PAGE_SHIFT;
    return !(addr & PAGE_MASK) && pages && vpn >= heap_first() && vpn < heap_end() &&
           pages <= heap_end() - vpn;
}

static _Noreturn void reply_status(struct nova_utcb *u, enum svc_status st, uint64_t word)
{
    u->msg[0] = st;
    u->msg[1] = word;
    u->head.untyped = 2;
    u->head.typed = 0;
    service_reply(u);
}

// The reply delegates the blocks; if the kernel refuses it (the client's window or the
// address was wrong), everything is taken back and the client hears BAD_ARG.
static _Noreturn void alloc(struct program *p, struct nova_utcb *u, uint64_t pages, uint64_t addr)
{
    struct plan plan;
    uint64_t vpn = addr >> PAGE_SHIFT;
    sys_lock();
    enum svc_status st = !prog_alive(p)              ? SVC_ENDING
                         : !valid_range(addr, pages) ? SVC_BAD_ARG
                                                     : plan_alloc(p, vpn, pages, &plan);
    sys_unlock();
    if (st != SVC_OK)
        reply_status(u, st, 0);
    u->msg[0] = SVC_OK;
    u->msg[1] = pages;
    u->head.untyped = 2;
    u->head.typed = 0;
    uint64_t vpns[MEM_MAX_ITEMS];
    for (unsigned i = 0; i < plan.n; i++) {
        struct block *b = plan.b[i];
        vpns[i] = b->vpn;
        msg_add_item(u, NOVA_CRD(NOVA_CRD_MEM, pool_alias_vpn(b->ppn), b->order, MEM_RW), b->vpn);
    }
    service_try_reply();
    sys_lock(); // a teardown may have taken the blocks back in between: then they are gone
    uint64_t back = 0;
    for (unsigned i = 0; i < plan.n; i++)
        if (block_current(p, plan.b[i], vpns[i]))
            back += block_release(p, plan.b[i]);
    CHECK(quota_give(&p->quota, back));
    sys_unlock();
    reply_status(u, SVC_BAD_ARG, 0);
}

// Every block of p inside [vpn, vpn + pages); a block only partly inside makes it BAD_ARG.
static enum svc_status free_range(struct program *p, uint64_t vpn, uint64_t pages, uint64_t *freed)
{
    *freed = 0;
    for (unsigned i = 0; i < MEM_BLOCKS; i++) {
        const struct block *b = &blocks[i];
        uint64_t end = b->vpn + (1ull << b->order);
        bool mine = b->used && b->slot == p->slot && b->instance == p->instance;
        if (mine && b->vpn < vpn + pages && end > vpn && (b->vpn < vpn || end > vpn + pages))
            return SVC_BAD_ARG;
    }
    for (unsigned i = 0; i < MEM_BLOCKS; i++) {
        struct block *b = &blocks[i];
        bool mine = b->used && b->slot == p->slot && b->instance == p->instance;
        if (mine && b->vpn >= vpn && b->vpn < vpn + pages)
            *freed += block_release(p, b);
    }
    CHECK(quota_give(&p->quota, *freed));
    return *freed ? SVC_OK : SVC_BAD_ARG;
}

void memsvc_release_all(struct program *p)
{
    for (unsigned i = 0; i < MEM_BLOCKS; i++)
        if (blocks[i].used && blocks[i].slot == p->slot)
            block_release(p, &blocks[i]);
    CHECK(ledger_total(&p->mem) == 0);
    quota_init(&p->quota, p->quota.limit);
}

_Noreturn void memsvc_serve(struct program *p, struct nova_utcb *u)
{
    uint64_t w[3] = {0};
    for (unsigned i = 0; i < 3 && i < u->head.untyped; i++)
        w[i] = u->msg[i];
    service_drop_items(u);
    if (w[0] == MEM_ALLOC)
        alloc(p, u, w[1], w[2]);
    enum svc_status st = SVC_BAD_OP;
    uint64_t a = 0, b = 0;
    sys_lock();
    if (!prog_alive(p))
        st = SVC_ENDING;
    else if (w[0] == MEM_FREE)
        st = valid_range(w[1], w[2]) ? free_range(p, w[1] >> PAGE_SHIFT, w[2], &a) : SVC_BAD_ARG;
    else if (w[0] == MEM_INFO)
        st = SVC_OK, a = p->quota.limit, b = p->quota.used;
    sys_unlock();
    u->msg[0] = st;
    u->msg[1] = a;
    u->msg[2] = b;
    u->head.untyped = 3;
    u->head.typed = 0;
    service_reply(u);
}
