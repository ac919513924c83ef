// SPDX-License-Identifier: MIT
// Test "badargs": every hypercall with bad arguments gets the status docs/abi.md names.
#include "alloc.h"
#include "badargs.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "pages.h"
#include "tests.h"
#include "thread.h"

static nova_sel park_sm;
static uint64_t global_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static uint64_t busy_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));

// ec_busy runs once the root blocks for good; ec_global only if a bad create_sc got through.
static _Noreturn void idle(struct nova_utcb *utcb)
{
    thread_park(park_sm);
}

void badargs_note(const char *call, uint64_t arg, bool ok)
{
    if (!ok)
        con_printf("  (%s with argument %#lx)\n", call, arg);
}

static void setup_ecs(struct badargs *b)
{
    b->ec_local = sel_alloc(), b->pt = sel_alloc(), b->local_utcb = utcb_alloc();
    CHECK_STATUS(
        nova_create_ec(b->ec_local, NOVA_SEL_ROOT_PD, b->local_utcb, b->sp, b->ip, 0, false),
        NOVA_OK);
    CHECK_STATUS(nova_create_pt(b->pt, NOVA_SEL_ROOT_PD, b->ec_local, 0, b->ip), NOVA_OK);
    b->ec_global = sel_alloc();
    CHECK_STATUS(thread_create(b->ec_global, idle, global_stack, THREAD_STACK_WORDS), NOVA_OK);
    b->ec_busy = sel_alloc(), b->sc = sel_alloc();
    CHECK_STATUS(thread_create(b->ec_busy, idle, busy_stack, THREAD_STACK_WORDS), NOVA_OK);
    CHECK_STATUS(
        nova_create_sc(b->sc, NOVA_SEL_ROOT_PD, b->ec_busy, BADARGS_PRIO, BADARGS_QUANTUM_US),
        NOVA_OK);
}

