// SPDX-License-Identifier: MIT
// What the root task gives every program it starts: the start-info page and the fixed layout.
#pragma once

#include <stdint.h>

#include "nova/caps.h"

/*
 * A program starts at its ELF entry with RSP = NOVA_PROG_STACK_TOP, RDI = its UTCB
 * (NOVA_PROG_UTCB) and RSI = NOVA_PROG_INFO, where the root maps a read-only page that
 * starts with struct nova_start_info. docs/roottask.md describes the convention.
 */

// Addresses in every program's address space, all below the top of user space.
#define NOVA_PROG_INFO        0x7fffffffe000ull // the start-info page, read-only
#define NOVA_PROG_UTCB        0x7fffffffd000ull // the main EC's UTCB
#define NOVA_PROG_PARK_STUB   0x7fffffffc000ull // root code a dead program parks in (R+X)
#define NOVA_PROG_STACK_TOP   0x7fffffff0000ull // the main EC's stack, pages below it
#define NOVA_PROG_STACK_PAGES 16
#define NOVA_PROG_UTCB_AREA   0x7fff00000000ull // free for the UTCBs of further ECs
#define NOVA_PROG_IMAGE_LIMIT 0x100000000000ull // ELF segments lie below
#define NOVA_PROG_HEAP        0x100000000000ull // memory-service allocations land from here
#define NOVA_PROG_HEAP_ORDER  30                // ... in a window of 2^30 pages (4 TiB)

// Selectors in every program's object space.
#define NOVA_PROG_SEL_PD       0 // its own PD: may create semaphores in it (handlers: SYS_HANDLER)
#define NOVA_PROG_SEL_EC       1 // its main EC (ec_ctrl)
#define NOVA_PROG_SEL_SC       2 // its main SC (sc_ctrl)
#define NOVA_PROG_SEL_MEM      3 // memory-service portal
#define NOVA_PROG_SEL_NAMES    4 // name-service portal
#define NOVA_PROG_SEL_SYS      5 // supervisor portal (exit)
#define NOVA_PROG_SEL_PARK     6 // a semaphore nobody ups: parking and timed sleeps
#define NOVA_PROG_SEL_CONSOLE  7 // the console lock every PD writes the UART under
#define NOVA_PROG_SEL_IRQ      8 // the semaphores of its irqs= GSIs, in configuration order
#define NOVA_PROG_IRQ_MAX      8
#define NOVA_PROG_SEL_EVT_BASE 64  // event base of the main EC: 0-31 exceptions, 32 start-up
#define NOVA_PROG_SEL_FREE     128 // the first selector the program may use as it likes

#define NOVA_START_MAGIC 0x5452545341564f4eull // "NOVASTRT" in memory order
#define NOVA_START_NAME  32
#define NOVA_START_ARGS  128

struct nova_start_info {
    uint64_t magic;                  // NOVA_START_MAGIC
    char name[NOVA_START_NAME];      // the program's name in the configuration, NUL-terminated
    char args[NOVA_START_ARGS];      // its args= string, NUL-terminated ("" if none)
    nova_sel pd, ec, sc;             // its own objects (NOVA_PROG_SEL_PD, ...)
    nova_sel mem_portal;             // memory service
    nova_sel name_portal;            // name service
    nova_sel sys_portal;             // supervisor
    nova_sel park_sm;                // parking semaphore
    nova_sel console_sm;             // the console lock (con_set_lock)
    nova_sel evt_base;               // event base of the main EC
    nova_sel free_sel;               // first free selector
    nova_sel name_landing;           // root selectors where this program's registrations land
    uint64_t name_landing_count;     // ... how many (one per provided service)
    uint64_t quota_pages;            // what the memory service grants it at most
    uint64_t cpu;                    // the CPU all its ECs must run on
    uint64_t tsc_khz;                // for timed waits (0 if unknown)
    uint64_t heap, heap_order;       // the memory-service window (NOVA_PROG_HEAP, ..._ORDER)
    uint64_t utcb, stack_top;        // the main EC's UTCB and initial stack pointer
    uint64_t restarts;               // how often the root restarted it so far
    uint64_t irq_count;              // GSI semaphores at NOVA_PROG_SEL_IRQ + i (DOWN permission)
    uint64_t irq[NOVA_PROG_IRQ_MAX]; // ... of these GSIs
};

_Static_assert(sizeof(struct nova_start_info) <= 4096, "the start info fits its page");
