// SPDX-License-Identifier: MIT
// Hypercall dispatch: one table indexed by number; handlers decode, then perform.
#include "kernel/hypercall.h"
#include "arch/x86/paging.h"
#include "arch/x86/tsc.h"
#include "kernel/cpus.h"
#include "kernel/crd.h"
#include "kernel/ec.h"
#include "kernel/gsi.h"
#include "kernel/ipc.h"
#include "kernel/lock.h"
#include "kernel/mdb.h"
#include "kernel/pd.h"
#include "kernel/pt.h"
#include "kernel/sc.h"
#include "kernel/sched.h"
#include "kernel/sm.h"
#include "kernel/vcpu.h"
#include "kernel/xfer.h"
#include "nova/caps.h"
#include "nova/crd.h"
#include "nova/hypercall.h"
#include "nova/status.h"
#include "nova/vcpu.h"

typedef enum nova_status (*hc_handler)(struct hc *h);

uint64_t hypercall_count[NOVA_HC_COUNT + 1];

static struct pd *caller_pd(void) { return sched_current()->pd; }

// Looks up an object of the given type with the given permissions in the caller's space.
static enum nova_status lookup(uint64_t sel, enum nova_obj type, uint32_t need, void *out)
{
    return cap_lookup(&caller_pd()->caps, sel, type, need, (struct kobj **)out);
}

// The destination selector of a create_* must be in range and empty.
static enum nova_status check_dest(uint64_t sel)
{
    if (sel >= NOVA_SEL_MAX)
        return NOVA_BAD_CAP;
    return cap_peek(&caller_pd()->caps, sel) ? NOVA_BUSY : NOVA_OK;
}

// Puts the new object at sel with all permissions and drops the creator's reference.
static enum nova_status install(uint64_t sel, struct kobj *obj, uint32_t perms)
{
    enum nova_status st = xfer_new_cap(caller_pd(), sel, obj, perms);
    kobj_put(obj); // on failure this destroys the object again
    return st;
}

static bool is_user_address(uint64_t va) { return va < USER_END; }

static enum nova_status hc_create_pd(struct hc *h)
{
    struct pd *parent, *pd;
    enum nova_status st = check_dest(hc_arg1(h));
    if (st == NOVA_OK)
        st = lookup(hc_arg2(h), NOVA_OBJ_PD, NOVA_PERM_PD_PD, &parent);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK)
        st = pd_create(&pd, "pd");
    return st == NOVA_OK ? install(hc_arg1(h), &pd->obj, NOVA_PERM_PD_ALL) : st;
}

static enum nova_status check_ec_args(struct hc *h, struct pd *pd)
{
    uint64_t utcb = hc_arg3(h) & ~0xfffull;
    if (h->flags & ~(NOVA_EC_GLOBAL | NOVA_EC_VCPU))
        return NOVA_BAD_HYPERCALL;
    if (!cpu_online(hc_arg3(h) & 0xfff))
        return NOVA_BAD_CPU;
    if (h->flags & NOVA_EC_VCPU) // a vCPU has no UTCB and starts from its start-up portal
        return vcpu_backend ? NOVA_OK : NOVA_BAD_FTR;
    if (!utcb || !pt_is_user_range(utcb, PAGE_SIZE) || pd_is_mapped(pd, utcb))
        return NOVA_BAD_PAR;
    if (!is_user_address(hc_arg4(h)) || !is_user_address(hc_arg5(h)))
        return NOVA_BAD_PAR;
    return NOVA_OK;
}

static enum nova_status make_ec(struct hc *h, struct pd *pd, struct ec **ec)
{
    unsigned cpu = hc_arg3(h) & 0xfff;
    if (h->flags & NOVA_EC_VCPU)
        return ec_create_vcpu(ec, pd, cpu, hc_arg6(h));
    return ec_create(ec, pd, h->flags & NOVA_EC_GLOBAL, cpu, hc_arg3(h) & ~0xfffull, hc_arg4(h),
                     hc_arg5(h), hc_arg6(h));
}

static enum nova_status hc_create_ec(struct hc *h)
{
    struct pd *pd;
    struct ec *ec;
    enum nova_status st = check_dest(hc_arg1(h));
    if (st == NOVA_OK)
        st = lookup(hc_arg2(h), NOVA_OBJ_PD, NOVA_PERM_PD_EC, &pd);
    if (st == NOVA_OK)
        st = check_ec_args(h, pd);
    if (st == NOVA_OK)
        st = make_ec(h, pd, &ec);
    return st == NOVA_OK ? install(hc_arg1(h), &ec->obj, NOVA_PERM_EC_ALL) : st;
}

#define QUANTUM_MAX_US 1000000

