// SPDX-License-Identifier: MIT
// One handler per VM exit; each returns the state groups its reply writes back.
#include <stdarg.h>

#include "decode.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/string.h"
#include "vmm_hc.h"
#include "vmm_int.h"

#define RFLAGS_FIXED           0x2ull
#define RFLAGS_IF              0x200ull
#define CR0_ET                 0x10ull
#define CR0_PG                 0x80000000ull
#define EFER_LME               0x100ull
#define EFER_LMA               0x400ull
#define EFER_SVME              0x1000ull
#define MSR_EFER               0xc0000080u
#define COM1_DATA              0x3f8u
#define IO_IN                  0x1ull
#define IO_STRING              0x4ull
#define LEN_CPUID              2
#define LEN_MSR                2
#define LEN_HLT                1
#define LEN_VMMCALL            3
#define CPUID_1_ECX_HYPERVISOR (1u << 31)
#define CPUID_X1_ECX_SVM       (1u << 2)
#define SEG_REAL_CODE          0x9b
#define SEG_REAL_DATA          0x93
#define SEG_TSS_BUSY           0x8b
#define SEG_LDT                0x82
#define REAL_LIMIT             0xffff

#define MTD_GPRS (NOVA_VMTD_GPR_ACDB | NOVA_VMTD_GPR_BSD | NOVA_VMTD_RSP | NOVA_VMTD_GPR_R8_15)
#define MTD_IN   (NOVA_VMTD_ALL)
#define MTD_OUT  (NOVA_VMTD_ALL & ~NOVA_VMTD_QUAL)

typedef uint64_t exit_fn(struct vm *vm, struct nova_vcpu_state *s);

// Ends the VM with the reason printed as "vm<id>: ..."; the handler then parks instead of
// replying, which keeps the vCPU from running, and the VMM's main thread revokes its SC.
static uint64_t stop(struct vm *vm, enum vm_end end, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static uint64_t stop(struct vm *vm, enum vm_end end, const char *fmt, ...)
{
    va_list ap;
    con_printf("vm%u: ", vm->id);
    va_start(ap, fmt);
    con_vprintf(fmt, ap);
    va_end(ap);
    con_printf("\n");
    vm->end = end;
    return 0;
}

static struct nova_seg seg(uint16_t sel, uint16_t attr, uint32_t limit, uint64_t base)
{
    return (struct nova_seg){.sel = sel, .attr = attr, .limit = limit, .base = base};
}

// Real mode at the configured entry: CS base there, IP 0, like a processor after reset.
static uint64_t on_startup(struct vm *vm, struct nova_vcpu_state *s)
{
    uint64_t entry = vm->cfg.entry;
    memset(s, 0, sizeof(*s));
    s->rflags = RFLAGS_FIXED;
    s->cr0 = CR0_ET;
    s->cs = seg((uint16_t)(entry >> 4), SEG_REAL_CODE, REAL_LIMIT, entry);
    s->ss = s->ds = s->es = s->fs = s->gs = seg(0, SEG_REAL_DATA, REAL_LIMIT, 0);
    s->tr = seg(0, SEG_TSS_BUSY, REAL_LIMIT, 0);
    s->ldtr = seg(0, SEG_LDT, REAL_LIMIT, 0);
    s->gdtr = s->idtr = seg(0, 0, REAL_LIMIT, 0);
    return MTD_OUT;
}

static void host_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid"
                     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                     : "a"(leaf), "c"(sub));
}

// The host's answers, with our vendor string, the hypervisor bit set and SVM hidden.
static uint64_t on_cpuid(struct vm *vm, struct nova_vcpu_state *s)
{
    uint32_t leaf = (uint32_t)s->rax, r[4];
    host_cpuid(leaf, (uint32_t)s->rcx, r);
    if (leaf == 0)
        memcpy(&r[1], "NOVA", 4), memcpy(&r[3], "x86V", 4), memcpy(&r[2], "MM  ", 4);
    if (leaf == 1)
        r[2] |= CPUID_1_ECX_HYPERVISOR;
    if (leaf == 0x80000001)
        r[2] &= ~CPUID_X1_ECX_SVM;
    s->rax = r[0], s->rbx = r[1], s->rcx = r[2], s->rdx = r[3];
    s->rip += LEN_CPUID;
    return NOVA_VMTD_GPR_ACDB | NOVA_VMTD_RIP;
}