static bool setup(struct badargs *b, const struct nova_hip *hip)
{
    unsigned before = check_failures;
    b->hip = hip;
    b->free = sel_alloc(), b->empty = sel_alloc();
    b->sm = sel_alloc(), b->victim = sel_alloc(), park_sm = sel_alloc();
    b->pd = sel_alloc();
    b->utcb = utcb_alloc();
    b->sp = (uint64_t)(uintptr_t)(global_stack + THREAD_STACK_WORDS) - 8;
    b->ip = (uint64_t)(uintptr_t)idle;
    CHECK_STATUS(nova_create_sm(b->sm, NOVA_SEL_ROOT_PD, 1), NOVA_OK);
    CHECK_STATUS(nova_create_sm(b->victim, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    CHECK_STATUS(nova_create_pd(b->pd, NOVA_SEL_ROOT_PD), NOVA_OK);
    setup_ecs(b);
    return check_failures == before;
}

// Numbers without a handler, including those documented as not yet available.
static void numbers(const struct badargs *b)
{
    static const unsigned later[] = {NOVA_HC_ASSIGN_PCI};
    con_printf("badargs: hypercall numbers\n");
    for (size_t i = 0; i < ARRAY_SIZE(later); i++)
        badargs_note("hypercall", later[i],
                     CHECK_STATUS(nova_hypercall(later[i], 0, 0, 0, 0, 0, 0, 0, NULL, NULL),
                                  NOVA_BAD_HYPERCALL));
    for (unsigned nr = NOVA_HC_COUNT; nr <= 0xff; nr++)
        badargs_note(
            "hypercall", nr,
            CHECK_STATUS(nova_hypercall(nr, 0, b->free, NOVA_SEL_ROOT_PD, 0, 0, 0, 0, NULL, NULL),
                         NOVA_BAD_HYPERCALL));
    CHECK_EMPTY(b->free);
}

// Flags a hypercall does not define, on calls that are otherwise valid.
static void create_flags(const struct badargs *b)
{
    CHECK_FAILS(
        nova_hypercall(NOVA_HC_CREATE_PD, 0x1, b->free, NOVA_SEL_ROOT_PD, 0, 0, 0, 0, NULL, NULL),
        NOVA_BAD_HYPERCALL, b->free);
    CHECK_FAILS(nova_hypercall(NOVA_HC_CREATE_EC, 0x4, b->free, NOVA_SEL_ROOT_PD, b->utcb, b->sp,
                               b->ip, 0, NULL, NULL),
                NOVA_BAD_HYPERCALL, b->free);
    CHECK_FAILS(nova_hypercall(NOVA_HC_CREATE_EC, 0x80 | NOVA_EC_GLOBAL, b->free, NOVA_SEL_ROOT_PD,
                               b->utcb, b->sp, b->ip, 0, NULL, NULL),
                NOVA_BAD_HYPERCALL, b->free);
    CHECK_FAILS(nova_hypercall(NOVA_HC_CREATE_SC, 0x1, b->free, NOVA_SEL_ROOT_PD, b->ec_global,
                               BADARGS_PRIO, BADARGS_QUANTUM_US, 0, NULL, NULL),
                NOVA_BAD_HYPERCALL, b->free);
    CHECK_FAILS(nova_hypercall(NOVA_HC_CREATE_PT, 0x1, b->free, NOVA_SEL_ROOT_PD, b->ec_local, 0,
                               b->ip, 0, NULL, NULL),
                NOVA_BAD_HYPERCALL, b->free);
    CHECK_FAILS(
        nova_hypercall(NOVA_HC_CREATE_SM, 0x1, b->free, NOVA_SEL_ROOT_PD, 0, 0, 0, 0, NULL, NULL),
        NOVA_BAD_HYPERCALL, b->free);
}

static void other_flags(const struct badargs *b)
{
    nova_crd victim = NOVA_CRD(NOVA_CRD_OBJ, b->victim, 0, 0x1f);
    CHECK_STATUS(nova_hypercall(NOVA_HC_REVOKE, 0x2, victim, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(
        nova_hypercall(NOVA_HC_REVOKE, 0x2 | NOVA_REVOKE_SELF, victim, 0, 0, 0, 0, 0, NULL, NULL),
        NOVA_BAD_HYPERCALL);
    CHECK_OBJECT(b->victim, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
    // lookup's only flag is NOVA_LOOKUP_MEM (0x1).
    CHECK_STATUS(nova_hypercall(NOVA_HC_LOOKUP, 0x2, b->free, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_LOOKUP, 0x3, 0x400000, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_SC_CTRL, 0x1, b->sc, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_PT_CTRL, 0x1, b->pt, 1, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    // sm_ctrl's flags are its operation: 0 up, 1 down, nothing else.
    CHECK_STATUS(nova_hypercall(NOVA_HC_SM_CTRL, 0x2, b->sm, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_SM_CTRL, 0xff, b->sm, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
}

/*
 * Bad descriptors of every type: null, misaligned, beyond the type's space (2^35 pages,
 * 65536 ports, NOVA_SEL_MAX selectors; the order field has 5 bits). Memory and I/O only
 * without SELF: a kernel that wrongly accepted one with SELF could take the root's own
 * memory or its console ports. Not tried: a range from 0 past NOVA_SEL_MAX (order 18 at
 * base 0), which a kernel accepting it by mistake would empty the root's object space with.
 */
static void revoke_bad(const struct badargs *b)
{
    const nova_crd objs[] = {
        0,
        NOVA_CRD(NOVA_CRD_NULL, b->victim, 0, 0x1f),
        NOVA_CRD(NOVA_CRD_OBJ, b->victim | 1, 1, 0x1f), // an odd base with order 1
        NOVA_CRD(NOVA_CRD_OBJ, NOVA_SEL_MAX, 0, 0x1f),
        NOVA_CRD(NOVA_CRD_OBJ, NOVA_SEL_MAX, __builtin_ctzll(NOVA_SEL_MAX), 0x1f),
        NOVA_CRD(NOVA_CRD_OBJ, 1ull << 40, 0, 0x1f),
    };
    const nova_crd others[] = {
        NOVA_CRD(NOVA_CRD_MEM, 0x401, 1, 0x1f),      NOVA_CRD(NOVA_CRD_IO, 0x3f9, 1, 0x1f),
        NOVA_CRD(NOVA_CRD_MEM, 1ull << 35, 0, 0x1f), NOVA_CRD(NOVA_CRD_MEM, 1ull << 35, 31, 0x1f),
        NOVA_CRD(NOVA_CRD_IO, 65536, 0, 0x1f),       NOVA_CRD(NOVA_CRD_IO, 65536, 16, 0x1f),
        NOVA_CRD(NOVA_CRD_IO, 0, 17, 0x1f),
    };
    for (size_t i = 0; i < ARRAY_SIZE(objs); i++) {
        badargs_note("revoke", objs[i], CHECK_STATUS(nova_revoke(objs[i], true), NOVA_BAD_PAR));
        badargs_note("revoke", objs[i], CHECK_STATUS(nova_revoke(objs[i], false), NOVA_BAD_PAR));
    }
    for (size_t i = 0; i < ARRAY_SIZE(others); i++)
        badargs_note("revoke", others[i],
                     CHECK_STATUS(nova_revoke(others[i], false), NOVA_BAD_PAR));
    CHECK_OBJECT(b->victim, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
}

/*
 * Empty slots are skipped. Without SELF only what derives from the range goes: a copy the
 * root delegated to itself, not the original. The permission bits of the descriptor do not
 * choose anything (docs/abi.md names none for revoke).
 */
static void revoke_good(const struct badargs *b)
{
    nova_sel copy = b->free;
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, NOVA_SEL_MAX - 4, 2, 0x1f), true), NOVA_OK);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, b->free, 0, 0x1f), true), NOVA_OK);
    CHECK_EMPTY(b->free);
    CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, NOVA_CRD(NOVA_CRD_OBJ, b->victim, 0, 0x1f), copy),
                 NOVA_OK);
    CHECK_OBJECT(copy, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, b->victim, 0, 0), false), NOVA_OK);
    CHECK_OBJECT(b->victim, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
    CHECK_EMPTY(copy);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, b->victim, 0, 0), true), NOVA_OK);
    CHECK_EMPTY(b->victim);
}

