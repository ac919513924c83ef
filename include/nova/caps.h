// SPDX-License-Identifier: MIT
// Capability selectors, permission bits per object type, and the root PD's initial selectors.
#ifndef NOVA_CAPS_H
#define NOVA_CAPS_H

#include <stdint.h>

typedef uint64_t nova_sel;

// Selectors name slots of a PD's object space: [0, NOVA_SEL_MAX).
#define NOVA_SEL_MAX (512ull * 256)

// Permission bits of an object capability, by object type.
#define NOVA_PERM_PD_PD  0x01u // create_pd with this PD as the parent; delegate into it
#define NOVA_PERM_PD_EC  0x02u // create_ec in this PD
#define NOVA_PERM_PD_SC  0x04u // create_sc in this PD
#define NOVA_PERM_PD_PT  0x08u // create_pt in this PD
#define NOVA_PERM_PD_SM  0x10u // create_sm in this PD
#define NOVA_PERM_PD_ALL 0x1fu

#define NOVA_PERM_EC_CTRL 0x01u // ec_ctrl
#define NOVA_PERM_EC_PT   0x04u // bind a portal to this EC
#define NOVA_PERM_EC_SC   0x08u // bind a scheduling context to this EC
#define NOVA_PERM_EC_ALL  0x0du

#define NOVA_PERM_SC_CTRL 0x01u // sc_ctrl
#define NOVA_PERM_SC_ALL  0x01u

#define NOVA_PERM_PT_CTRL 0x01u // pt_ctrl
#define NOVA_PERM_PT_CALL 0x02u // call
#define NOVA_PERM_PT_ALL  0x03u

#define NOVA_PERM_SM_UP   0x01u // sm_ctrl up
#define NOVA_PERM_SM_DOWN 0x02u // sm_ctrl down
#define NOVA_PERM_SM_ALL  0x03u

// The root PD finds capabilities to its own objects at these selectors.
#define NOVA_SEL_ROOT_PD 0
#define NOVA_SEL_ROOT_EC 1
#define NOVA_SEL_ROOT_SC 2
// The semaphore of GSI g is at NOVA_SEL_ROOT_GSI + g.
#define NOVA_SEL_ROOT_GSI (NOVA_SEL_MAX - 256)
// First selector the root task may use freely.
#define NOVA_SEL_ROOT_FREE 32

#endif
