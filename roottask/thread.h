// SPDX-License-Identifier: MIT
// Threads of the root task: global ECs on static stacks, and local ECs serving portals.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "nova-user/hypercall.h"
#include "nova/utcb.h"

// Enough for con_printf and a few calls.
#define THREAD_STACK_WORDS 1024

// A thread starts with RDI = its UTCB address; it has no return address, so it never returns.
typedef void thread_fn(struct nova_utcb *utcb);

// A portal handler starts afresh on every call, with RDI = the portal id and RSP = the top of
// its stack; it ends each call with nova_reply, which does not return on success.
typedef void portal_fn(uint64_t id);

// A local EC of the root PD and a portal to it.
struct portal {
    nova_sel ec, pt;
    struct nova_utcb *utcb; // the handler's UTCB, mapped in the root PD
};

// The initial stack pointer for a C function entered on [stack, stack + words): as if called.
uint64_t thread_stack_top(uint64_t *stack, size_t words);

// Creates the global EC ec in the root PD, with a fresh UTCB; it runs once it gets an SC.
NOVA_MUST_CHECK enum nova_status thread_create(nova_sel ec, thread_fn *fn, uint64_t *stack,
                                               size_t words);

// The same with event base evt_base; fn NULL: the EC asks its start-up portal where to start.
NOVA_MUST_CHECK enum nova_status thread_create_evt(nova_sel ec, thread_fn *fn, uint64_t *stack,
                                                   size_t words, nova_sel evt_base);

// A handler EC running fn on [stack, stack + words), and a portal to it with transfer
// descriptor mtd; fresh selectors for both, a fresh UTCB.
NOVA_MUST_CHECK enum nova_status portal_create(struct portal *p, portal_fn *fn, uint64_t *stack,
                                               size_t words, uint64_t mtd);

// Blocks the calling thread on sm for good.
_Noreturn void thread_park(nova_sel sm);

// The end of a handler: replies with the message in its UTCB. A reply that returns failed:
// that is a failed check, and the handler blocks on park for good.
_Noreturn void reply_or_park(nova_sel park);