// Memory and I/O are valid types now: unmapped pages are skipped; nothing derives from the
// root's ports, so revoking them without SELF leaves the console working.
static void revoke_mem_io(void)
{
    nova_crd crd = 0;
    uint64_t phys = 0;
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_MEM, 0x10, 4, 0x1f), true), NOVA_OK);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_MEM, (1ull << 35) - 1, 0, 0x1f), false), NOVA_OK);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_MEM, 0x400, 0, 0x1f), false), NOVA_OK);
    CHECK_STATUS(nova_lookup_mem(0x400000, &crd, &phys), NOVA_OK);
    CHECK(crd != 0 && phys != 0);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_IO, 0x80, 0, 0x1f), false), NOVA_OK);
    CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_IO, 0, 16, 0x1f), false), NOVA_OK);
    con_printf("badargs: revoking the root's ports without SELF keeps the console\n");
}

static void lookup_type(nova_sel sel, unsigned want)
{
    unsigned type = ~0u;
    CHECK_STATUS(nova_lookup(sel, &type, 0), NOVA_OK);
    badargs_note("lookup", sel, CHECK(type == want));
}

static void lookups(const struct badargs *b)
{
    static const nova_sel out[] = {NOVA_SEL_MAX, NOVA_SEL_MAX + 1, UINT64_MAX};
    con_printf("badargs: lookup\n");
    for (size_t i = 0; i < ARRAY_SIZE(out); i++)
        badargs_note("lookup", out[i], CHECK_STATUS(nova_lookup(out[i], 0, 0), NOVA_BAD_CAP));
    CHECK_EMPTY(b->free);
    CHECK_EMPTY(NOVA_SEL_MAX - 1);
    CHECK_OBJECT(NOVA_SEL_ROOT_PD, NOVA_OBJ_PD, NOVA_PERM_PD_ALL);
    // docs/abi.md names the permissions of the root's PD capability only.
    lookup_type(NOVA_SEL_ROOT_EC, NOVA_OBJ_EC);
    lookup_type(NOVA_SEL_ROOT_SC, NOVA_OBJ_SC);
}

