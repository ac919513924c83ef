// SPDX-License-Identifier: MIT
// Guest state between the VMCS and the UTCB layout of a vCPU event, group by group.
#include "arch/x86/cpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx_vcpu.h"
#include "nova/vcpu.h"

#define CR0_PE      0x1ull
#define CR0_PG      0x80000000ull
#define EFER_LMA    0x400ull
#define EFER_SVME   0x1000ull
#define AR_UNUSABLE 0x10000u

// The neutral order cs ss ds es fs gs tr ldtr in VMX's es cs ss ds fs gs ldtr tr.
static const unsigned seg_idx[8] = {1, 2, 3, 0, 4, 5, 7, 6};

// VMX keeps access rights unpacked: packed bits 8-11 are AR bits 12-15; P clear is unusable.
static void get_seg(unsigned i, struct nova_seg *s)
{
    uint32_t ar = (uint32_t)vmread(VMCS_GUEST_ES_AR + 2 * i);
    s->sel = (uint16_t)vmread(VMCS_GUEST_ES_SEL + 2 * i);
    s->attr = (uint16_t)((ar & 0xff) | (ar >> 4 & 0xf00));
    if (ar & AR_UNUSABLE)
        s->attr &= ~0x80;
    s->limit = (uint32_t)vmread(VMCS_GUEST_ES_LIMIT + 2 * i);
    s->base = vmread(VMCS_GUEST_ES_BASE + 2 * i);
}

static void put_seg(unsigned i, const struct nova_seg *s)
{
    uint32_t ar = (s->attr & 0xff) | (uint32_t)(s->attr & 0xf00) << 4;
    vmwrite(VMCS_GUEST_ES_SEL + 2 * i, s->sel);
    vmwrite(VMCS_GUEST_ES_AR + 2 * i, s->attr & 0x80 ? ar : ar | AR_UNUSABLE);
    vmwrite(VMCS_GUEST_ES_LIMIT + 2 * i, s->limit);
    vmwrite(VMCS_GUEST_ES_BASE + 2 * i, s->base);
}

// The guest's view of CR0 and CR4: bits VMX fixes are owned by the host and shadowed.
static uint64_t get_cr(uint32_t field, uint32_t mask, uint32_t shadow)
{
    uint64_t m = vmread(mask);
    return (vmread(field) & ~m) | (vmread(shadow) & m);
}

static void put_cr(uint32_t field, uint32_t mask, uint32_t shadow, uint64_t v, uint64_t f0,
                   uint64_t f1)
{
    vmwrite(mask, f0 | ~f1);
    vmwrite(shadow, v);
    vmwrite(field, (v | f0) & f1);
}

static uint64_t io_qual(uint64_t q)
{
    return (q >> 16 & 0xffff) << 16 | ((q & 7) + 1) << 4 | (q & 0x10 ? 0x4 : 0) |
           (q & 0x20 ? 0x8 : 0) | (q & 0x8 ? 0x1 : 0);
}

static void get_qual(struct nova_vcpu_state *s)
{
    uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
    uint64_t q = vmread(VMCS_EXIT_QUAL);
    s->qual[0] = q, s->qual[1] = 0;
    if (reason & EXIT_ENTRY_FAIL)
        return;
    switch (reason & 0xffff) {
    case EXIT_IO:
        s->qual[0] = io_qual(q);
        break;
    case EXIT_CR:
        s->qual[0] = q & 0xf, s->qual[1] = (q >> 4 & 3) != 1;
        break;
    case EXIT_RDMSR:
        s->qual[0] = 0;
        break;
    case EXIT_WRMSR:
        s->qual[0] = 1;
        break;
    case EXIT_EPT_VIOLATION:
        s->qual[1] = vmread(VMCS_GUEST_PHYS);
        break;
    case EXIT_EXC_NMI:
    case EXIT_CPUID:
    case EXIT_HLT:
    case EXIT_VMCALL:
    case EXIT_INTR_WINDOW:
    case EXIT_TRIPLE_FAULT:
        break;
    default:
        s->qual[0] = reason & 0xffff;
        break;
    }
}

void vmx_get_state(struct vcpu *v, struct nova_vcpu_state *s, uint64_t mtd)
{
    const struct vmx_gprs *g = &v->g;
    vmx_load(v);
    if (mtd & NOVA_VMTD_GPR_ACDB)
        s->rax = g->rax, s->rcx = g->rcx, s->rdx = g->rdx, s->rbx = g->rbx;
    if (mtd & NOVA_VMTD_GPR_BSD)
        s->rbp = g->rbp, s->rsi = g->rsi, s->rdi = g->rdi;
    if (mtd & NOVA_VMTD_GPR_R8_15) {
        s->r8 = g->r8, s->r9 = g->r9, s->r10 = g->r10, s->r11 = g->r11;
        s->r12 = g->r12, s->r13 = g->r13, s->r14 = g->r14, s->r15 = g->r15;
    }
    if (mtd & NOVA_VMTD_RSP)
        s->rsp = vmread(VMCS_GUEST_RSP);
    if (mtd & NOVA_VMTD_RIP)
        s->rip = vmread(VMCS_GUEST_RIP);
    if (mtd & NOVA_VMTD_RFLAGS)
        s->rflags = vmread(VMCS_GUEST_RFLAGS);
    if (mtd & NOVA_VMTD_CR) {
        s->cr0 = get_cr(VMCS_GUEST_CR0, VMCS_CR0_MASK, VMCS_CR0_SHADOW);
        s->cr4 = get_cr(VMCS_GUEST_CR4, VMCS_CR4_MASK, VMCS_CR4_SHADOW);
        s->cr2 = g->cr2, s->cr3 = vmread(VMCS_GUEST_CR3), s->efer = vmread(VMCS_GUEST_EFER);
    }
    if (mtd & NOVA_VMTD_SEG)
        for (unsigned i = 0; i < 8; i++)
            get_seg(seg_idx[i], &(&s->cs)[i]);
    if (mtd & NOVA_VMTD_DTR) {
        s->gdtr = (struct nova_seg){0, 0, (uint32_t)vmread(VMCS_GUEST_GDTR_LIMIT),
                                    vmread(VMCS_GUEST_GDTR_BASE)};
        s->idtr = (struct nova_seg){0, 0, (uint32_t)vmread(VMCS_GUEST_IDTR_LIMIT),
                                    vmread(VMCS_GUEST_IDTR_BASE)};
    }
    if (mtd & NOVA_VMTD_QUAL)
        get_qual(s);
    if (mtd & NOVA_VMTD_INJ) {
        uint32_t info = (uint32_t)vmread(VMCS_ENTRY_INTR);
        s->inj = info | (info & NOVA_INJ_ERR_VALID ? vmread(VMCS_ENTRY_ERROR) << 32 : 0);
    }
    if (mtd & NOVA_VMTD_CTRL)
        s->ctrl = vmread(VMCS_PROC_CTLS) & PROC_INTR_WINDOW ? NOVA_CTRL_INTR_WIN : 0;
    if (mtd & NOVA_VMTD_STATE)
        s->intr_shadow = (vmread(VMCS_GUEST_INTR_STATE) & 3) != 0;
}

