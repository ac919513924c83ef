// SPDX-License-Identifier: MIT
// More hypercall bindings: timed and zeroing downs, assign_gsi, delegate, memory lookup.
#pragma once

// To be merged into hypercall.h; kept apart while other work edits that file.
#include "nova-user/hypercall.h"

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

// delegate (15): the caller's range crd into PD pd at dest (page number, selector).
NOVA_MUST_CHECK static inline enum nova_status nova_delegate(nova_sel pd, nova_crd crd,
                                                             uint64_t dest)
{
    return nova_hc(NOVA_HC_DELEGATE, 0, pd, crd, dest, 0, 0, 0);
}

// lookup (8) with NOVA_LOOKUP_MEM: the descriptor of the range holding the page at va
// (0 if none) and its physical address (0 if not mapped); either pointer may be NULL.
NOVA_MUST_CHECK static inline enum nova_status nova_lookup_mem(uint64_t va, nova_crd *crd,
                                                               uint64_t *phys)
{
    uint64_t c = 0, p = 0;
    enum nova_status st = (enum nova_status)nova_hypercall(NOVA_HC_LOOKUP, NOVA_LOOKUP_MEM, va, 0,
                                                           0, 0, 0, 0, &c, &p);
    if (crd)
        *crd = c;
    if (phys)
        *phys = p;
    return st;
}
