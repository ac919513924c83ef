// SPDX-License-Identifier: MIT
// Execution context: a thread of a PD, pinned to one CPU, with its UTCB and saved user state.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/regs.h"
#include "kernel/kobj.h"

struct pd;
struct sc;
struct nova_utcb;
struct sm;

enum ec_state {
    EC_IDLE,    // local EC waiting for a portal call, or global EC without an SC
    EC_READY,   // may run: its SC is queued or running
    EC_BLOCKED, // waiting on a semaphore
    EC_DEAD,    // ended by a fault; never runs again
};

struct ec {
    struct kobj obj;
    // The user state; trap and syscall entry write it in place (see arch/x86/entry.S),
    // so it must end on a 16-byte boundary.
    struct cpu_regs regs __attribute__((aligned(16)));
    struct pd *pd; // holds a reference
    struct sc *sc; // NULL for a local EC
    struct nova_utcb *utcb;
    uint64_t utcb_va;
    uint64_t evt_base;
    unsigned cpu, id;
    enum ec_state state;
    bool global;
    struct sm *blocked_on; // the semaphore a blocked EC waits on; holds a reference
    struct ec *wait_next;  // link in that semaphore's wait queue
};

enum nova_status ec_create(struct ec **out, struct pd *pd, bool global, unsigned cpu,
                           uint64_t utcb_va, uint64_t sp, uint64_t ip, uint64_t evt_base)
    __attribute__((warn_unused_result));

// Ends ec after a fault it has no handler for; the report names PD, EC and the fault.
void ec_cache_init(void);
void ec_kill(struct ec *ec, const struct cpu_regs *r, const char *what);
