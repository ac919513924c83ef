// SPDX-License-Identifier: MIT
// Resource transfer: delegation of memory, I/O ports and capabilities, and their revocation.
#include "kernel/xfer.h"
#include "arch/x86/paging.h"
#include "kernel/assert.h"
#include "kernel/crd.h"
#include "kernel/kmem.h"
#include "kernel/mdb.h"
#include "kernel/pd.h"
#include "nova/caps.h"
#include "nova/utcb.h"
#include "nova/vcpu.h"

// Guest-physical pages have their mapping-database nodes above the host address space.
#define GUEST_BASE CRD_MEM_LIMIT

static struct slab_cache node_cache;
// Object capabilities revoked during a mapping-database walk: their references are dropped
// after the walk, because a destroy callback may start a walk of its own.
static struct mdb_node *deferred;

void xfer_init(void) { kmem_cache_init(&node_cache, "mdb", sizeof(struct mdb_node), 0); }

static struct mdb_node *node_new(unsigned type, uint64_t base, unsigned order, uint32_t perms)
{
    struct mdb_node *n = slab_alloc(&node_cache);
    if (n)
        n->type = type, n->base = base, n->order = order, n->perms = perms;
    return n;
}

static void node_free(struct mdb_node *n)
{
    bool ok = slab_free(&node_cache, n);
    assert(ok);
}

static void release(void *ctx, struct mdb_node *n)
{
    (void)ctx;
    struct pd *pd = n->space->owner;
    uint64_t count = 1ull << n->order;
    if (n->type == NOVA_CRD_MEM && n->base >= GUEST_BASE) {
        for (uint64_t i = 0; i < count; i++)
            pd_unmap_guest(pd, n->base - GUEST_BASE + i);
    } else if (n->type == NOVA_CRD_MEM) {
        for (uint64_t i = 0; i < count; i++)
            pd_unmap(pd, (n->base + i) << PAGE_SHIFT);
    } else if (n->type == NOVA_CRD_IO) {
        pd_revoke_io(pd, n->base, count);
    } else {
        n->phys = (uint64_t)cap_take(&pd->caps, n->base);
        n->snext = deferred;
        deferred = n;
        return;
    }
    node_free(n);
}

static void flush_deferred(void)
{
    while (deferred) {
        struct mdb_node *n = deferred;
        deferred = n->snext;
        struct kobj *obj = (struct kobj *)n->phys;
        node_free(n);
        if (obj)
            kobj_put(obj);
    }
}

void xfer_revoke(struct pd *pd, unsigned type, uint64_t base, unsigned order, bool self)
{
    mdb_revoke(&pd->mdb, type, base, order, self, release, 0);
    flush_deferred();
}

void xfer_pd_teardown(struct pd *pd)
{
    mdb_space_destroy(&pd->mdb, release, 0);
    flush_deferred();
}

static enum nova_status link_node(struct pd *pd, struct mdb_node *n, struct mdb_node *parent)
{
    if (mdb_insert(&pd->mdb, n, parent))
        return NOVA_OK;
    node_free(n);
    return NOVA_BAD_PAR;
}

static enum nova_status insert_cap(struct pd *pd, uint64_t sel, struct kobj *obj, uint32_t perms,
                                   struct mdb_node *parent)
{
    struct mdb_node *n = node_new(NOVA_CRD_OBJ, sel, 0, perms);
    if (!n)
        return NOVA_NO_MEM;
    enum nova_status st = cap_insert(&pd->caps, sel, obj, perms);
    if (st != NOVA_OK) {
        node_free(n);
        return st;
    }
    st = link_node(pd, n, parent);
    assert(st == NOVA_OK); // the slot was empty, so no node covered it
    return st;
}

enum nova_status xfer_new_cap(struct pd *pd, uint64_t sel, struct kobj *obj, uint32_t perms)
{
    return insert_cap(pd, sel, obj, perms, 0);
}

