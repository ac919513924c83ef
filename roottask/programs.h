// SPDX-License-Identifier: MIT
// The programs of the boot configuration as the root task runs them: state, selectors, lock.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "nova-user/hypercall.h"
#include "nova/hip.h"
#include "nova/utcb.h"
#include "quota.h"

enum prog_state {
    PROG_IDLE,    // not started yet
    PROG_RUNNING, // started; its main EC may run
    PROG_FAULTED, // raised an exception: the supervisor reports it and tears it down
    PROG_EXITED,  // called SYS_EXIT: the supervisor tears it down
    PROG_ENDED,   // torn down for good, nothing held
    PROG_FAILED,  // could not be loaded (message printed), nothing held
};

struct program {
    const struct cfg_program *cfg;
    unsigned slot;
    enum prog_state state;
    bool started;                // its main EC took the start-up event
    unsigned instance;           // counts its starts: bookkeeping of an older start is stale
    unsigned restarts;           // restarts after faults so far
    unsigned handlers;           // handler ECs the root made for it (handlers.c)
    uint64_t entry;              // ELF entry, where the start-up event sends the main EC
    struct ledger image;         // frames of image, stack, start info and park stub
    struct ledger mem;           // frames of memory-service allocations
    struct quota quota;          // memory-service pages (mem= of the configuration)
    uint64_t free_before;        // free pool pages just before this start
    uint64_t others_before;      // pages all other programs held then
    struct nova_evt_state fault; // the state of the fault, for the report
    int64_t exit_status;
};

// The root's capabilities for a program sit in a block of selectors per slot, so that one
// revoke of the block takes them all and a restart finds the block empty.
#define PROG_SEL_BASE  0x1000
#define PROG_SEL_ORDER 6
enum prog_sel {
    PSEL_SC, // first: revoked first, which stops the program
    PSEL_PD,
    PSEL_EC,
    PSEL_MEM, // portals, bound to the service EC of the program's CPU
    PSEL_NAMES,
    PSEL_SYS,
    PSEL_EVT,
    PSEL_PARK,     // the semaphore the program parks on
    PSEL_CONSOLE,  // the program's copy of the console lock (one per program, to revoke it)
    PSEL_HANDLERS, // then pairs of handler EC and portal the program asked for (handlers.c)
    PSEL_END = 1 << PROG_SEL_ORDER,
};

static inline nova_sel prog_sel(const struct program *p, enum prog_sel which)
{
    return PROG_SEL_BASE + ((nova_sel)p->slot << PROG_SEL_ORDER) + which;
}

// Where the name registrations of each program land in the root's object space: a block of
// CFG_MAX_NAMES selectors per slot, inside the service ECs' receive window.
#define LANDING_BASE  0x2000
#define LANDING_ORDER 7
_Static_assert(CFG_MAX_PROGRAMS *CFG_MAX_NAMES <= 1u << LANDING_ORDER, "landing window");

static inline nova_sel prog_landing(const struct program *p)
{
    return LANDING_BASE + (nova_sel)p->slot * CFG_MAX_NAMES;
}

extern struct program programs[CFG_MAX_PROGRAMS];
extern unsigned program_count;
extern const struct nova_hip *system_hip;

// Whether p may still get anything from the services: not once it faulted or exited (a
// handler EC of it may still call while the supervisor tears it down).
static inline bool prog_alive(const struct program *p)
{
    return p->state == PROG_RUNNING;
}

// Pool pages all programs hold now (their ledgers).
uint64_t programs_held(void);

// Binds programs[i] to cfg->prog[i] and creates the lock; false if that failed.
bool programs_init(const struct cfg *cfg, const struct nova_hip *hip);

// One lock over all program state, the pool and the service tables: the supervisor and the
// service ECs of every CPU take it. A semaphore, so that a waiter blocks instead of
// spinning against a holder of lower priority on its own CPU.
void sys_lock(void);
void sys_unlock(void);

// The console lock all PDs write under (nova-user/console.h), and its repair after a
// teardown: a program torn down while it held the lock would leave it taken for good.
nova_sel console_lock(void);
void console_repair(void);

// The supervisor's doorbell: a service EC rings it after an event changed a program's state.
void sys_ring(void);
void sys_wait(void);
