// SPDX-License-Identifier: MIT
// Threads of the root task: global ECs in the root PD running a C function on a static stack.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "nova-user/hypercall.h"
#include "nova/utcb.h"

// Enough for con_printf and a few calls.
#define THREAD_STACK_WORDS 1024

// A thread starts with RDI = its UTCB address; it has no return address, so it never returns.
typedef void thread_fn(struct nova_utcb *utcb);

// Creates the global EC ec in the root PD, with a fresh UTCB; it runs once it gets an SC.
NOVA_MUST_CHECK enum nova_status thread_create(nova_sel ec, thread_fn *fn, uint64_t *stack,
                                               size_t words);

// Blocks the calling thread on sm for good.
_Noreturn void thread_park(nova_sel sm);