static void put_system(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd)
{
    if (mtd & NOVA_VMTD_CR) {
        // Unrestricted guest: PE and PG are the guest's even where VMX fixes them.
        uint64_t f0 = rdmsr(MSR_VMX_CR0_FIXED0) & ~(CR0_PE | CR0_PG);
        put_cr(VMCS_GUEST_CR0, VMCS_CR0_MASK, VMCS_CR0_SHADOW, s->cr0, f0,
               rdmsr(MSR_VMX_CR0_FIXED1));
        put_cr(VMCS_GUEST_CR4, VMCS_CR4_MASK, VMCS_CR4_SHADOW, s->cr4, rdmsr(MSR_VMX_CR4_FIXED0),
               rdmsr(MSR_VMX_CR4_FIXED1));
        v->g.cr2 = s->cr2;
        vmwrite(VMCS_GUEST_CR3, s->cr3);
        vmwrite(VMCS_GUEST_EFER, s->efer & ~EFER_SVME);
        uint64_t entry = vmread(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E;
        vmwrite(VMCS_ENTRY_CTLS, s->efer & EFER_LMA ? entry | ENTRY_IA32E : entry);
    }
    if (mtd & NOVA_VMTD_SEG)
        for (unsigned i = 0; i < 8; i++)
            put_seg(seg_idx[i], &(&s->cs)[i]);
    if (mtd & NOVA_VMTD_DTR) {
        vmwrite(VMCS_GUEST_GDTR_LIMIT, s->gdtr.limit), vmwrite(VMCS_GUEST_GDTR_BASE, s->gdtr.base);
        vmwrite(VMCS_GUEST_IDTR_LIMIT, s->idtr.limit), vmwrite(VMCS_GUEST_IDTR_BASE, s->idtr.base);
    }
    if (mtd & NOVA_VMTD_INJ) {
        vmwrite(VMCS_ENTRY_INTR, (uint32_t)s->inj);
        vmwrite(VMCS_ENTRY_ERROR, s->inj >> 32);
    }
    if (mtd & NOVA_VMTD_CTRL) {
        uint64_t proc = vmread(VMCS_PROC_CTLS) & ~PROC_INTR_WINDOW;
        vmwrite(VMCS_PROC_CTLS, s->ctrl & NOVA_CTRL_INTR_WIN ? proc | PROC_INTR_WINDOW : proc);
    }
    if (mtd & NOVA_VMTD_STATE) {
        // A shadow the VMM asks for becomes MOV-SS blocking, which needs no RFLAGS.IF.
        uint64_t st = vmread(VMCS_GUEST_INTR_STATE), keep = st & 3;
        st &= ~3ull;
        vmwrite(VMCS_GUEST_INTR_STATE, s->intr_shadow & 1 ? st | (keep ? keep : 2) : st);
    }
}

// Whatever the VMM writes, the hardware checks at the next VM entry; a refusal becomes a
// NOVA_VMEXIT_INVALID event, never a fault in the kernel.
void vmx_set_state(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd)
{
    struct vmx_gprs *g = &v->g;
    vmx_load(v);
    if (mtd & NOVA_VMTD_GPR_ACDB)
        g->rax = s->rax, g->rcx = s->rcx, g->rdx = s->rdx, g->rbx = s->rbx;
    if (mtd & NOVA_VMTD_GPR_BSD)
        g->rbp = s->rbp, g->rsi = s->rsi, g->rdi = s->rdi;
    if (mtd & NOVA_VMTD_GPR_R8_15) {
        g->r8 = s->r8, g->r9 = s->r9, g->r10 = s->r10, g->r11 = s->r11;
        g->r12 = s->r12, g->r13 = s->r13, g->r14 = s->r14, g->r15 = s->r15;
    }
    if (mtd & NOVA_VMTD_RSP)
        vmwrite(VMCS_GUEST_RSP, s->rsp);
    if (mtd & NOVA_VMTD_RIP)
        vmwrite(VMCS_GUEST_RIP, s->rip);
    if (mtd & NOVA_VMTD_RFLAGS)
        vmwrite(VMCS_GUEST_RFLAGS, s->rflags);
    put_system(v, s, mtd);
}
