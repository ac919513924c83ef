// SPDX-License-Identifier: MIT
// The root's service ECs: one local EC per CPU serves every portal of the programs there.
#include "service.h"
#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "thread.h"

#define SERVICE_STACK_WORDS 4096 // 32 KiB: the handlers print and plan replies on it
#define MAX_CPUS            NOVA_HIP_MAX_CPUS

// Exceptions and start-up: vector, error and fault address, and the registers the reports
// show and the start-up reply sets.
#define EVT_MTD (NOVA_MTD_QUAL | NOVA_MTD_RIP | NOVA_MTD_RSP | NOVA_MTD_GPR_BSD)

struct service_cpu {
    nova_sel ec;
    struct nova_utcb *utcb;
    bool up;
};

static struct service_cpu cpus[MAX_CPUS];
static uint64_t stacks[MAX_CPUS][SERVICE_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel park_sm;

static service_fn *const handlers[] = {
    [SERVICE_MEM] = memsvc_serve,
    [SERVICE_NAMES] = namesvc_serve,
    [SERVICE_SYS] = supervise_sys,
    [SERVICE_EVT] = supervise_event,
};

#define ID(slot, kind) ((uint64_t)(slot) << 8 | (kind))

// The entry of every portal: the portal id says who calls (the kernel sets it, so it cannot
// be forged) and for what.
static _Noreturn void service_entry(uint64_t id)
{
    unsigned slot = (unsigned)(id >> 8), kind = (unsigned)(id & 0xff);
    struct program *p = &programs[slot];
    handlers[kind](p, cpus[p->cfg->cpu].utcb);
    thread_park(park_sm); // every handler ends with a reply: not reached
}

enum nova_status service_try_reply(void)
{
    return nova_reply();
}

_Noreturn void service_reply(struct nova_utcb *u)
{
    CHECK_STATUS(nova_reply(), NOVA_OK);
    u->head.typed = 0; // what the reply was to delegate stays with the root
    CHECK_STATUS(nova_reply(), NOVA_OK);
    thread_park(park_sm);
}

unsigned service_items(const struct nova_utcb *u, const struct nova_typed_item **items)
{
    *items = (const struct nova_typed_item *)&u->msg[u->head.untyped];
    return u->head.typed;
}

/*
 * A caller may attach capabilities to any call; the receive window lets them land only in
 * the landing blocks of the name service. Whatever a handler did not accept is revoked
 * (the caller keeps its own), so that no program can fill another's landing block.
 */
void service_drop_items(const struct nova_utcb *u)
{
    const struct nova_typed_item *it;
    unsigned n = service_items(u, &it);
    for (unsigned i = 0; i < n; i++)
        if (NOVA_CRD_TYPE(it[i].crd) == NOVA_CRD_OBJ)
            CHECK_STATUS(
                nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, NOVA_CRD_BASE(it[i].crd), 0, 0x1f), true),
                NOVA_OK);
}

static bool service_up(unsigned cpu)
{
    struct service_cpu *s = &cpus[cpu];
    if (s->up)
        return true;
    if (!park_sm) {
        park_sm = sel_alloc();
        if (!CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK))
            return false;
    }
    uint64_t utcb = utcb_alloc();
    s->ec = sel_alloc();
    s->utcb = (struct nova_utcb *)(uintptr_t)utcb;
    uint64_t sp = thread_stack_top(stacks[cpu], SERVICE_STACK_WORDS);
    if (!CHECK_STATUS(nova_create_ec(s->ec, NOVA_SEL_ROOT_PD, utcb | cpu, sp,
                                     (uint64_t)(uintptr_t)service_entry, 0, false),
                      NOVA_OK))
        return false;
    s->utcb->head.recv_obj = NOVA_CRD(NOVA_CRD_OBJ, LANDING_BASE, LANDING_ORDER, 0);
    s->up = true;
    return true;
}

enum nova_status service_portal(nova_sel sel, const struct program *p, enum service_kind kind)
{
    unsigned cpu = p->cfg->cpu;
    if (cpu >= MAX_CPUS || !service_up(cpu))
        return NOVA_BAD_CPU;
    uint64_t mtd = kind == SERVICE_EVT ? EVT_MTD : 0;
    enum nova_status st = nova_create_pt(sel, NOVA_SEL_ROOT_PD, cpus[cpu].ec, mtd,
                                         (uint64_t)(uintptr_t)service_entry);
    return st == NOVA_OK ? nova_pt_ctrl(sel, ID(p->slot, kind)) : st;
}