static void lookup_page(uint64_t va, nova_crd want, bool mapped)
{
    nova_crd crd = ~0ull;
    uint64_t phys = ~0ull;
    CHECK_STATUS(nova_lookup_mem(va, &crd, &phys), NOVA_OK);
    badargs_note("lookup_mem", va, CHECK(crd == want) && CHECK((phys != 0) == mapped));
}

// Memory: the image and stack pages are the root's own; UTCB and HIP are mapped but not in
// its mapping database (it cannot delegate them).
static void lookups_mem(void)
{
    static const uint64_t non_user[] = {0xffff800000000000ull, 0x0000800000000000ull,
                                        0x8000000000000000ull, 0xfffffffffffff000ull,
                                        0xffffffff80000000ull};
    const uint64_t stack = NOVA_ROOT_STACK - 0x1000;
    for (size_t i = 0; i < ARRAY_SIZE(non_user); i++)
        badargs_note("lookup_mem", non_user[i],
                     CHECK_STATUS(nova_lookup_mem(non_user[i], 0, 0), NOVA_BAD_PAR));
    lookup_page(0x400000, NOVA_CRD(NOVA_CRD_MEM, 0x400, 0, NOVA_CRD_MEM_R | NOVA_CRD_MEM_X), true);
    lookup_page(0x400123, NOVA_CRD(NOVA_CRD_MEM, 0x400, 0, NOVA_CRD_MEM_R | NOVA_CRD_MEM_X), true);
    lookup_page(stack, NOVA_CRD(NOVA_CRD_MEM, stack >> 12, 0, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W),
                true);
    lookup_page(0x1000, 0, false);
    lookup_page(NOVA_ROOT_UTCB, 0, true);
    lookup_page(NOVA_ROOT_HIP, 0, true);
}

// A page of the free memory: the kernel maps it with large pages where it can, and lists it
// in blocks that may hold much more than the page.
static void lookup_free_page(void)
{
    uint64_t phys = pages_alloc(1), got = 0, vpn = pages_vpn(phys);
    nova_crd crd = 0;
    if (!CHECK(phys != 0))
        return;
    CHECK_STATUS(nova_lookup_mem((uintptr_t)pages_virt(phys) + 0x123, &crd, &got), NOVA_OK);
    CHECK(got == phys);
    CHECK(NOVA_CRD_TYPE(crd) == NOVA_CRD_MEM && NOVA_CRD_PERM(crd) == 0x7);
    CHECK(NOVA_CRD_BASE(crd) <= vpn && vpn - NOVA_CRD_BASE(crd) < 1ull << NOVA_CRD_ORDER(crd));
}

