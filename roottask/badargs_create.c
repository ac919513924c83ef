// SPDX-License-Identifier: MIT
// Test "badargs", create_* hypercalls: each argument wrong in turn, one at a time.
#include "badargs.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"

/*
 * No case here expects PERM: every create gives the creator all permissions. The PERM cases
 * (badargs_ipc.c) use capabilities the root delegates to itself with fewer permissions.
 */

// Not user addresses: the kernel half, the bottom and top of the non-canonical hole, the top.
static const uint64_t non_user[] = {
    0xffff800000000000ull,
    0x0000800000000000ull,
    0x8000000000000000ull,
    0xfffffffffffff000ull,
};

static const nova_sel out_of_range[] = {NOVA_SEL_MAX, NOVA_SEL_MAX + 1, UINT64_MAX};

// One create_* with valid arguments except, perhaps, the destination and the PD.
typedef enum nova_status create_fn(const struct badargs *b, nova_sel dest, nova_sel pd);

static enum nova_status pd_in(const struct badargs *b, nova_sel dest, nova_sel pd)
{
    return nova_create_pd(dest, pd);
}

static enum nova_status ec_in(const struct badargs *b, nova_sel dest, nova_sel pd)
{
    return nova_create_ec(dest, pd, b->utcb, b->sp, b->ip, 0, true);
}

static enum nova_status sc_in(const struct badargs *b, nova_sel dest, nova_sel pd)
{
    return nova_create_sc(dest, pd, b->ec_global, BADARGS_PRIO, BADARGS_QUANTUM_US);
}

static enum nova_status pt_in(const struct badargs *b, nova_sel dest, nova_sel pd)
{
    return nova_create_pt(dest, pd, b->ec_local, 0, b->ip);
}

static enum nova_status sm_in(const struct badargs *b, nova_sel dest, nova_sel pd)
{
    return nova_create_sm(dest, pd, 0);
}

// Destination out of range (BAD_CAP) or occupied (BUSY); PD argument not a PD (BAD_CAP).
static void dest_and_pd(const struct badargs *b, const char *call, create_fn *create)
{
    const nova_sel not_pd[] = {
        b->empty,         b->sm,        b->ec_local, b->pt, b->sc, NOVA_SEL_ROOT_EC,
        NOVA_SEL_ROOT_SC, NOVA_SEL_MAX, UINT64_MAX};
    for (size_t i = 0; i < ARRAY_SIZE(out_of_range); i++) {
        nova_sel dest = out_of_range[i];
        badargs_note(call, dest, CHECK_STATUS(create(b, dest, NOVA_SEL_ROOT_PD), NOVA_BAD_CAP));
    }
    badargs_note(call, b->sm, CHECK_STATUS(create(b, b->sm, NOVA_SEL_ROOT_PD), NOVA_BUSY));
    CHECK_OBJECT(b->sm, NOVA_OBJ_SM, NOVA_PERM_SM_ALL);
    for (size_t i = 0; i < ARRAY_SIZE(not_pd); i++)
        badargs_note(call, not_pd[i],
                     CHECK_FAILS(create(b, b->free, not_pd[i]), NOVA_BAD_CAP, b->free));
}

// One create_ec that must fail with want, arg being the value under test.
static void ec_fails(const struct badargs *b, const char *what, uint64_t arg, uint64_t utcb_cpu,
                     uint64_t sp, uint64_t ip, bool global, enum nova_status want)
{
    badargs_note(what, arg,
                 CHECK_FAILS(nova_create_ec(b->free, NOVA_SEL_ROOT_PD, utcb_cpu, sp, ip, 0, global),
                             want, b->free));
}

// The UTCB: outside user space or already mapped.
static void ec_utcb(const struct badargs *b)
{
    const uint64_t mapped[] = {NOVA_ROOT_UTCB, NOVA_ROOT_HIP, NOVA_ROOT_STACK - 0x1000, 0x400000,
                               b->local_utcb};
    for (size_t i = 0; i < ARRAY_SIZE(non_user); i++) {
        uint64_t u = non_user[i];
        ec_fails(b, "create_ec utcb", u, u, b->sp, b->ip, true, NOVA_BAD_PAR);
        ec_fails(b, "create_ec utcb", u, u, b->sp, b->ip, false, NOVA_BAD_PAR);
    }
    for (size_t i = 0; i < ARRAY_SIZE(mapped); i++)
        ec_fails(b, "create_ec utcb", mapped[i], mapped[i], b->sp, b->ip, true, NOVA_BAD_PAR);
}

/*
 * Bits 0-11 of a3 are the CPU, so "a UTCB that is not page-aligned" cannot be expressed:
 * low bits name a CPU, and none of these exists (the HIP describes at most 64).
 */
static void ec_cpu(const struct badargs *b)
{
    static const uint64_t cpus[] = {NOVA_HIP_MAX_CPUS, 0x800, 0xfff};
    for (size_t i = 0; i < ARRAY_SIZE(cpus); i++)
        ec_fails(b, "create_ec cpu", cpus[i], b->utcb | cpus[i], b->sp, b->ip, true, NOVA_BAD_CPU);
    // CPUs are numbered from 0, so the CPU count names the first one that does not exist.
    uint32_t n = b->hip->cpu_count;
    if (n > 0 && n < NOVA_HIP_MAX_CPUS)
        ec_fails(b, "create_ec cpu", n, b->utcb | n, b->sp, b->ip, true, NOVA_BAD_CPU);
}

