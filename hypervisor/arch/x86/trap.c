// SPDX-License-Identifier: MIT
// C side of trap dispatch: exceptions are reported with the full register state.
#include "arch/x86/idt.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "kernel/ec.h"
#include "kernel/gsi.h"
#include "kernel/lock.h"
#include "kernel/tlb.h"
#include "kernel/ipc.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "lib/format.h"

static const char *const exc_names[32] = {
    "#DE divide error", "#DB debug", "NMI", "#BP breakpoint", "#OF overflow",
    "#BR bound range", "#UD invalid opcode", "#NM device not available", "#DF double fault",
    "coprocessor segment overrun", "#TS invalid TSS", "#NP segment not present",
    "#SS stack fault", "#GP general protection", "#PF page fault", "reserved",
    "#MF x87 floating point", "#AC alignment check", "#MC machine check",
    "#XM SIMD floating point", "#VE virtualization", "#CP control protection",
    [28] = "#HV hypervisor injection", [29] = "#VC VMM communication", [30] = "#SX security",
};

const char *exception_name(unsigned vec)
{
    return vec < 32 && exc_names[vec] ? exc_names[vec] : "reserved";
}

void regs_dump(const struct cpu_regs *r)
{
    printk("  rip %016lx  cs %04lx  rflags %016lx  rsp %016lx  ss %04lx\n", r->rip, r->cs,
           r->rflags, r->rsp, r->ss);
    printk("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", r->rax, r->rbx, r->rcx, r->rdx);
    printk("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", r->rsi, r->rdi, r->rbp, r->r8);
    printk("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r9, r->r10, r->r11, r->r12);
    printk("  r13 %016lx  r14 %016lx  r15 %016lx  cr2 %016lx\n", r->r13, r->r14, r->r15,
           read_cr2());
}

static void kernel_exception(struct cpu_regs *r)
{
    printk("EXCEPTION: vector %lu (%s), error code 0x%lx, in kernel mode\n", r->vector,
           exception_name(r->vector), r->error);
    regs_dump(r);
    panic("unhandled exception %lu in the kernel", r->vector);
}

// An exception in user mode is a message to the EC's event portal; without one it ends the
// EC that raised it, and the rest of the system goes on.
static void user_exception(struct cpu_regs *r)
{
    struct ec *ec = sched_current();
    if (ipc_exception(ec, r))
        return;
    char what[48];
    fmt_snprintf(what, sizeof(what), "vector %lu (%s)", r->vector, exception_name(r->vector));
    ec_kill(ec, r, what);
}

static void interrupt(unsigned vector)
{
    if (vector >= VEC_GSI_BASE && vector <= VEC_GSI_MAX) {
        gsi_irq(vector);
    } else if (vector == VEC_TIMER) {
        lapic_eoi();
        sched_tick();
    } else if (vector == VEC_IPI_WAKE) {
        lapic_eoi(); // the queue was changed by the sender; sched_exit looks at it
    } else if (vector != VEC_SPURIOUS && (vector < 0x20 || vector > 0x2f)) {
        lapic_eoi(); // vectors 0x20-0x2f: a spurious interrupt of the masked legacy PIC
    }
}

struct cpu_regs *trap_dispatch(struct cpu_regs *r)
{
    bool user = r->cs & 3;
    if (r->vector < 32 && !user)
        kernel_exception(r);
    if (r->vector == VEC_IPI_FLUSH) { // answered without the lock: its holder waits for it
        tlb_serve_request();
        lapic_eoi();
        return r;
    }
    kernel_lock();
    if (r->vector < 32)
        user_exception(r);
    else
        interrupt(r->vector);
    if (user)
        return kernel_exit();
    // In kernel mode only the idle loop takes interrupts; it looks at the queue itself.
    kernel_unlock();
    return r;
}
