// SPDX-License-Identifier: MIT
// Hypercall bindings: one static inline function per hypercall of docs/abi.md.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nova/caps.h"
#include "nova/crd.h"
#include "nova/hypercall.h"
#include "nova/status.h"

// A status that nobody looks at is a bug waiting to happen (STYLE.md, practice 6).
#define NOVA_MUST_CHECK __attribute__((warn_unused_result))

/*
 * The one SYSCALL site. In: RDI = number | flags << 8, RSI, RDX, RAX, R8, R9, R10 =
 * arguments 1 to 6. Out: RAX = status, RSI and RDX = results 1 and 2 (the kernel leaves
 * them unchanged where a hypercall has no result). SYSCALL itself clobbers RCX and R11;
 * "memory" because the kernel may read or write user memory (the UTCB) behind our back.
 */
static inline uint64_t nova_syscall(uint64_t rdi, uint64_t *a1, uint64_t *a2, uint64_t a3,
                                    uint64_t a4, uint64_t a5, uint64_t a6)
{
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;
    register uint64_t r10 __asm__("r10") = a6;
    uint64_t rax = a3;
    __asm__ volatile("syscall"
                     : "+S"(*a1), "+d"(*a2), "+a"(rax)
                     : "D"(rdi), "r"(r8), "r"(r9), "r"(r10)
                     : "rcx", "r11", "memory");
    return rax;
}

// Any register values at all, for tests; out1/out2 (may be NULL) receive RSI and RDX.
static inline uint64_t nova_hypercall_rdi(uint64_t rdi, uint64_t a1, uint64_t a2, uint64_t a3,
                                          uint64_t a4, uint64_t a5, uint64_t a6, uint64_t *out1,
                                          uint64_t *out2)
{
    uint64_t st = nova_syscall(rdi, &a1, &a2, a3, a4, a5, a6);
    if (out1)
        *out1 = a1;
    if (out2)
        *out2 = a2;
    return st;
}

// Raw hypercall by number and flags; the full 64-bit RAX comes back, so tests see garbage too.
static inline uint64_t nova_hypercall(unsigned nr, unsigned flags, uint64_t a1, uint64_t a2,
                                      uint64_t a3, uint64_t a4, uint64_t a5, uint64_t a6,
                                      uint64_t *out1, uint64_t *out2)
{
    return nova_hypercall_rdi(NOVA_HC_MAKE(nr, flags), a1, a2, a3, a4, a5, a6, out1, out2);
}

// Typed calls without results.
static inline enum nova_status nova_hc(enum nova_hypercall nr, unsigned flags, uint64_t a1,
                                       uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5,
                                       uint64_t a6)
{
    return (enum nova_status)nova_hypercall(nr, flags, a1, a2, a3, a4, a5, a6, NULL, NULL);
}

// create_pd (2): a child of parent (a PD capability with NOVA_PERM_PD_PD).
NOVA_MUST_CHECK static inline enum nova_status nova_create_pd(nova_sel sel, nova_sel parent)
{
    return nova_hc(NOVA_HC_CREATE_PD, 0, sel, parent, 0, 0, 0, 0);
}

// create_ec (3): utcb_cpu is the page-aligned UTCB address ORed with the CPU (bits 0-11).
NOVA_MUST_CHECK static inline enum nova_status nova_create_ec(nova_sel sel, nova_sel pd,
                                                              uint64_t utcb_cpu, uint64_t sp,
                                                              uint64_t ip, nova_sel evt_base,
                                                              bool global)
{
    return nova_hc(NOVA_HC_CREATE_EC, global ? NOVA_EC_GLOBAL : 0, sel, pd, utcb_cpu, sp, ip,
                   evt_base);
}

// create_sc (4): binds an SC to the global EC ec; priority 1-63, quantum 1-1000000 us.
NOVA_MUST_CHECK static inline enum nova_status
nova_create_sc(nova_sel sel, nova_sel pd, nova_sel ec, uint64_t prio, uint64_t quantum_us)
{
    return nova_hc(NOVA_HC_CREATE_SC, 0, sel, pd, ec, prio, quantum_us, 0);
}

// create_pt (5): a portal to the local EC ec, entered at ip.
NOVA_MUST_CHECK static inline enum nova_status
nova_create_pt(nova_sel sel, nova_sel pd, nova_sel ec, uint64_t mtd, uint64_t ip)
{
    return nova_hc(NOVA_HC_CREATE_PT, 0, sel, pd, ec, mtd, ip, 0);
}

// create_sm (6).
NOVA_MUST_CHECK static inline enum nova_status nova_create_sm(nova_sel sel, nova_sel pd,
                                                              uint64_t count)
{
    return nova_hc(NOVA_HC_CREATE_SM, 0, sel, pd, count, 0, 0, 0);
}

// revoke (7): crd of any type (memory: page numbers, I/O: ports, objects: selectors); self
// also removes the caller's own capabilities in the range, not only what derives from them.
NOVA_MUST_CHECK static inline enum nova_status nova_revoke(nova_crd crd, bool self)
{
    return nova_hc(NOVA_HC_REVOKE, self ? NOVA_REVOKE_SELF : 0, crd, 0, 0, 0, 0, 0);
}

// lookup (8): type is an enum nova_obj (0 for an empty slot); type/perms may be NULL.
NOVA_MUST_CHECK static inline enum nova_status nova_lookup(nova_sel sel, unsigned *type,
                                                           unsigned *perms)
{
    uint64_t t, p;
    enum nova_status st =
        (enum nova_status)nova_hypercall(NOVA_HC_LOOKUP, 0, sel, 0, 0, 0, 0, 0, &t, &p);
    if (type)
        *type = (unsigned)t;
    if (perms)
        *perms = (unsigned)p;
    return st;
}