static enum nova_status hc_create_sc(struct hc *h)
{
    struct pd *pd;
    struct ec *ec;
    struct sc *sc;
    enum nova_status st = check_dest(hc_arg1(h));
    if (st == NOVA_OK)
        st = lookup(hc_arg2(h), NOVA_OBJ_PD, NOVA_PERM_PD_SC, &pd);
    if (st == NOVA_OK)
        st = lookup(hc_arg3(h), NOVA_OBJ_EC, NOVA_PERM_EC_SC, &ec);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK && (!hc_arg4(h) || hc_arg4(h) > SC_PRIO_MAX || !hc_arg5(h) ||
                          hc_arg5(h) > QUANTUM_MAX_US || !ec->global))
        st = NOVA_BAD_PAR;
    if (st == NOVA_OK && (ec->sc || ec->state == EC_DEAD))
        st = NOVA_BUSY;
    if (st == NOVA_OK)
        st = sc_create(&sc, ec, hc_arg4(h), hc_arg5(h) * tsc_khz() / 1000);
    return st == NOVA_OK ? install(hc_arg1(h), &sc->obj, NOVA_PERM_SC_ALL) : st;
}

static enum nova_status hc_create_pt(struct hc *h)
{
    struct pd *pd;
    struct ec *ec;
    struct pt *pt;
    enum nova_status st = check_dest(hc_arg1(h));
    if (st == NOVA_OK)
        st = lookup(hc_arg2(h), NOVA_OBJ_PD, NOVA_PERM_PD_PT, &pd);
    if (st == NOVA_OK)
        st = lookup(hc_arg3(h), NOVA_OBJ_EC, NOVA_PERM_EC_PT, &ec);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK && (ec->global || !is_user_address(hc_arg5(h))))
        st = NOVA_BAD_PAR;
    if (st == NOVA_OK)
        st = pt_create(&pt, ec, hc_arg4(h), hc_arg5(h));
    return st == NOVA_OK ? install(hc_arg1(h), &pt->obj, NOVA_PERM_PT_ALL) : st;
}

static enum nova_status hc_create_sm(struct hc *h)
{
    struct pd *pd;
    struct sm *sm;
    enum nova_status st = check_dest(hc_arg1(h));
    if (st == NOVA_OK)
        st = lookup(hc_arg2(h), NOVA_OBJ_PD, NOVA_PERM_PD_SM, &pd);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK)
        st = sm_create(&sm, hc_arg3(h));
    return st == NOVA_OK ? install(hc_arg1(h), &sm->obj, NOVA_PERM_SM_ALL) : st;
}

static enum nova_status hc_revoke(struct hc *h)
{
    unsigned type, order;
    uint64_t base;
    if (h->flags & ~NOVA_REVOKE_SELF)
        return NOVA_BAD_HYPERCALL;
    if (!crd_valid(hc_arg1(h), &type, &base, &order))
        return NOVA_BAD_PAR;
    xfer_revoke(caller_pd(), type, base, order, h->flags & NOVA_REVOKE_SELF);
    return NOVA_OK;
}

// A page: the descriptor of the range that holds it, and its physical address.
static enum nova_status lookup_mem(struct hc *h)
{
    uint64_t va = hc_arg1(h);
    if (va >= USER_END)
        return NOVA_BAD_PAR;
    struct pd *pd = caller_pd();
    const struct mdb_node *n = mdb_find(&pd->mdb, NOVA_CRD_MEM, va >> PAGE_SHIFT, 0);
    unsigned level;
    uint64_t e = pt_lookup(pd->pml4, va & ~(PAGE_SIZE - 1), &level);
    uint64_t size = level ? LARGE_SIZE : PAGE_SIZE;
    hc_out1(h, n ? NOVA_CRD(NOVA_CRD_MEM, n->base, n->order, n->perms) : 0);
    hc_out2(h, e ? (e & PTE_ADDR & ~(size - 1)) + (va & (size - 1) & ~(PAGE_SIZE - 1)) : 0);
    return NOVA_OK;
}

static enum nova_status hc_lookup(struct hc *h)
{
    if (h->flags & ~NOVA_LOOKUP_MEM)
        return NOVA_BAD_HYPERCALL;
    if (h->flags & NOVA_LOOKUP_MEM)
        return lookup_mem(h);
    if (hc_arg1(h) >= NOVA_SEL_MAX)
        return NOVA_BAD_CAP;
    const struct cap *c = cap_peek(&caller_pd()->caps, hc_arg1(h));
    hc_out1(h, c ? c->type : NOVA_OBJ_NULL);
    hc_out2(h, c ? c->perms : 0);
    return NOVA_OK;
}

static enum nova_status hc_call(struct hc *h)
{
    struct pt *pt;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_PT, NOVA_PERM_PT_CALL, &pt);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    return st == NOVA_OK ? ipc_call(sched_current(), pt) : st;
}

