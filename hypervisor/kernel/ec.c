// SPDX-License-Identifier: MIT
// Execution context: a thread of a PD, pinned to one CPU, with its UTCB and saved user state.
#include "kernel/ec.h"
#include "arch/x86/cpu.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/paging.h"
#include "kernel/assert.h"
#include "kernel/ipc.h"
#include "kernel/kmem.h"
#include "kernel/pd.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/sm.h"
#include "kernel/vcpu.h"
#include "mm/memory.h"

#define RFLAGS_IF       0x200ull
#define RFLAGS_RESERVED 0x2ull

static struct slab_cache ec_cache;
static unsigned next_id;

_Static_assert(sizeof(struct cpu_regs) % 16 == 0, "the frame ends 16-byte aligned");

void ec_cache_init(void) { kmem_cache_init(&ec_cache, "ec", sizeof(struct ec), 64); }

static void ec_destroy(struct kobj *o)
{
    struct ec *ec = (struct ec *)o;
    if (ec->state == EC_BLOCKED)
        sm_cancel(ec);
    ipc_detach(ec);
    if (ec->vcpu) {
        vcpu_backend->destroy(ec->vcpu);
    } else {
        pd_unmap(ec->pd, ec->utcb_va);
        page_free(ec->utcb);
    }
    kobj_put(&ec->pd->obj);
    bool ok = slab_free(&ec_cache, ec);
    assert(ok);
}

static void init_regs(struct ec *ec, uint64_t sp, uint64_t ip)
{
    ec->regs.rip = ip;
    ec->regs.rsp = sp;
    ec->regs.rdi = ec->utcb_va;
    ec->regs.cs = SEL_UCODE;
    ec->regs.ss = SEL_UDATA;
    ec->regs.rflags = RFLAGS_IF | RFLAGS_RESERVED;
}

enum nova_status ec_create(struct ec **out, struct pd *pd, bool global, unsigned cpu,
                           uint64_t utcb_va, uint64_t sp, uint64_t ip, uint64_t evt_base)
{
    struct ec *ec = slab_alloc(&ec_cache);
    void *utcb = page_alloc_zeroed();
    enum nova_status st = ec && utcb ? NOVA_OK : NOVA_NO_MEM;
    if (st == NOVA_OK)
        st = pd_map(pd, utcb_va, virt_to_phys(utcb), PTE_W | PTE_NX, 0);
    if (st != NOVA_OK || !kobj_get(&pd->obj)) {
        if (st == NOVA_OK)
            pd_unmap(pd, utcb_va), st = NOVA_NO_MEM;
        if (utcb)
            page_free(utcb);
        if (ec)
            slab_free(&ec_cache, ec);
        return st;
    }
    kobj_init(&ec->obj, NOVA_OBJ_EC, ec_destroy);
    ec->pd = pd, ec->utcb = utcb, ec->utcb_va = utcb_va, ec->evt_base = evt_base;
    ec->cpu = cpu, ec->id = next_id++, ec->global = global, ec->state = EC_IDLE;
    init_regs(ec, sp, ip);
    ec->initial_sp = sp;
    timeq_link_init(&ec->timeout);
    if (global && !ip)
        ec->pending = EC_PENDING_STARTUP;
    *out = ec;
    return NOVA_OK;
}

void ec_kill(struct ec *ec, const struct cpu_regs *r, const char *what)
{
    if (ec->state == EC_DEAD)
        return;
    printk("kernel: PD %u \"%s\" EC %u killed: %s at rip %#lx", ec->pd->id, ec->pd->name, ec->id,
           what, r->rip);
    if (r->vector == 14 && r == &sched_current()->regs)
        printk(", address %#lx (error %#lx)", read_cr2(), r->error);
    printk("\n");
    ipc_detach(ec);
    ec->state = EC_DEAD;
}

enum nova_status ec_create_vcpu(struct ec **out, struct pd *pd, unsigned cpu, uint64_t evt_base)
{
    struct ec *ec = slab_alloc(&ec_cache);
    if (!ec)
        return NOVA_NO_MEM;
    enum nova_status st = vcpu_backend->create(&ec->vcpu, pd);
    if (st == NOVA_OK && !kobj_get(&pd->obj)) {
        vcpu_backend->destroy(ec->vcpu);
        st = NOVA_NO_MEM;
    }
    if (st != NOVA_OK) {
        slab_free(&ec_cache, ec);
        return st;
    }
    kobj_init(&ec->obj, NOVA_OBJ_EC, ec_destroy);
    ec->pd = pd, ec->evt_base = evt_base, ec->cpu = cpu, ec->id = next_id++;
    ec->global = true, ec->state = EC_IDLE, ec->pending = EC_PENDING_STARTUP;
    timeq_link_init(&ec->timeout);
    *out = ec;
    return NOVA_OK;
}
