// SPDX-License-Identifier: MIT
// Test "badargs", IPC and delegation: call, reply, ec_ctrl, delegate, and PERM everywhere.
#include "alloc.h"
#include "badargs.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "pages.h"

#define TEXT_VPN 0x400 // the root's first text page (read + execute), its own node
#define R_X      (NOVA_CRD_MEM_R | NOVA_CRD_MEM_X)
#define TEXT     NOVA_CRD(NOVA_CRD_MEM, TEXT_VPN, 0, R_X)

static struct nova_utcb *root_utcb(void)
{
    return (struct nova_utcb *)NOVA_ROOT_UTCB;
}

/*
 * The portal b->pt leads to ec_local, whose entry parks it: a call that wrongly got through
 * would block the root for good, and the kernel would halt with a failure.
 */
static void call_cases(const struct badargs *b)
{
    const nova_sel not_pt[] = {b->empty,         b->sm,
                               b->ec_local,      b->sc,
                               NOVA_SEL_ROOT_PD, NOVA_SEL_ROOT_EC,
                               NOVA_SEL_ROOT_SC, NOVA_SEL_MAX,
                               NOVA_SEL_MAX + 1, UINT64_MAX};
    con_printf("badargs: call, reply\n");
    msg_clear(root_utcb());
    for (size_t i = 0; i < ARRAY_SIZE(not_pt); i++)
        badargs_note("call", not_pt[i], CHECK_STATUS(nova_call(not_pt[i]), NOVA_BAD_CAP));
    CHECK_STATUS(nova_hypercall(NOVA_HC_CALL, 0x1, b->pt, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_CALL, 0xff, b->pt, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    root_utcb()->head.untyped = NOVA_UTCB_WORDS + 1;
    CHECK_STATUS(nova_call(b->pt), NOVA_BAD_PAR);
    msg_clear(root_utcb());
    root_utcb()->head.typed = 17;
    CHECK_STATUS(nova_call(b->pt), NOVA_BAD_PAR);
    msg_clear(root_utcb());
}

// The root's EC is global: it serves no call, so it has nobody to reply to.
static void reply_cases(void)
{
    CHECK_STATUS(nova_reply(), NOVA_ABORTED);
    CHECK_STATUS(nova_hypercall(NOVA_HC_REPLY, 0x1, 0, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_REPLY, 0x80, 0, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
}

// ec_global has no SC and no recall portal: the valid recall is dropped when it never runs.
static void ec_ctrl_cases(const struct badargs *b)
{
    const nova_sel not_ec[] = {b->empty,         b->sm,        b->pt,     b->sc, NOVA_SEL_ROOT_PD,
                               NOVA_SEL_ROOT_SC, NOVA_SEL_MAX, UINT64_MAX};
    con_printf("badargs: ec_ctrl\n");
    for (size_t i = 0; i < ARRAY_SIZE(not_ec); i++)
        badargs_note("ec_ctrl", not_ec[i], CHECK_STATUS(nova_ec_recall(not_ec[i]), NOVA_BAD_CAP));
    CHECK_STATUS(nova_hypercall(NOVA_HC_EC_CTRL, 0x1, b->ec_global, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_EC_CTRL, 0xff, b->ec_global, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_ec_recall(b->ec_global), NOVA_OK);
}

// Every case aims at page TEXT_VPN of b->pd; the valid delegation there afterwards shows
// that none of them mapped anything.
static void delegate_receiver(const struct badargs *b)
{
    const nova_sel not_pd[] = {
        b->empty,         b->sm,        b->ec_local, b->pt, b->sc, NOVA_SEL_ROOT_EC,
        NOVA_SEL_ROOT_SC, NOVA_SEL_MAX, UINT64_MAX};
    for (size_t i = 0; i < ARRAY_SIZE(not_pd); i++)
        badargs_note("delegate", not_pd[i],
                     CHECK_STATUS(nova_delegate(not_pd[i], TEXT, TEXT_VPN), NOVA_BAD_CAP));
    CHECK_STATUS(nova_hypercall(NOVA_HC_DELEGATE, 0x1, b->pd, TEXT, TEXT_VPN, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_DELEGATE, 0x80, b->pd, TEXT, TEXT_VPN, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
}

static void delegate_bad_mem(const struct badargs *b)
{
    uint64_t two = pages_alloc_aligned(2, 2);
    const nova_crd bad[] = {
        0,                                                   // null type
        NOVA_CRD(NOVA_CRD_NULL, TEXT_VPN, 0, R_X),           //
        NOVA_CRD(NOVA_CRD_MEM, TEXT_VPN + 1, 1, R_X),        // misaligned base
        NOVA_CRD(NOVA_CRD_MEM, TEXT_VPN, 1, R_X),            // two nodes of the root
        NOVA_CRD(NOVA_CRD_MEM, 0x1, 0, 0x7),                 // not held
        NOVA_CRD(NOVA_CRD_MEM, TEXT_VPN, 0, NOVA_CRD_MEM_W), // no permission left
        NOVA_CRD(NOVA_CRD_MEM, TEXT_VPN, 0, 0),              //
        NOVA_CRD(NOVA_CRD_MEM, 1ull << 35, 0, 0x7),          // beyond memory
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        badargs_note("delegate", bad[i],
                     CHECK_STATUS(nova_delegate(b->pd, bad[i], TEXT_VPN), NOVA_BAD_PAR));
    // A valid source, but the destination is misaligned or beyond user space.
    if (CHECK(two != 0))
        CHECK_STATUS(nova_delegate(b->pd, NOVA_CRD(NOVA_CRD_MEM, pages_vpn(two), 1, 0x3), 0x501),
                     NOVA_BAD_PAR);
    CHECK_STATUS(nova_delegate(b->pd, TEXT, 1ull << 35), NOVA_BAD_PAR);
    CHECK_STATUS(nova_delegate(b->pd, TEXT, UINT64_MAX), NOVA_BAD_PAR);
}

// Objects one at a time, held, into an empty slot in range; I/O ports within 65536.
static void delegate_bad_obj_io(const struct badargs *b)
{
    const nova_crd bad[] = {
        NOVA_CRD(NOVA_CRD_OBJ, b->empty, 0, 0x1f), NOVA_CRD(NOVA_CRD_OBJ, b->sm & ~1ull, 1, 0x1f),
        NOVA_CRD(NOVA_CRD_OBJ, b->sm, 0, 0),       NOVA_CRD(NOVA_CRD_OBJ, NOVA_SEL_MAX, 0, 0x1f),
        NOVA_CRD(NOVA_CRD_IO, 65536, 0, 1),        NOVA_CRD(NOVA_CRD_IO, 0x3f9, 1, 1),
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        badargs_note("delegate", bad[i],
                     CHECK_STATUS(nova_delegate(b->pd, bad[i], 5), NOVA_BAD_PAR));
    // A destination beyond its type's space is BAD_PAR for every type (delegation rules).
    CHECK_STATUS(nova_delegate(b->pd, NOVA_CRD(NOVA_CRD_OBJ, b->sm, 0, 0x1f), NOVA_SEL_MAX),
                 NOVA_BAD_PAR);
    CHECK_STATUS(nova_delegate(b->pd, NOVA_CRD(NOVA_CRD_OBJ, b->sm, 0, 0x1f), UINT64_MAX),
                 NOVA_BAD_PAR);
}

// The first delegation to a destination works, the second finds it occupied.
static void delegate_twice(const struct badargs *b)
{
    nova_crd sm = NOVA_CRD(NOVA_CRD_OBJ, b->sm, 0, 0x1f);
    CHECK_STATUS(nova_delegate(b->pd, TEXT, TEXT_VPN), NOVA_OK);
    CHECK_STATUS(nova_delegate(b->pd, TEXT, TEXT_VPN), NOVA_BAD_PAR);
    CHECK_STATUS(nova_delegate(b->pd, sm, 5), NOVA_OK);
    CHECK_STATUS(nova_delegate(b->pd, sm, 5), NOVA_BAD_PAR);
    CHECK_STATUS(nova_delegate(b->pd, NOVA_CRD(NOVA_CRD_IO, 0x80, 0, 1), 0), NOVA_OK);
    CHECK_STATUS(nova_delegate(b->pd, NOVA_CRD(NOVA_CRD_IO, 0x80, 0, 1), 0), NOVA_BAD_PAR);
}

// The root's capability sel again at a fresh selector, with only perms.
static nova_sel weaker(nova_sel sel, unsigned perms)
{
    nova_sel w = sel_alloc();
    CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, NOVA_CRD(NOVA_CRD_OBJ, sel, 0, perms), w),
                 NOVA_OK);
    return w;
}

static void perm_pd(const struct badargs *b)
{
    nova_sel no_pd = weaker(NOVA_SEL_ROOT_PD, NOVA_PERM_PD_ALL & ~NOVA_PERM_PD_PD);
    nova_sel no_ec = weaker(NOVA_SEL_ROOT_PD, NOVA_PERM_PD_ALL & ~NOVA_PERM_PD_EC);
    nova_sel no_sm = weaker(NOVA_SEL_ROOT_PD, NOVA_PERM_PD_ALL & ~NOVA_PERM_PD_SM);
    CHECK_OBJECT(no_pd, NOVA_OBJ_PD, NOVA_PERM_PD_ALL & ~NOVA_PERM_PD_PD);
    CHECK_STATUS(nova_delegate(no_pd, TEXT, 0x7000), NOVA_PERM);
    CHECK_FAILS(nova_create_pd(b->free, no_pd), NOVA_PERM, b->free);
    CHECK_FAILS(nova_create_ec(b->free, no_ec, b->utcb, b->sp, b->ip, 0, true), NOVA_PERM, b->free);
    CHECK_FAILS(nova_create_sm(b->free, no_sm, 0), NOVA_PERM, b->free);
}

static void perm_objects(const struct badargs *b)
{
    nova_sel call_only = weaker(b->pt, NOVA_PERM_PT_CALL);
    nova_sel ctrl_only = weaker(b->pt, NOVA_PERM_PT_CTRL);
    nova_sel ec_no_ctrl = weaker(b->ec_global, NOVA_PERM_EC_ALL & ~NOVA_PERM_EC_CTRL);
    nova_sel up_only = weaker(b->sm, NOVA_PERM_SM_UP);
    // Delegating the weaker capability on with every bit cannot widen it.
    nova_sel again = weaker(up_only, 0x1f);
    CHECK_OBJECT(again, NOVA_OBJ_SM, NOVA_PERM_SM_UP);
    CHECK_STATUS(nova_pt_ctrl(call_only, 1), NOVA_PERM);
    CHECK_STATUS(nova_call(ctrl_only), NOVA_PERM);
    CHECK_STATUS(nova_ec_recall(ec_no_ctrl), NOVA_PERM);
    CHECK_STATUS(nova_sm_down(up_only), NOVA_PERM);
    CHECK_STATUS(nova_sm_down(again), NOVA_PERM);
}

void badargs_ipc_cases(const struct badargs *b)
{
    call_cases(b);
    reply_cases();
    ec_ctrl_cases(b);
    con_printf("badargs: delegate\n");
    delegate_receiver(b);
    delegate_bad_mem(b);
    delegate_bad_obj_io(b);
    delegate_twice(b);
    con_printf("badargs: PERM\n");
    perm_pd(b);
    perm_objects(b);
}
