// SPDX-License-Identifier: MIT
// The test guest's memory layout and flavours (macros only, for C and assembly).
#pragma once

// The flat image is loaded, and starts in real mode, at this guest-physical address.
#define TESTGUEST_LOAD 0x10000

// Before the start the VMM writes a 32-bit flavour at TESTGUEST_LOAD + TESTGUEST_FLAVOUR.
#define TESTGUEST_FLAVOUR      0x8
#define TESTGUEST_NORMAL       0 // every mode, an interrupt, a nested page fault, then done
#define TESTGUEST_TRIPLE_FAULT 1 // every mode, then a deliberate triple fault
#define TESTGUEST_BENCH        2 // every mode, then BENCH_ROUNDS CPUID exits timed by RDTSC

// Guest-physical memory the guest uses; it needs RAM in [0, TESTGUEST_MEM_MIN).
#define TESTGUEST_STACK_TOP 0x1f000 // below the page tables
#define TESTGUEST_PML4      0x20000 // PML4, PDPT, PD: three pages
#define TESTGUEST_IDT       0x23000 // one page
#define TESTGUEST_MEM_MIN   0x24000
#define TESTGUEST_MAPPED    0x1000000 // the guest's page tables map [0, 16 MiB) 1:1

// A guest-physical address beyond the guest's RAM that the guest writes and reads back.
#define TESTGUEST_HOLE 0x800000

#define TESTGUEST_BENCH_ROUNDS 10000
#define TESTGUEST_BENCH_WARMUP 100
