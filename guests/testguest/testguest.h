// SPDX-License-Identifier: MIT
// The test guest's memory layout and flavours (macros only, for C and assembly).
#pragma once

// The flat image is loaded, and starts in real mode, at this guest-physical address.
#define TESTGUEST_LOAD 0x10000

// Before the start the VMM writes a 32-bit flavour at TESTGUEST_LOAD + TESTGUEST_FLAVOUR.
#define TESTGUEST_FLAVOUR      0x8
#define TESTGUEST_NORMAL       0 // every mode, an interrupt, a nested page fault, then done
#define TESTGUEST_TRIPLE_FAULT 1 // every mode, then a deliberate triple fault
#define TESTGUEST_BENCH        2 // every mode, then CPUID exits and an empty loop timed (below)
#define TESTGUEST_SPIN         3 // every mode, then counts for ever with interrupts on
#define TESTGUEST_WINDOW       4 // every mode, a CLI phase the root ends, STI, an interrupt, done
#define TESTGUEST_REVOKE       5 // every mode, a page the VMM takes away under the guest, done
#define TESTGUEST_INJECT       6 // every mode, a #GP and a #UD the VMM injects on request, done

// Guest-physical memory the guest uses; it needs RAM in [0, TESTGUEST_MEM_MIN).
#define TESTGUEST_STACK_TOP 0x1f000 // below the page tables
#define TESTGUEST_PML4      0x20000 // PML4, PDPT, PD: three pages
#define TESTGUEST_IDT       0x23000 // one page
#define TESTGUEST_SHARED    0x24000 // one page of words the root reads and writes (below)
#define TESTGUEST_MEM_MIN   0x25000
#define TESTGUEST_MAPPED    0x1000000 // the guest's page tables map [0, 16 MiB) 1:1

// A guest-physical address beyond the guest's RAM that the guest writes and reads back.
#define TESTGUEST_HOLE 0x800000

#define TESTGUEST_BENCH_ROUNDS 10000
#define TESTGUEST_BENCH_WARMUP 100

// BENCH: BENCH_ROUNDS CPUID exits timed by RDTSC, then KBENCH_LOOPS rounds of an empty loop
// timed without and with host interrupts. The figures go to the VMM by VMM_HC_BENCH index;
// VMM_HC_MARK tells the root when to start and to stop the host interrupts.
#define TESTGUEST_KBENCH_LOOPS 0x8000000 // 2^27 rounds of a two-instruction loop
#define TESTGUEST_FIG_CPUID    0         // the average CPUID exit
#define TESTGUEST_FIG_QUIET    1         // the loop's ticks without host interrupts
#define TESTGUEST_FIG_IRQ      2         // the loop's ticks with them
#define TESTGUEST_MARK_IRQ_ON  1
#define TESTGUEST_MARK_IRQ_OFF 2
#define TESTGUEST_MARK_SPUN    3 // SPIN: the safety exit (below)

// SPIN and WINDOW: 64-bit words in the shared page.
#define TESTGUEST_COUNTER   (TESTGUEST_SHARED + 0x00) // the spin loops' count
#define TESTGUEST_CLI_START (TESTGUEST_SHARED + 0x08) // WINDOW: 1 once interrupts are off
#define TESTGUEST_CLI_GO    (TESTGUEST_SHARED + 0x10) // WINDOW: the root's word to end the phase
#define TESTGUEST_CLI_DONE  (TESTGUEST_SHARED + 0x18) // WINDOW: 1 right before the STI
#define TESTGUEST_SPUN      (TESTGUEST_SHARED + 0x20) // SPIN: safety exits so far

// REVOKE: 64-bit words in the shared page.
#define TESTGUEST_REVOKE_READY (TESTGUEST_SHARED + 0x28) // 1 once the guest waits for the root
#define TESTGUEST_REVOKE_GO    (TESTGUEST_SHARED + 0x30) // the root's word to read the page again

// SPIN takes no exit, but for a safety exit (VMMCALL, MARK_SPUN) every SPIN_ROUNDS rounds,
// seconds apart: a kernel that never interrupts the guest then fails a test, not hangs it.
#define TESTGUEST_SPIN_ROUNDS 0x10000000

// SPIN: this vector prints "guest: recalled". WINDOW: this one "guest: window interrupt".
#define TESTGUEST_IRQ_RECALL 0x21
#define TESTGUEST_IRQ_WINDOW 0x22
#define TESTGUEST_CLI_TAIL   100000    // WINDOW: rounds with interrupts off after the root's word
#define TESTGUEST_IRQ_WAIT   100000000 // WINDOW: rounds it waits for the interrupt after the STI

// REVOKE: the guest fills the page at TESTGUEST_REVOKED (beyond its RAM, which the VMM maps
// before the start) with TESTGUEST_PATTERN and says MARK_WRITTEN; it reads the pattern back
// (the page's translation is in its TLB again after the exit), sets TESTGUEST_REVOKE_READY and
// spins until the root's TESTGUEST_REVOKE_GO; meanwhile the VMM revokes the page. The guest then
// reads the page's first word (a nested page fault there, after which the VMM maps a fresh
// page), checks that the whole page reads zero, prints "guest: page is fresh" and says
// MARK_FRESH. The wait takes no exit but a CPUID every TESTGUEST_SPIN_ROUNDS rounds, seconds
// apart: a vCPU on another CPU than the revoking thread keeps running through the revoke.
#define TESTGUEST_REVOKED      0xa00000
#define TESTGUEST_PATTERN      0x5a17c0de0badf00dull
#define TESTGUEST_MARK_WRITTEN 4
#define TESTGUEST_MARK_FRESH   5

// INJECT: VMMCALL MARK_GP_PLEASE asks for a #GP, MARK_UD_PLEASE for a #UD, each injected on
// the reply: the handler runs with the instruction after the VMMCALL as its return address.
// The handlers say MARK_GP_SEEN (RCX: the error code on the stack, RDX: the return RIP) and
// MARK_UD_SEEN (RCX: the return RIP, RDX: the CS of the frame: no error code before them),
// print "guest: #GP handler ran" and "guest: #UD handler ran", and return there.
#define TESTGUEST_MARK_GP_PLEASE 6
#define TESTGUEST_MARK_GP_SEEN   7
#define TESTGUEST_MARK_UD_PLEASE 8
#define TESTGUEST_MARK_UD_SEEN   9
#define TESTGUEST_SEL_CODE64     0x18 // the guest's 64-bit code segment
