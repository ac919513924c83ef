// SPDX-License-Identifier: MIT
// Test "badargs": the objects and arguments its cases share.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "check.h"
#include "nova/caps.h"
#include "nova/hip.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

// Valid priority and quantum, low enough that a wrongly accepted SC never preempts the root.
#define BADARGS_PRIO       1
#define BADARGS_QUANTUM_US 1000

// Set up once; each case varies one argument of an otherwise valid call.
struct badargs {
    const struct nova_hip *hip;
    nova_sel free;       // destination of every failing create: must stay empty
    nova_sel empty;      // never used: the empty slot passed where an object is expected
    nova_sel sm;         // SM with count 1: an occupied slot, an object of the wrong type
    nova_sel victim;     // SM that only the revoke cases may remove
    nova_sel ec_local;   // local EC in the root PD, with a portal pt
    nova_sel pt;         //
    nova_sel ec_global;  // global EC without an SC
    nova_sel ec_busy;    // global EC with the SC sc
    nova_sel sc;         //
    nova_sel pd;         // an empty child PD: where the delegate cases aim
    uint64_t utcb;       // unmapped UTCB address that failing create_ec calls name
    uint64_t local_utcb; // ec_local's UTCB: mapped
    uint64_t sp, ip;     // a valid stack and entry for ECs and portals
};

// A failed hypercall changed nothing (docs/abi.md), so the destination is still empty.
// Both checks always run, the call first; the value is whether both passed.
#define CHECK_FAILS(expr, want, dest)                                                              \
    ({                                                                                             \
        bool status_ok_ = check_status_at(CHECK_FILE, __LINE__, #expr, (expr), (want));            \
        CHECK_EMPTY(dest) && status_ok_;                                                           \
    })

// After a failed check inside a loop: which call and which argument value it was.
void badargs_note(const char *call, uint64_t arg, bool ok);

void badargs_create_cases(const struct badargs *b);

// call, reply, ec_ctrl and delegate; then PERM, with capabilities delegated with fewer
// permissions.
void badargs_ipc_cases(const struct badargs *b);