// Stack and instruction pointer outside user space, for global and local ECs.
static void ec_entry(const struct badargs *b)
{
    for (size_t i = 0; i < ARRAY_SIZE(non_user); i++) {
        uint64_t a = non_user[i];
        for (int global = 0; global < 2; global++) {
            ec_fails(b, "create_ec sp", a, b->utcb, a, b->ip, global, NOVA_BAD_PAR);
            ec_fails(b, "create_ec ip", a, b->utcb, b->sp, a, global, NOVA_BAD_PAR);
        }
    }
}

// Arguments that are not an EC at all.
#define NOT_EC(b)                                                                                  \
    {                                                                                              \
        (b)->empty, (b)->sm, (b)->pt, (b)->sc, NOVA_SEL_ROOT_PD, NOVA_SEL_ROOT_SC, NOVA_SEL_MAX,   \
            UINT64_MAX                                                                             \
    }

static void sc_ec(const struct badargs *b)
{
    const nova_sel bad[] = NOT_EC(b);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        badargs_note("create_sc ec", bad[i],
                     CHECK_FAILS(nova_create_sc(b->free, NOVA_SEL_ROOT_PD, bad[i], BADARGS_PRIO,
                                                BADARGS_QUANTUM_US),
                                 NOVA_BAD_CAP, b->free));
    // A local EC only runs on portal calls: it takes no SC.
    CHECK_FAILS(
        nova_create_sc(b->free, NOVA_SEL_ROOT_PD, b->ec_local, BADARGS_PRIO, BADARGS_QUANTUM_US),
        NOVA_BAD_PAR, b->free);
    CHECK_FAILS(
        nova_create_sc(b->free, NOVA_SEL_ROOT_PD, b->ec_busy, BADARGS_PRIO, BADARGS_QUANTUM_US),
        NOVA_BUSY, b->free);
    CHECK_FAILS(nova_create_sc(b->free, NOVA_SEL_ROOT_PD, NOVA_SEL_ROOT_EC, BADARGS_PRIO,
                               BADARGS_QUANTUM_US),
                NOVA_BUSY, b->free);
}

// Out of range, also where a kernel that cut the value to 32 bits would see a valid one.
static void sc_prio_quantum(const struct badargs *b)
{
    static const uint64_t prio[] = {0, 64, 0x100000001ull, UINT64_MAX};
    static const uint64_t quantum[] = {0, 1000001, 0x100000001ull, UINT64_MAX};
    for (size_t i = 0; i < ARRAY_SIZE(prio); i++)
        badargs_note("create_sc prio", prio[i],
                     CHECK_FAILS(nova_create_sc(b->free, NOVA_SEL_ROOT_PD, b->ec_global, prio[i],
                                                BADARGS_QUANTUM_US),
                                 NOVA_BAD_PAR, b->free));
    for (size_t i = 0; i < ARRAY_SIZE(quantum); i++)
        badargs_note("create_sc quantum", quantum[i],
                     CHECK_FAILS(nova_create_sc(b->free, NOVA_SEL_ROOT_PD, b->ec_global,
                                                BADARGS_PRIO, quantum[i]),
                                 NOVA_BAD_PAR, b->free));
}

static void pt_ec_ip(const struct badargs *b)
{
    const nova_sel global[] = {b->ec_global, b->ec_busy, NOVA_SEL_ROOT_EC};
    const nova_sel bad[] = NOT_EC(b);
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        badargs_note("create_pt ec", bad[i],
                     CHECK_FAILS(nova_create_pt(b->free, NOVA_SEL_ROOT_PD, bad[i], 0, b->ip),
                                 NOVA_BAD_CAP, b->free));
    for (size_t i = 0; i < ARRAY_SIZE(global); i++)
        badargs_note("create_pt ec", global[i],
                     CHECK_FAILS(nova_create_pt(b->free, NOVA_SEL_ROOT_PD, global[i], 0, b->ip),
                                 NOVA_BAD_PAR, b->free));
    for (size_t i = 0; i < ARRAY_SIZE(non_user); i++)
        badargs_note(
            "create_pt ip", non_user[i],
            CHECK_FAILS(nova_create_pt(b->free, NOVA_SEL_ROOT_PD, b->ec_local, 0, non_user[i]),
                        NOVA_BAD_PAR, b->free));
}

void badargs_create_cases(const struct badargs *b)
{
    con_printf("badargs: create_pd\n");
    dest_and_pd(b, "create_pd", pd_in);
    con_printf("badargs: create_ec\n");
    dest_and_pd(b, "create_ec", ec_in);
    ec_utcb(b);
    ec_cpu(b);
    ec_entry(b);
    con_printf("badargs: create_sc\n");
    dest_and_pd(b, "create_sc", sc_in);
    sc_ec(b);
    sc_prio_quantum(b);
    con_printf("badargs: create_pt\n");
    dest_and_pd(b, "create_pt", pt_in);
    pt_ec_ip(b);
    con_printf("badargs: create_sm\n");
    dest_and_pd(b, "create_sm", sm_in);
}
