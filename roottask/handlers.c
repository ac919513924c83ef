// SPDX-License-Identifier: MIT
// Handler ECs for programs: SYS_HANDLER makes a local EC and a portal in the caller's PD.
#include "handlers.h"
#include "nova-user/start_info.h"

#define HANDLERS_MAX ((PSEL_END - PSEL_HANDLERS) / 2)

static enum nova_status give(struct program *p, nova_sel from, nova_sel dest, unsigned perms)
{
    return nova_delegate(prog_sel(p, PSEL_PD), NOVA_CRD(NOVA_CRD_OBJ, from, 0, perms), dest);
}

// The caller holds the lock. The kernel checks the addresses and the destination selectors
// (a failed delegation leaves the objects in the root's block until the teardown).
static enum nova_status create(struct program *p, const uint64_t *w, nova_sel ec, nova_sel pt)
{
    uint64_t utcb = w[1], sp = w[2], ip = w[3], mtd = w[4];
    if (utcb & 0xfff)
        return NOVA_BAD_PAR; // the low bits would pick the CPU
    enum nova_status st = nova_create_ec(ec, prog_sel(p, PSEL_PD), utcb | p->cfg->cpu, sp, ip,
                                         NOVA_PROG_SEL_EVT_BASE, false);
    if (st == NOVA_OK)
        st = nova_create_pt(pt, prog_sel(p, PSEL_PD), ec, mtd, ip);
    if (st == NOVA_OK)
        st = give(p, ec, w[5], NOVA_PERM_EC_CTRL);
    if (st == NOVA_OK)
        st = give(p, pt, w[6], NOVA_PERM_PT_ALL);
    return st;
}

enum svc_status handlers_create(struct program *p, const struct nova_utcb *u, uint64_t *kernel_st)
{
    uint64_t w[7];
    if (u->head.untyped < 7)
        return SVC_BAD_ARG;
    for (unsigned i = 0; i < 7; i++)
        w[i] = u->msg[i];
    sys_lock();
    enum svc_status st = prog_alive(p) ? SVC_FULL : SVC_ENDING;
    if (prog_alive(p) && p->handlers < HANDLERS_MAX) {
        nova_sel ec = prog_sel(p, PSEL_HANDLERS + 2 * p->handlers);
        p->handlers++; // the slots are used even if a step fails: the teardown clears them
        *kernel_st = create(p, w, ec, ec + 1);
        st = *kernel_st == NOVA_OK ? SVC_OK : SVC_BAD_ARG;
    }
    sys_unlock();
    return st;
}