// lookup with NOVA_LOOKUP_MEM (8): the descriptor of the mapping-database range that holds
// the page of va (0 if none) and the page's physical address (0 if not mapped); either may be
// NULL.
NOVA_MUST_CHECK static inline enum nova_status nova_lookup_mem(uint64_t va, nova_crd *crd,
                                                               uint64_t *phys)
{
    uint64_t c, p;
    enum nova_status st = (enum nova_status)nova_hypercall(NOVA_HC_LOOKUP, NOVA_LOOKUP_MEM, va, 0,
                                                           0, 0, 0, 0, &c, &p);
    if (crd)
        *crd = c;
    if (phys)
        *phys = p;
    return st;
}

// call (0): the message is in the caller's UTCB, and so is the reply when this returns NOVA_OK.
NOVA_MUST_CHECK static inline enum nova_status nova_call(nova_sel pt)
{
    return nova_hc(NOVA_HC_CALL, 0, pt, 0, 0, 0, 0, 0);
}

// reply (1): sends the message in the handler's UTCB. On success it does not return (the
// handler starts afresh at its portal's entry on the next call), so a return is an error.
NOVA_MUST_CHECK static inline enum nova_status nova_reply(void)
{
    return nova_hc(NOVA_HC_REPLY, 0, 0, 0, 0, 0, 0, 0);
}

// ec_ctrl (9), NOVA_EC_RECALL: ec gets a recall event before it next runs in user mode.
NOVA_MUST_CHECK static inline enum nova_status nova_ec_recall(nova_sel ec)
{
    return nova_hc(NOVA_HC_EC_CTRL, NOVA_EC_RECALL, ec, 0, 0, 0, 0, 0);
}

// delegate (15): the caller's range crd into PD pd at dest (a page number for memory, a
// selector for objects, ignored for I/O ports), without a receive window.
NOVA_MUST_CHECK static inline enum nova_status nova_delegate(nova_sel pd, nova_crd crd,
                                                             uint64_t dest)
{
    return nova_hc(NOVA_HC_DELEGATE, 0, pd, crd, dest, 0, 0, 0);
}

// sc_ctrl (10): the time the SC has consumed, in TSC ticks.
NOVA_MUST_CHECK static inline enum nova_status nova_sc_ctrl(nova_sel sel, uint64_t *time)
{
    return (enum nova_status)nova_hypercall(NOVA_HC_SC_CTRL, 0, sel, 0, 0, 0, 0, 0, time, NULL);
}

// pt_ctrl (11): sets the portal id delivered to the handler on every call.
NOVA_MUST_CHECK static inline enum nova_status nova_pt_ctrl(nova_sel sel, uint64_t id)
{
    return nova_hc(NOVA_HC_PT_CTRL, 0, sel, id, 0, 0, 0, 0);
}

// sm_ctrl (12): op is NOVA_SM_UP or NOVA_SM_DOWN.
NOVA_MUST_CHECK static inline enum nova_status nova_sm_ctrl(nova_sel sel, unsigned op)
{
    return nova_hc(NOVA_HC_SM_CTRL, op, sel, 0, 0, 0, 0, 0);
}

NOVA_MUST_CHECK static inline enum nova_status nova_sm_up(nova_sel sel)
{
    return nova_sm_ctrl(sel, NOVA_SM_UP);
}

// Blocks while the count is zero.
NOVA_MUST_CHECK static inline enum nova_status nova_sm_down(nova_sel sel)
{
    return nova_sm_ctrl(sel, NOVA_SM_DOWN);
}

// sm_ctrl (12) down until an up or until the TSC reaches deadline (absolute; 0 for none).
// NOVA_TIMEOUT when the deadline came first, at once if it has passed already.
NOVA_MUST_CHECK static inline enum nova_status nova_sm_down_timed(nova_sel sel, uint64_t deadline)
{
    return nova_hc(NOVA_HC_SM_CTRL, NOVA_SM_DOWN, sel, deadline, 0, 0, 0, 0);
}

// sm_ctrl (12) down that takes the whole count, with an optional deadline as above.
NOVA_MUST_CHECK static inline enum nova_status nova_sm_down_zero_timed(nova_sel sel,
                                                                       uint64_t deadline)
{
    return nova_hc(NOVA_HC_SM_CTRL, NOVA_SM_DOWN | NOVA_SM_ZERO, sel, deadline, 0, 0, 0, 0);
}

NOVA_MUST_CHECK static inline enum nova_status nova_sm_down_zero(nova_sel sel)
{
    return nova_sm_down_zero_timed(sel, 0);
}

// assign_gsi (14): routes the GSI of semaphore sm to cpu; flags NOVA_GSI_LEVEL and
// NOVA_GSI_ACTIVE_LOW. On success msi_addr/msi_data (may be NULL) reach the same vector.
NOVA_MUST_CHECK static inline enum nova_status
nova_assign_gsi(nova_sel sm, uint64_t cpu, uint64_t flags, uint64_t *msi_addr, uint64_t *msi_data)
{
    uint64_t addr = 0, data = 0;
    enum nova_status st = (enum nova_status)nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, sm, cpu, flags, 0,
                                                           0, 0, &addr, &data);
    if (msi_addr)
        *msi_addr = st == NOVA_OK ? addr : 0;
    if (msi_data)
        *msi_data = st == NOVA_OK ? data : 0;
    return st;
}
