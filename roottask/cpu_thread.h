// SPDX-License-Identifier: MIT
// Threads pinned to a CPU: global ECs of the root PD with an argument and their own SC.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nova/hip.h"
#include "thread.h"

// The static stack array s as the two stack arguments.
#define STACK_OF(s) (s), (sizeof(s) / sizeof((s)[0]))

// Enough for a thread that does not print.
#define SMALL_STACK_WORDS 512

struct thread_spec {
    thread_fn *fn;
    uint64_t *stack;
    size_t words;
    uint64_t arg;  // what thread_arg returns in the thread
    unsigned cpu;  // bits 0-11 of create_ec's UTCB argument
    unsigned prio; // 1-63; the root runs at 32
    unsigned quantum_us;
};

// Creates the EC on s->cpu without an SC: it does not run yet.
NOVA_MUST_CHECK enum nova_status thread_create_on(nova_sel ec, const struct thread_spec *s);

// Creates the EC and binds an SC: it runs at once if its CPU has nothing more important.
// ec and sc (sc may be NULL) receive the selectors used.
NOVA_MUST_CHECK enum nova_status thread_start(const struct thread_spec *s, nova_sel *ec,
                                              nova_sel *sc);

// An up from a thread, which cannot report: a lost up shows as the waiter's timeout.
void thread_signal(nova_sel sm);

// Blocks the calling thread for good, on a semaphore nobody ups (made by thread_start).
_Noreturn void thread_rest(void);

// The argument of the thread whose UTCB this is (kept in the UTCB's tls word).
static inline uint64_t thread_arg(const struct nova_utcb *utcb)
{
    return utcb->head.tls;
}

// The initial local APIC id of the CPU the caller runs on, from CPUID (no hypercall).
unsigned cpu_apic_self(void);

// The HIP's view of the CPUs: how many are online, whether cpu is, the highest online one.
unsigned cpus_online(const struct nova_hip *hip);
bool cpu_is_online(const struct nova_hip *hip, unsigned cpu);
unsigned cpu_last(const struct nova_hip *hip);
