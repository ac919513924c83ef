// SPDX-License-Identifier: MIT
// Interrupt descriptor table and the C side of trap dispatch.
#pragma once

#include "arch/x86/regs.h"

// Builds the IDT, shared by all CPUs, and loads it; idt_load loads it on another CPU.
void idt_init(void);
void idt_load(void);
struct cpu_regs *trap_dispatch(struct cpu_regs *r);
void regs_dump(const struct cpu_regs *r);
const char *exception_name(unsigned vec);

// Leaves the kernel by restoring frame (user or kernel mode); never returns.
__attribute__((noreturn)) void resume_frame(struct cpu_regs *frame);