// No devices: every port reads as all ones (a UART that is always ready).
static void io_in(struct nova_vcpu_state *s, unsigned size)
{
    uint64_t mask = size == 4 ? 0xffffffffull : size == 2 ? 0xffffull : 0xffull;
    s->rax = size == 4 ? mask : (s->rax & ~mask) | mask;
}

static uint64_t on_io(struct vm *vm, struct nova_vcpu_state *s)
{
    uint64_t q = s->qual[0];
    unsigned port = (unsigned)(q >> 16) & 0xffff, size = (unsigned)(q >> 4) & 7;
    uint8_t b[INSN_MAX];
    unsigned len = decode_io_length(b, decode_fetch(vm, s, b, INSN_MAX), decode_long_mode(s));
    if (!len)
        return stop(vm, VM_ERROR, "no I/O instruction at rip %#lx, VM stopped", s->rip);
    if (q & IO_STRING)
        return stop(vm, VM_ERROR, "string I/O on port %#x is not supported, VM stopped", port);
    if (q & IO_IN)
        io_in(s, size);
    else if (port == COM1_DATA)
        console_out(vm, (char)s->rax);
    s->rip += len;
    return NOVA_VMTD_GPR_ACDB | NOVA_VMTD_RIP;
}

static uint64_t inject(struct vm *vm, struct nova_vcpu_state *s)
{
    con_printf("vm%u: injecting vector %#x\n", vm->id, vm->irq_pending);
    s->inj = NOVA_INJ(vm->irq_pending, NOVA_INJ_EXTINT);
    vm->irq_pending = 0;
    return NOVA_VMTD_INJ;
}

// The guest waits for an interrupt: the pending one comes right after the HLT.
static uint64_t on_hlt(struct vm *vm, struct nova_vcpu_state *s)
{
    if (!(s->rflags & RFLAGS_IF))
        return stop(vm, VM_HALTED, "guest halted with interrupts off, VM stopped");
    if (!vm->irq_pending)
        return stop(vm, VM_HALTED, "guest halted, no interrupt will come, VM stopped");
    s->rip += LEN_HLT;
    s->intr_shadow = 0;
    return inject(vm, s) | NOVA_VMTD_RIP | NOVA_VMTD_STATE;
}

// The pending interrupt goes in if the guest can take it now (interrupts on, no shadow, no
// event of its own on the way in); else the reply asks for an exit once it can.
static uint64_t offer_irq(struct vm *vm, struct nova_vcpu_state *s)
{
    bool ready = vm->irq_pending && (s->rflags & RFLAGS_IF) && !(s->intr_shadow & 1) &&
                 !(s->inj & NOVA_INJ_VALID);
    s->ctrl = vm->irq_pending && !ready ? NOVA_CTRL_INTR_WIN : 0;
    return NOVA_VMTD_CTRL | (ready ? inject(vm, s) : 0);
}

static uint64_t on_intr_win(struct vm *vm, struct nova_vcpu_state *s)
{
    return offer_irq(vm, s);
}

// Someone wants the VMM's attention (vm_interrupt, vm_halt) while the guest runs.
static uint64_t on_recall(struct vm *vm, struct nova_vcpu_state *s)
{
    if (vm->halt_req)
        return stop(vm, VM_STOPPED, "stopped at a recall, VM stopped");
    return offer_irq(vm, s);
}

static uint64_t on_vmcall(struct vm *vm, struct nova_vcpu_state *s)
{
    switch (s->rax) {
    case VMM_HC_DONE:
        return stop(vm, VM_FINISHED, "guest finished");
    case VMM_HC_PING:
        con_printf("vm%u: vmmcall ping from the guest\n", vm->id);
        s->rax = VMM_HC_PONG;
        break;
    case VMM_HC_BENCH:
        if (s->rcx < VMM_BENCH_MAX)
            vm->bench[s->rcx] = s->rbx, vm->bench_seen |= 1u << s->rcx;
        else
            vm->errors++, con_printf("vm%u: no bench figure %lu\n", vm->id, s->rcx);
        break;
    case VMM_HC_MARK:
        vm->mark = s->rbx;
        break;
    default:
        con_printf("vm%u: unknown vmmcall %#lx\n", vm->id, s->rax);
        s->rax = ~0ull;
    }
    s->rip += LEN_VMMCALL;
    return NOVA_VMTD_GPR_ACDB | NOVA_VMTD_RIP;
}

