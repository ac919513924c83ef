// SPDX-License-Identifier: MIT
// SYSCALL set-up and the per-CPU data every CPU reaches through GS.
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/percpu.h"
#include "kernel/cpus.h"

#define RFLAGS_IF 0x200
#define RFLAGS_TF 0x100
#define RFLAGS_DF 0x400
#define RFLAGS_AC 0x40000

extern char syscall_entry[];

struct percpu percpu[MAX_CPUS];

_Static_assert(__builtin_offsetof(struct percpu, kstack_top) == PERCPU_KSTACK_TOP, "entry.S");
_Static_assert(__builtin_offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "entry.S");
_Static_assert(__builtin_offsetof(struct percpu, frame_top) == PERCPU_FRAME_TOP, "entry.S");

void percpu_init(unsigned cpu, uint64_t kstack_top)
{
    struct percpu *p = &percpu[cpu];
    p->kstack_top = kstack_top;
    p->self = p;
    p->id = cpu;
    wrmsr(MSR_GS_BASE, (uint64_t)p);
    wrmsr(MSR_KERNEL_GS_BASE, 0);

    // SYSRET loads CS from STAR[63:48] + 16 and SS from + 8; SYSCALL CS from STAR[47:32].
    wrmsr(MSR_STAR, (uint64_t)(SEL_UDATA - 8 - 3) << 48 | (uint64_t)SEL_KCODE << 32);
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    // Enter with interrupts off and a clean direction, trap and alignment-check state.
    wrmsr(MSR_FMASK, RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
