// SPDX-License-Identifier: MIT
// Hypercall dispatch: one table indexed by number; handlers decode, then perform.
#pragma once

#include <stdint.h>

#include "arch/x86/regs.h"

// Arguments and results of one hypercall, read from and written to the caller's frame.
struct hc {
    struct cpu_regs *r;
    unsigned flags;
};

static inline uint64_t hc_arg1(const struct hc *h) { return h->r->rsi; }
static inline uint64_t hc_arg2(const struct hc *h) { return h->r->rdx; }
static inline uint64_t hc_arg3(const struct hc *h) { return h->r->rax; }
static inline uint64_t hc_arg4(const struct hc *h) { return h->r->r8; }
static inline uint64_t hc_arg5(const struct hc *h) { return h->r->r9; }
static inline uint64_t hc_arg6(const struct hc *h) { return h->r->r10; }
static inline void hc_out1(struct hc *h, uint64_t v) { h->r->rsi = v; }
static inline void hc_out2(struct hc *h, uint64_t v) { h->r->rdx = v; }

struct cpu_regs *syscall_dispatch(struct cpu_regs *r);

// Calls made per hypercall number since boot, for the debug output.
extern uint64_t hypercall_count[];
