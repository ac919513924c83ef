// SPDX-License-Identifier: MIT
// Programs the root task starts: their entry, their start info, exit and parking.
#pragma once

#include <stdint.h>

#include "nova-user/services.h"
#include "nova-user/start_info.h"
#include "nova/utcb.h"

// The program; program_start.S calls it, and its return value ends the program
// (prog_exit). 0 means success.
int main(const struct nova_start_info *info);

// What the root task told the program at start-up.
const struct nova_start_info *prog_info(void);

// The main EC's UTCB: the service clients (mem.h, names.h) send their messages with it.
struct nova_utcb *prog_utcb(void);

// Tells the root the program has ended with status, then parks: the root takes everything
// back. Never returns.
_Noreturn void prog_exit(int status);

// A portal handler: a local EC of the program that starts afresh at fn, with RSP = sp and
// RDI = the portal id, for every call, and ends each with a reply (SYS_HANDLER: the root
// makes both objects, so that they go with the program). The EC's UTCB is mapped at utcb (a
// free page-aligned address, e.g. in NOVA_PROG_UTCB_AREA); ec_sel and pt_sel receive the
// capabilities (the portal with all permissions).
enum svc_status prog_handler(uint64_t utcb, uint64_t sp, void (*fn)(uint64_t id), uint64_t mtd,
                             nova_sel ec_sel, nova_sel pt_sel);

// The initial stack pointer for a handler on stack[0, words): as if fn had been called.
static inline uint64_t prog_stack_top(uint64_t *stack, uint64_t words)
{
    return (((uint64_t)(uintptr_t)(stack + words)) & ~15ull) - 8;
}

// Blocks the calling EC for good (a server's main EC, once its portals are up); the
// program's teardown wakes it only to end it.
_Noreturn void prog_park(void);

// Blocks the calling EC for about ms milliseconds (needs the TSC frequency); it ends here
// if the program is torn down meanwhile.
void prog_sleep_ms(unsigned ms);

static inline uint64_t prog_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}
