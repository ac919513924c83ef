// SPDX-License-Identifier: MIT
// A child PD that runs the root task's own code: the image delegated, with its own globals.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nova-user/hypercall.h"
#include "nova/hip.h"
#include "thread.h"

/*
 * The child sees the root's text and rodata (the same pages, read-only) and a copy of the
 * root's data and bss, taken when child_create ran: every global of the root task exists
 * twice from then on, and the child's ECs see only their copy. The root reads and writes
 * that copy with CHILD_GET and CHILD_SET (through its own mapping of the pages).
 */

// Selectors in the child's object space.
#define CHILD_SEL_PARK      1  // an SM nobody ups: child_park blocks on it
#define CHILD_SEL_FREE      16 // the tests' own selectors start here
#define CHILD_SEL_EVT_BASE  64 // event base for ECs that take events: 64 selectors
#define CHILD_SEL_EVT_BASE2 128

// Where the child's stacks and UTCBs go, far from the image and from each other.
#define CHILD_STACK_AREA 0x10000000ull
#define CHILD_UTCB_AREA  0x7f0000000000ull

#define CHILD_PRIO       40 // above the root's 32: a child thread runs until it blocks
#define CHILD_QUANTUM_US 10000

struct child {
    nova_sel pd;            // the child PD, in the root's object space
    uint64_t data_phys;     // the child's copy of data and bss, physically contiguous
    uint64_t data_start;    // page-aligned start of data (the same address in both PDs)
    uint64_t data_end;      // page-aligned end of bss
    unsigned root_failures; // check_failures when the copy was taken
    uint64_t next_stack;    // child addresses not handed out yet
    uint64_t next_utcb;
};

// child_create options.
#define CHILD_CONSOLE 0x1 // the COM1 ports, so that the child can print (and fail checks)

// Creates the child PD and delegates the image, a fresh copy of data and bss, the park
// semaphore and, with CHILD_CONSOLE, the COM1 ports into it. False (after failed checks) if
// not.
bool child_create(struct child *c, unsigned options);

// Delegates a fresh page of the root's free memory into the child at va with perms
// (NOVA_CRD_MEM_*); returns its physical address, 0 on failure (a failed check).
uint64_t child_map_fresh(struct child *c, uint64_t va, unsigned perms);

// Delegates the root's capability sel into the child's object space at dest, all permissions.
NOVA_MUST_CHECK enum nova_status child_give_cap(struct child *c, nova_sel sel, nova_sel dest);

// An EC of the child running fn on a fresh stack of the child: global (fn is a thread_fn,
// started once it has an SC) or local (fn is a portal_fn, entered on every call). The EC's
// UTCB address in the child goes to *utcb.
NOVA_MUST_CHECK enum nova_status child_ec(struct child *c, nova_sel ec, void *fn, nova_sel evt_base,
                                          bool global, uint64_t *utcb);

// A global EC of the child running fn, with an SC of priority CHILD_PRIO: it runs at once,
// and this returns when it blocks.
NOVA_MUST_CHECK enum nova_status child_thread(struct child *c, thread_fn *fn, nova_sel evt_base);

// The root's view of the child's copy of the global at root_va, size bytes.
void child_read(const struct child *c, const void *root_va, void *dst, size_t size);
void child_write(const struct child *c, void *root_va, const void *src, size_t size);

#define CHILD_GET(c, var)                                                                          \
    ({                                                                                             \
        __typeof__(var) v_;                                                                        \
        child_read((c), (const void *)&(var), (void *)&v_, sizeof(v_));                            \
        v_;                                                                                        \
    })
#define CHILD_SET(c, var, value)                                                                   \
    do {                                                                                           \
        __typeof__(var) v_ = (value);                                                              \
        child_write((c), (void *)&(var), (const void *)&v_, sizeof(v_));                           \
    } while (0)

// Counts the checks that failed in the child as the root's own.
void child_collect_failures(const struct child *c);

// Child code: blocks the calling EC for good.
_Noreturn void child_park(void);