enum nova_status xfer_grant(struct pd *pd, unsigned type, uint64_t base, unsigned order,
                            uint32_t perms)
{
    struct mdb_node *n = node_new(type, base, order, perms);
    if (!n)
        return NOVA_NO_MEM;
    if (type == NOVA_CRD_IO) {
        enum nova_status st = pd_grant_io(pd, base, 1u << order);
        if (st != NOVA_OK) {
            node_free(n);
            return st;
        }
    }
    return link_node(pd, n, 0);
}

// One typed item, decoded: the source node it derives from and where it lands.
struct item {
    unsigned type, order;
    uint64_t base, dest;
    uint32_t perms;
    bool guest; // memory for the receiver's guest-physical space
    struct mdb_node *src;
};

static uint64_t node_base(const struct item *it) { return it->guest ? GUEST_BASE + it->dest : it->dest; }

// The physical page behind vpn in pd's memory space, or 0.
static uint64_t phys_of(const struct pd *pd, uint64_t vpn)
{
    unsigned level;
    uint64_t e = pt_lookup(pd->pml4, vpn << PAGE_SHIFT, &level);
    if (!e)
        return 0;
    uint64_t size = level ? LARGE_SIZE : PAGE_SIZE;
    return (e & PTE_ADDR & ~(size - 1)) + ((vpn << PAGE_SHIFT) & (size - 1));
}

static bool dest_taken(const struct pd *dst, const struct item *it, uint64_t i)
{
    return it->guest ? pd_guest_mapped(dst, it->dest + i)
                     : pd_is_mapped(dst, (it->dest + i) << PAGE_SHIFT);
}

static enum nova_status check_mem(const struct pd *src, const struct pd *dst, struct item *it)
{
    if (it->order > XFER_MEM_ORDER_MAX || !pt_is_user_range(it->dest << PAGE_SHIFT, PAGE_SIZE << it->order))
        return NOVA_BAD_PAR;
    for (uint64_t i = 0; i < 1ull << it->order; i++)
        if (!phys_of(src, it->base + i) || dest_taken(dst, it, i))
            return NOVA_BAD_PAR;
    return NOVA_OK;
}

// Decodes and checks one item; window NULL means no window applies (delegate).
static enum nova_status check_item(const struct pd *src, const struct pd *dst, nova_crd crd,
                                   uint64_t dest, const nova_crd *window, struct item *it)
{
    if (!crd_valid(crd, &it->type, &it->base, &it->order))
        return NOVA_BAD_PAR;
    it->guest = it->type == NOVA_CRD_MEM && (dest & NOVA_DEST_GUEST);
    if (it->guest && window) // guest memory comes by delegate, from the VM's own PD or parent
        return NOVA_BAD_PAR;
    dest &= ~NOVA_DEST_GUEST;
    it->dest = it->type == NOVA_CRD_IO ? it->base : dest;
    unsigned dtype, dorder;
    uint64_t dbase;
    if (!crd_valid(NOVA_CRD(it->type, it->dest, it->order, 0), &dtype, &dbase, &dorder) ||
        dbase != it->dest) // unaligned, or beyond the type's space
        return NOVA_BAD_PAR;
    if (window && !crd_contains(window[it->type], it->type, it->dest, it->order))
        return NOVA_BAD_PAR;
    it->src = mdb_find(&src->mdb, it->type, it->base, it->order);
    it->perms = NOVA_CRD_PERM(crd) & crd_perm_mask(it->type);
    if (!it->src || !(it->perms &= it->src->perms))
        return NOVA_BAD_PAR;
    if (it->type == NOVA_CRD_OBJ && it->order)
        return NOVA_BAD_PAR; // capabilities travel one at a time
    if (mdb_overlaps(&dst->mdb, it->type, node_base(it), it->order))
        return NOVA_BAD_PAR;
    return it->type == NOVA_CRD_MEM ? check_mem(src, dst, it) : NOVA_OK;
}

static uint64_t pte_flags(uint32_t perms)
{
    return (perms & NOVA_CRD_MEM_W ? PTE_W : 0) | (perms & NOVA_CRD_MEM_X ? 0 : PTE_NX);
}

