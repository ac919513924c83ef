// SPDX-License-Identifier: MIT
// Hypercall numbers, the register convention, and the ABI version.
#ifndef NOVA_HYPERCALL_H
#define NOVA_HYPERCALL_H

#include <stdint.h>

#define NOVA_ABI_VERSION 1

// Entry is SYSCALL. In: RDI = hypercall number (bits 0-7) | flags (bits 8-15),
// RSI, RDX, R8, R9, R10 = arguments 1 to 5. Out: RAX = enum nova_status,
// RSI, RDX = results where a hypercall has them. RCX and R11 are clobbered.
enum nova_hypercall {
    NOVA_HC_CALL = 0,
    NOVA_HC_REPLY = 1,
    NOVA_HC_CREATE_PD = 2,
    NOVA_HC_CREATE_EC = 3,
    NOVA_HC_CREATE_SC = 4,
    NOVA_HC_CREATE_PT = 5,
    NOVA_HC_CREATE_SM = 6,
    NOVA_HC_REVOKE = 7,
    NOVA_HC_LOOKUP = 8,
    NOVA_HC_EC_CTRL = 9,
    NOVA_HC_SC_CTRL = 10,
    NOVA_HC_PT_CTRL = 11,
    NOVA_HC_SM_CTRL = 12,
    NOVA_HC_ASSIGN_PCI = 13,
    NOVA_HC_ASSIGN_GSI = 14,
    NOVA_HC_DELEGATE = 15,
    NOVA_HC_COUNT = 16,
};

#define NOVA_HC_NUMBER(rdi) ((unsigned)((rdi) & 0xff))
#define NOVA_HC_FLAGS(rdi)  ((unsigned)(((rdi) >> 8) & 0xff))
#define NOVA_HC_MAKE(nr, flags) ((uint64_t)(nr) | (uint64_t)(flags) << 8)

// create_ec flags: a global EC runs on its own SC; a local EC only serves portals.
#define NOVA_EC_GLOBAL 0x1

// sm_ctrl operations (flags field).
#define NOVA_SM_UP   0
#define NOVA_SM_DOWN 1

// ec_ctrl operations (flags field).
#define NOVA_EC_RECALL 0

// revoke flags: also remove the caller's own range, not only what was derived from it.
#define NOVA_REVOKE_SELF 0x1

// assign_gsi flags: trigger mode and polarity of the line.
#define NOVA_GSI_LEVEL      0x1
#define NOVA_GSI_ACTIVE_LOW 0x2

// sm_ctrl down: take the whole count instead of one unit.
#define NOVA_SM_ZERO 0x2

// lookup flags: 0 looks up an object selector, NOVA_LOOKUP_MEM a page of the memory space.
#define NOVA_LOOKUP_MEM 0x1

#endif