static enum nova_status hc_reply(struct hc *h)
{
    return h->flags ? NOVA_BAD_HYPERCALL : ipc_reply(sched_current());
}

static enum nova_status hc_delegate(struct hc *h)
{
    struct pd *dst;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_PD, NOVA_PERM_PD_PD, &dst);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    return st == NOVA_OK ? xfer_delegate(caller_pd(), hc_arg2(h), hc_arg3(h), dst) : st;
}

static enum nova_status hc_ec_ctrl(struct hc *h)
{
    struct ec *ec;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_EC, NOVA_PERM_EC_CTRL, &ec);
    if (st == NOVA_OK && h->flags != NOVA_EC_RECALL)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK && ec->cpu != sched_current()->cpu)
        st = NOVA_BAD_CPU;
    if (st == NOVA_OK)
        ec->pending |= EC_PENDING_RECALL;
    return st;
}

static enum nova_status hc_sc_ctrl(struct hc *h)
{
    struct sc *sc;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_SC, NOVA_PERM_SC_CTRL, &sc);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK)
        hc_out1(h, sched_consumed(sc));
    return st;
}

static enum nova_status hc_pt_ctrl(struct hc *h)
{
    struct pt *pt;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_PT, NOVA_PERM_PT_CTRL, &pt);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK)
        pt->id = hc_arg2(h);
    return st;
}

static enum nova_status hc_sm_ctrl(struct hc *h)
{
    struct sm *sm;
    bool down = h->flags & NOVA_SM_DOWN, zero = h->flags & NOVA_SM_ZERO;
    if (h->flags & ~(NOVA_SM_DOWN | NOVA_SM_ZERO) || (zero && !down))
        return NOVA_BAD_HYPERCALL;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_SM, down ? NOVA_PERM_SM_DOWN : NOVA_PERM_SM_UP, &sm);
    if (st != NOVA_OK)
        return st;
    if (!down)
        sm_up(sm);
    else
        st = sm_down(sm, sched_current(), zero, hc_arg2(h));
    return st;
}

static enum nova_status hc_assign_gsi(struct hc *h)
{
    struct sm *sm;
    uint64_t addr, data;
    enum nova_status st = lookup(hc_arg1(h), NOVA_OBJ_SM, NOVA_PERM_SM_DOWN, &sm);
    if (st == NOVA_OK && h->flags)
        st = NOVA_BAD_HYPERCALL;
    if (st == NOVA_OK)
        st = gsi_assign(sm, hc_arg2(h) > 0xffffffffu ? 0xffffffffu : (unsigned)hc_arg2(h),
                        hc_arg3(h) > 0xffffffffu ? 0xffffffffu : (unsigned)hc_arg3(h), &addr, &data);
    if (st == NOVA_OK)
        hc_out1(h, addr), hc_out2(h, data);
    return st;
}

static enum nova_status hc_bad(struct hc *h)
{
    (void)h;
    return NOVA_BAD_HYPERCALL;
}

static const hc_handler handlers[NOVA_HC_COUNT] = {
    [NOVA_HC_CALL] = hc_call,           [NOVA_HC_REPLY] = hc_reply,
    [NOVA_HC_CREATE_PD] = hc_create_pd, [NOVA_HC_CREATE_EC] = hc_create_ec,
    [NOVA_HC_CREATE_SC] = hc_create_sc, [NOVA_HC_CREATE_PT] = hc_create_pt,
    [NOVA_HC_CREATE_SM] = hc_create_sm, [NOVA_HC_REVOKE] = hc_revoke,
    [NOVA_HC_LOOKUP] = hc_lookup,       [NOVA_HC_EC_CTRL] = hc_ec_ctrl,
    [NOVA_HC_SC_CTRL] = hc_sc_ctrl,     [NOVA_HC_PT_CTRL] = hc_pt_ctrl,
    [NOVA_HC_SM_CTRL] = hc_sm_ctrl,     [NOVA_HC_ASSIGN_PCI] = hc_bad,
    [NOVA_HC_ASSIGN_GSI] = hc_assign_gsi,      [NOVA_HC_DELEGATE] = hc_delegate,
};

struct cpu_regs *syscall_dispatch(struct cpu_regs *r)
{
    kernel_lock();
    unsigned nr = NOVA_HC_NUMBER(r->rdi);
    struct hc h = {r, NOVA_HC_FLAGS(r->rdi)};
    hc_handler fn = nr < NOVA_HC_COUNT ? handlers[nr] : hc_bad;
    hypercall_count[nr < NOVA_HC_COUNT ? nr : NOVA_HC_COUNT]++;
    // Written first: a handler that blocks the caller leaves the status in its frame.
    r->rax = fn(&h);
    return kernel_exit();
}