// EFER.LMA is the processor's to set (with CR0.PG), SVME the kernel's.
static uint64_t efer_write(uint64_t old, uint64_t value)
{
    return (value & ~(EFER_LMA | EFER_SVME)) | (old & EFER_LMA);
}

// Reads give 0 except EFER; writes go nowhere except EFER, passed into the state.
static uint64_t on_msr(struct vm *vm, struct nova_vcpu_state *s)
{
    uint32_t msr = (uint32_t)s->rcx;
    s->rip += LEN_MSR;
    if (!(s->qual[0] & 1)) {
        uint64_t v = msr == MSR_EFER ? s->efer & ~EFER_SVME : 0;
        s->rax = (uint32_t)v, s->rdx = v >> 32;
        return NOVA_VMTD_GPR_ACDB | NOVA_VMTD_RIP;
    }
    if (msr != MSR_EFER)
        return NOVA_VMTD_RIP;
    s->efer = efer_write(s->efer, s->rdx << 32 | (uint32_t)s->rax);
    return NOVA_VMTD_CR | NOVA_VMTD_RIP;
}

// A fresh page where the guest touched memory that has none; the access is repeated.
static uint64_t on_npf(struct vm *vm, struct nova_vcpu_state *s)
{
    uint64_t gpa = s->qual[1];
    vm->last_npf = gpa;
    con_printf("vm%u: nested page fault at %#lx (error %#lx)\n", vm->id, gpa, s->qual[0]);
    if (vm_gpa_mapped(vm, gpa))
        return stop(vm, VM_ERROR, "but %#lx is mapped, VM stopped", gpa);
    if (!vm_map_page(vm, gpa))
        return stop(vm, VM_ERROR, "no page for %#lx, VM stopped", gpa);
    con_printf("vm%u: mapped a fresh page at %#lx\n", vm->id, gpa & ~(uint64_t)0xfff);
    return 0;
}

static uint64_t on_shutdown(struct vm *vm, struct nova_vcpu_state *s)
{
    return stop(vm, VM_TRIPLE_FAULT, "guest triple fault, VM stopped");
}

static uint64_t on_invalid(struct vm *vm, struct nova_vcpu_state *s)
{
    con_printf("vm%u: refused: cr0 %#lx cr4 %#lx efer %#lx cs %#x/%#x rip %#lx\n", vm->id, s->cr0,
               s->cr4, s->efer, s->cs.sel, s->cs.attr, s->rip);
    return stop(vm, VM_INVALID, "invalid guest state, VM stopped");
}

static uint64_t cr_read(const struct nova_vcpu_state *s, unsigned cr)
{
    return cr == 0 ? s->cr0 : cr == 2 ? s->cr2 : cr == 3 ? s->cr3 : cr == 4 ? s->cr4 : 0;
}

// CR0.PG with EFER.LME activates long mode (EFER.LMA), as the processor would.
static void cr_write(struct nova_vcpu_state *s, unsigned cr, uint64_t v)
{
    if (cr == 0) {
        bool lma = (v & CR0_PG) && (s->efer & EFER_LME);
        s->efer = lma ? s->efer | EFER_LMA : s->efer & ~EFER_LMA;
        s->cr0 = v | CR0_ET;
    } else if (cr == 2) {
        s->cr2 = v;
    } else if (cr == 3) {
        s->cr3 = v;
    } else if (cr == 4) {
        s->cr4 = v;
    }
}

