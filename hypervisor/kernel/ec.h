// SPDX-License-Identifier: MIT
// Execution context: a thread of a PD, pinned to one CPU, with its UTCB and saved user state.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "arch/x86/regs.h"
#include "kernel/kobj.h"
#include "kernel/timeq.h"

struct pd;
struct sc;
struct nova_utcb;
struct sm;
struct vcpu;

enum ec_state {
    EC_IDLE,    // local EC waiting for a portal call, or global EC without an SC
    EC_READY,   // may run on its own SC or on the SC of the call chain it serves
    EC_BLOCKED, // waiting on a semaphore
    EC_CALLING, // waiting for the reply of callee, which runs on this EC's time
    EC_QUEUED,  // waiting for a busy handler (waiting_for) to accept its call or event
    EC_DEAD,    // ended by a fault; never runs again
};

// Events waiting for delivery when the EC next returns to user mode.
#define EC_PENDING_STARTUP 0x1u
#define EC_PENDING_RECALL  0x2u

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
    struct timeq_link timeout; // a timed semaphore down
    struct sm *blocked_on; // the semaphore a blocked EC waits on; holds a reference
    struct ec *wait_next;  // link in a semaphore's or a handler's wait queue

    // Portal calls. A caller holds a reference to its callee; caller is a weak back link.
    struct ec *callee, *caller;
    struct ec *waiting_for;        // the busy handler an EC_QUEUED EC waits for
    struct ec *waiters, *last;     // ECs queued for this handler, first come first served
    uint64_t initial_sp;           // a handler starts every call here
    bool in_event;                 // the current call is an event: the reply writes back state
    struct vcpu *vcpu;             // a virtual CPU: runs guest code instead of user code
    unsigned pending;              // EC_PENDING_*
};

enum nova_status ec_create(struct ec **out, struct pd *pd, bool global, unsigned cpu,
                           uint64_t utcb_va, uint64_t sp, uint64_t ip, uint64_t evt_base)
    __attribute__((warn_unused_result));
// A virtual CPU of pd's guest; it asks its start-up portal for its first state.
enum nova_status ec_create_vcpu(struct ec **out, struct pd *pd, unsigned cpu, uint64_t evt_base)
    __attribute__((warn_unused_result));

// Ends ec after a fault it has no handler for; the report names PD, EC and the fault.
void ec_cache_init(void);
void ec_kill(struct ec *ec, const struct cpu_regs *r, const char *what);
