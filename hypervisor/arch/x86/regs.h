// SPDX-License-Identifier: MIT
// Register frame saved by the trap entry code; the layout matches arch/x86/entry.S.
#pragma once

#define SYSCALL_VECTOR 0x100 // vector field of a frame built by the SYSCALL entry

#ifndef __ASSEMBLER__
#include <stdint.h>

struct cpu_regs {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    // Pushed by the CPU on every interrupt and exception in long mode.
    uint64_t rip, cs, rflags, rsp, ss;
};

_Static_assert(sizeof(struct cpu_regs) == 22 * 8, "entry.S frame layout");

#endif