// An intercepted MOV to or from CR0-CR4, decoded from guest memory.
static uint64_t on_cr(struct vm *vm, struct nova_vcpu_state *s)
{
    uint8_t b[INSN_MAX];
    struct mov_cr m;
    bool lm = decode_long_mode(s);
    if (!decode_mov_cr(b, decode_fetch(vm, s, b, INSN_MAX), lm, &m))
        return stop(vm, VM_ERROR, "no MOV CR at rip %#lx, VM stopped", s->rip);
    uint64_t *reg = decode_gpr(s, m.gpr), mask = lm ? ~0ull : 0xffffffffull;
    if (m.write)
        cr_write(s, m.cr, *reg & mask);
    else
        *reg = cr_read(s, m.cr) & mask;
    s->rip += m.len;
    return MTD_GPRS | NOVA_VMTD_CR | NOVA_VMTD_RIP;
}

static uint64_t on_other(struct vm *vm, struct nova_vcpu_state *s)
{
    return stop(vm, VM_ERROR, "unhandled exit %#lx at rip %#lx, VM stopped", s->qual[0], s->rip);
}

struct exit_desc {
    exit_fn *fn;
    uint64_t mtd; // the groups the portal delivers
};

static const struct exit_desc exit_table[NOVA_VMEXIT_MAX] = {
    [NOVA_EVT_STARTUP] = {on_startup, 0},
    [NOVA_EVT_RECALL] = {on_recall, MTD_IN},
    [NOVA_VMEXIT_CPUID] = {on_cpuid, NOVA_VMTD_GPR_ACDB | NOVA_VMTD_RIP},
    [NOVA_VMEXIT_IO] = {on_io, MTD_IN},
    [NOVA_VMEXIT_HLT] = {on_hlt, MTD_IN},
    [NOVA_VMEXIT_VMCALL] = {on_vmcall, NOVA_VMTD_GPR_ACDB | NOVA_VMTD_RIP},
    [NOVA_VMEXIT_MSR] = {on_msr, MTD_IN},
    [NOVA_VMEXIT_NPF] = {on_npf, NOVA_VMTD_QUAL | NOVA_VMTD_RIP},
    [NOVA_VMEXIT_INTR_WIN] = {on_intr_win, MTD_IN},
    [NOVA_VMEXIT_SHUTDOWN] = {on_shutdown, NOVA_VMTD_QUAL | NOVA_VMTD_RIP},
    [NOVA_VMEXIT_INVALID] = {on_invalid, MTD_IN},
    [NOVA_VMEXIT_CR] = {on_cr, MTD_IN},
    [NOVA_VMEXIT_OTHER] = {on_other, NOVA_VMTD_QUAL | NOVA_VMTD_RIP},
};

bool exit_has_handler(unsigned exit)
{
    return exit < NOVA_VMEXIT_MAX && exit_table[exit].fn;
}

uint64_t exit_mtd(unsigned exit)
{
    return exit_has_handler(exit) ? exit_table[exit].mtd : 0;
}

// Tells the VMM's main thread, then blocks for good: the vCPU waits for a reply forever.
static _Noreturn void park(struct vm *vm)
{
    if (nova_sm_up(vm->cfg.done_sm) != NOVA_OK)
        vm->errors++;
    for (;;)
        if (nova_sm_down(vm->park_sm) != NOVA_OK)
            vm->errors++;
}

_Noreturn void vmm_entry(uint64_t id)
{
    struct vm *vm = vm_by_slot(VMM_ID_SLOT(id));
    unsigned exit = VMM_ID_EXIT(id);
    if (!vm || !exit_has_handler(exit))
        __builtin_trap(); // a portal id the VMM never set: the kernel ends this handler
    struct nova_utcb *u = vm->handler[exit].utcb;
    struct nova_vcpu_state *s = (struct nova_vcpu_state *)u->msg;
    vm->exits[exit]++;
    uint64_t mtd = exit_table[exit].fn(vm, s);
    if (vm->cfg.hook)
        vm->cfg.hook(vm, exit, s, &mtd);
    if (vm->end != VM_RUNNING)
        park(vm);
    u->head.mtd = mtd;
    u->head.typed = 0;
    enum nova_status st = nova_reply();
    vm->errors++;
    stop(vm, VM_ERROR, "the reply to exit %u failed with status %u, VM stopped", exit, st);
    park(vm);
}