static void sc_pt_ctrl(const struct badargs *b)
{
    const nova_sel not_sc[] = {
        b->empty,         b->sm,        b->pt,     b->ec_local, NOVA_SEL_ROOT_PD,
        NOVA_SEL_ROOT_EC, NOVA_SEL_MAX, UINT64_MAX};
    const nova_sel not_pt[] = {
        b->empty,         b->sm,        b->sc,     b->ec_local, NOVA_SEL_ROOT_PD,
        NOVA_SEL_ROOT_SC, NOVA_SEL_MAX, UINT64_MAX};
    uint64_t time = 0;
    for (size_t i = 0; i < ARRAY_SIZE(not_sc); i++)
        badargs_note("sc_ctrl", not_sc[i],
                     CHECK_STATUS(nova_sc_ctrl(not_sc[i], &time), NOVA_BAD_CAP));
    for (size_t i = 0; i < ARRAY_SIZE(not_pt); i++)
        badargs_note("pt_ctrl", not_pt[i], CHECK_STATUS(nova_pt_ctrl(not_pt[i], 1), NOVA_BAD_CAP));
    CHECK_STATUS(nova_sc_ctrl(NOVA_SEL_ROOT_SC, &time), NOVA_OK);
    CHECK(time > 0);
    CHECK_STATUS(nova_pt_ctrl(b->pt, 7), NOVA_OK);
}

// Up before down, so that even a count a bad call changed cannot block the root.
// assign_gsi: only GSI semaphores, only online CPUs, only the two documented flags.
static void assign_gsi(const struct badargs *b)
{
    uint64_t gsi_sm = NOVA_SEL_ROOT_GSI;
    CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, NOVA_SEL_ROOT_PD, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_CAP);
    CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, b->sm, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_CAP);
    CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, b->empty, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_CAP);
    CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 1, gsi_sm, 0, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_HYPERCALL);
    CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, gsi_sm, 99, 0, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_CPU);
    CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, gsi_sm, 0, 0x4, 0, 0, 0, NULL, NULL),
                 NOVA_BAD_PAR);
}

static void sm_ctrl(const struct badargs *b)
{
    const nova_sel not_sm[] = {
        b->empty,         b->pt,        b->sc,     b->ec_local, NOVA_SEL_ROOT_PD, NOVA_SEL_ROOT_EC,
        NOVA_SEL_ROOT_SC, NOVA_SEL_MAX, UINT64_MAX};
    for (size_t i = 0; i < ARRAY_SIZE(not_sm); i++) {
        badargs_note("sm_up", not_sm[i], CHECK_STATUS(nova_sm_up(not_sm[i]), NOVA_BAD_CAP));
        badargs_note("sm_down", not_sm[i], CHECK_STATUS(nova_sm_down(not_sm[i]), NOVA_BAD_CAP));
    }
    CHECK_STATUS(nova_sm_up(b->sm), NOVA_OK);
    CHECK_STATUS(nova_sm_down(b->sm), NOVA_OK);
}

// After all the failures: the UTCB address they named is still free, and creating works.
static void still_works(const struct badargs *b)
{
    nova_sel pd = sel_alloc();
    CHECK_STATUS(nova_create_ec(b->free, NOVA_SEL_ROOT_PD, b->utcb, b->sp, b->ip, 0, false),
                 NOVA_OK);
    CHECK_OBJECT(b->free, NOVA_OBJ_EC, NOVA_PERM_EC_ALL);
    CHECK_STATUS(nova_create_pd(pd, NOVA_SEL_ROOT_PD), NOVA_OK);
    CHECK_OBJECT(pd, NOVA_OBJ_PD, NOVA_PERM_PD_ALL);
    con_printf("badargs: the kernel still creates objects\n");
}

void test_badargs(const struct nova_hip *hip)
{
    struct badargs b;
    if (!setup(&b, hip)) {
        con_printf("badargs: setup failed, no cases run\n");
        return;
    }
    numbers(&b);
    con_printf("badargs: flags\n");
    create_flags(&b);
    other_flags(&b);
    badargs_create_cases(&b);
    con_printf("badargs: revoke\n");
    revoke_bad(&b);
    revoke_good(&b);
    revoke_mem_io();
    lookups(&b);
    lookups_mem();
    lookup_free_page();
    badargs_ipc_cases(&b);
    con_printf("badargs: sc_ctrl, pt_ctrl, sm_ctrl, assign_gsi\n");
    assign_gsi(&b);
    sc_pt_ctrl(&b);
    sm_ctrl(&b);
    still_works(&b);
}