static enum nova_status map_item(const struct pd *src, struct pd *dst, const struct item *it)
{
    for (uint64_t i = 0; i < 1ull << it->order; i++) {
        uint64_t pa = phys_of(src, it->base + i);
        enum nova_status st = it->guest
                                  ? pd_map_guest(dst, it->dest + i, pa, it->perms)
                                  : pd_map(dst, (it->dest + i) << PAGE_SHIFT, pa, pte_flags(it->perms), 0);
        if (st != NOVA_OK) {
            while (i--)
                it->guest ? pd_unmap_guest(dst, it->dest + i) : pd_unmap(dst, (it->dest + i) << PAGE_SHIFT);
            return st;
        }
    }
    return NOVA_OK;
}

static enum nova_status perform(const struct pd *src, struct pd *dst, const struct item *it)
{
    if (it->type == NOVA_CRD_OBJ) {
        struct kobj *obj = cap_peek(&src->caps, it->base)->obj;
        return insert_cap(dst, it->dest, obj, it->perms, it->src);
    }
    struct mdb_node *n = node_new(it->type, node_base(it), it->order, it->perms);
    if (!n)
        return NOVA_NO_MEM;
    enum nova_status st = it->type == NOVA_CRD_MEM ? map_item(src, dst, it)
                                                   : pd_grant_io(dst, it->base, 1u << it->order);
    if (st != NOVA_OK) {
        node_free(n);
        return st;
    }
    return link_node(dst, n, it->src);
}

enum nova_status xfer_delegate(struct pd *src, nova_crd crd, uint64_t dest, struct pd *dst)
{
    struct item it;
    enum nova_status st = check_item(src, dst, crd, dest, 0, &it);
    return st == NOVA_OK ? perform(src, dst, &it) : st;
}

// Two items of one message must not land on each other.
static bool items_collide(const struct item *a, const struct item *b)
{
    uint64_t x;
    unsigned o;
    return a->type == b->type && range_intersect(a->dest, a->order, b->dest, b->order, &x, &o);
}

static enum nova_status check_items(const struct pd *src, const struct nova_utcb *su,
                                    const struct pd *dst, const struct nova_utcb *du,
                                    struct item *items)
{
    const nova_crd window[4] = {0, du->head.recv_mem, du->head.recv_io, du->head.recv_obj};
    const struct nova_typed_item *ti = (const void *)&su->msg[su->head.untyped];
    for (unsigned i = 0; i < su->head.typed; i++) {
        enum nova_status st = check_item(src, dst, ti[i].crd, ti[i].dest, window, &items[i]);
        for (unsigned j = 0; st == NOVA_OK && j < i; j++)
            if (items_collide(&items[i], &items[j]))
                st = NOVA_BAD_PAR;
        if (st != NOVA_OK)
            return st;
    }
    return NOVA_OK;
}

// Tells the receiver what arrived: one descriptor per item after its untyped words.
static void report(struct nova_utcb *du, unsigned untyped, const struct item *items, unsigned n)
{
    struct nova_typed_item *out = (void *)&du->msg[untyped];
    for (unsigned i = 0; i < n; i++)
        out[i] = (struct nova_typed_item){
            NOVA_CRD(items[i].type, items[i].dest, items[i].order, items[i].perms), 0};
    du->head.typed = n;
}

#define MAX_ITEMS 16

enum nova_status xfer_typed_items(struct pd *src, const struct nova_utcb *su, struct pd *dst,
                                  struct nova_utcb *du, bool report_items)
{
    struct item items[MAX_ITEMS];
    unsigned n = su->head.typed;
    if (n > MAX_ITEMS)
        return NOVA_BAD_PAR;
    enum nova_status st = check_items(src, su, dst, du, items);
    for (unsigned i = 0; st == NOVA_OK && i < n; i++) {
        st = perform(src, dst, &items[i]);
        if (st != NOVA_OK) // out of memory half-way: take back what already arrived
            while (i--)
                xfer_revoke(dst, items[i].type, items[i].dest, items[i].order, true);
    }
    if (st == NOVA_OK && report_items)
        report(du, su->head.untyped, items, n);
    return st;
}
