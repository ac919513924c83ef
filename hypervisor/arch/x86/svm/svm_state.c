// SPDX-License-Identifier: MIT
// Guest state between the VMCB and the UTCB layout of a vCPU event, group by group.
#include "arch/x86/svm/svm_vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "nova/vcpu.h"

static const unsigned seg_off[8] = {VMCB_CS, VMCB_SS, VMCB_DS, VMCB_ES,
                                    VMCB_FS, VMCB_GS, VMCB_TR, VMCB_LDTR};

static void get_seg(const void *vmcb, unsigned off, struct nova_seg *s)
{
    s->sel = *(const uint16_t *)((const char *)vmcb + off);
    s->attr = *(const uint16_t *)((const char *)vmcb + off + 2);
    s->limit = vmcb_rd32(vmcb, off + 4);
    s->base = vmcb_rd(vmcb, off + 8);
}

static void put_seg(void *vmcb, unsigned off, const struct nova_seg *s)
{
    *(uint16_t *)((char *)vmcb + off) = s->sel;
    *(uint16_t *)((char *)vmcb + off + 2) = s->attr & 0xfff; // the packed form has 12 bits
    vmcb_wr32(vmcb, off + 4, s->limit);
    vmcb_wr(vmcb, off + 8, s->base);
}

static void get_gprs(const struct vcpu *v, struct nova_vcpu_state *s, uint64_t mtd)
{
    const struct svm_gprs *g = &v->g;
    if (mtd & NOVA_VMTD_GPR_ACDB)
        s->rax = vmcb_rd(v->vmcb, VMCB_RAX), s->rcx = g->rcx, s->rdx = g->rdx, s->rbx = g->rbx;
    if (mtd & NOVA_VMTD_GPR_BSD)
        s->rbp = g->rbp, s->rsi = g->rsi, s->rdi = g->rdi;
    if (mtd & NOVA_VMTD_GPR_R8_15) {
        s->r8 = g->r8, s->r9 = g->r9, s->r10 = g->r10, s->r11 = g->r11;
        s->r12 = g->r12, s->r13 = g->r13, s->r14 = g->r14, s->r15 = g->r15;
    }
}

static void put_gprs(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd)
{
    struct svm_gprs *g = &v->g;
    if (mtd & NOVA_VMTD_GPR_ACDB) {
        vmcb_wr(v->vmcb, VMCB_RAX, s->rax);
        g->rcx = s->rcx, g->rdx = s->rdx, g->rbx = s->rbx;
    }
    if (mtd & NOVA_VMTD_GPR_BSD)
        g->rbp = s->rbp, g->rsi = s->rsi, g->rdi = s->rdi;
    if (mtd & NOVA_VMTD_GPR_R8_15) {
        g->r8 = s->r8, g->r9 = s->r9, g->r10 = s->r10, g->r11 = s->r11;
        g->r12 = s->r12, g->r13 = s->r13, g->r14 = s->r14, g->r15 = s->r15;
    }
}

static void get_system(const void *vmcb, struct nova_vcpu_state *s, uint64_t mtd)
{
    if (mtd & NOVA_VMTD_CR) {
        s->cr0 = vmcb_rd(vmcb, VMCB_CR0), s->cr2 = vmcb_rd(vmcb, VMCB_CR2);
        s->cr3 = vmcb_rd(vmcb, VMCB_CR3), s->cr4 = vmcb_rd(vmcb, VMCB_CR4);
        s->efer = vmcb_rd(vmcb, VMCB_EFER) & ~EFER_SVME; // the guest's view
    }
    if (mtd & NOVA_VMTD_SEG)
        for (unsigned i = 0; i < 8; i++)
            get_seg(vmcb, seg_off[i], &(&s->cs)[i]);
    if (mtd & NOVA_VMTD_DTR)
        get_seg(vmcb, VMCB_GDTR, &s->gdtr), get_seg(vmcb, VMCB_IDTR, &s->idtr);
    if (mtd & NOVA_VMTD_QUAL)
        s->qual[0] = vmcb_rd(vmcb, VMCB_EXITINFO1), s->qual[1] = vmcb_rd(vmcb, VMCB_EXITINFO2);
    if (mtd & NOVA_VMTD_INJ)
        s->inj = vmcb_rd(vmcb, VMCB_EVENTINJ);
    if (mtd & NOVA_VMTD_CTRL)
        s->ctrl = vmcb_rd32(vmcb, VMCB_INTERCEPT_MISC1) & MISC1_VINTR ? NOVA_CTRL_INTR_WIN : 0;
    if (mtd & NOVA_VMTD_STATE)
        s->intr_shadow = vmcb_rd(vmcb, VMCB_INT_STATE) & 1;
}

static void put_ctrl(void *vmcb, uint64_t ctrl)
{
    uint32_t misc1 = vmcb_rd32(vmcb, VMCB_INTERCEPT_MISC1);
    uint64_t ctl = vmcb_rd(vmcb, VMCB_INT_CTL);
    // An interrupt window is a virtual interrupt the guest can never take: its VINTR exit
    // comes as soon as the guest could (APM Vol. 2, 15.21.4).
    if (ctrl & NOVA_CTRL_INTR_WIN)
        misc1 |= MISC1_VINTR, ctl |= INT_CTL_V_IRQ | (1ull << 20); // V_IGN_TPR
    else
        misc1 &= ~MISC1_VINTR, ctl &= ~INT_CTL_V_IRQ;
    vmcb_wr32(vmcb, VMCB_INTERCEPT_MISC1, misc1);
    vmcb_wr(vmcb, VMCB_INT_CTL, ctl);
}

static void put_system(void *vmcb, const struct nova_vcpu_state *s, uint64_t mtd)
{
    if (mtd & NOVA_VMTD_CR) {
        vmcb_wr(vmcb, VMCB_CR0, s->cr0), vmcb_wr(vmcb, VMCB_CR2, s->cr2);
        vmcb_wr(vmcb, VMCB_CR3, s->cr3), vmcb_wr(vmcb, VMCB_CR4, s->cr4);
        vmcb_wr(vmcb, VMCB_EFER, s->efer | EFER_SVME);
    }
    if (mtd & NOVA_VMTD_SEG)
        for (unsigned i = 0; i < 8; i++)
            put_seg(vmcb, seg_off[i], &(&s->cs)[i]);
    if (mtd & NOVA_VMTD_DTR)
        put_seg(vmcb, VMCB_GDTR, &s->gdtr), put_seg(vmcb, VMCB_IDTR, &s->idtr);
    if (mtd & NOVA_VMTD_INJ)
        vmcb_wr(vmcb, VMCB_EVENTINJ, s->inj);
    if (mtd & NOVA_VMTD_CTRL)
        put_ctrl(vmcb, s->ctrl);
    if (mtd & NOVA_VMTD_STATE)
        vmcb_wr(vmcb, VMCB_INT_STATE, s->intr_shadow & 1);
}

void svm_get_state(struct vcpu *v, struct nova_vcpu_state *s, uint64_t mtd)
{
    get_gprs(v, s, mtd);
    if (mtd & NOVA_VMTD_RSP)
        s->rsp = vmcb_rd(v->vmcb, VMCB_RSP);
    if (mtd & NOVA_VMTD_RIP)
        s->rip = vmcb_rd(v->vmcb, VMCB_RIP);
    if (mtd & NOVA_VMTD_RFLAGS)
        s->rflags = vmcb_rd(v->vmcb, VMCB_RFLAGS);
    get_system(v->vmcb, s, mtd);
}

// Whatever the VMM writes, the hardware checks at the next VMRUN; a refusal becomes a
// NOVA_VMEXIT_INVALID event, never a fault in the kernel.
void svm_set_state(struct vcpu *v, const struct nova_vcpu_state *s, uint64_t mtd)
{
    put_gprs(v, s, mtd);
    if (mtd & NOVA_VMTD_RSP)
        vmcb_wr(v->vmcb, VMCB_RSP, s->rsp);
    if (mtd & NOVA_VMTD_RIP)
        vmcb_wr(v->vmcb, VMCB_RIP, s->rip);
    if (mtd & NOVA_VMTD_RFLAGS)
        vmcb_wr(v->vmcb, VMCB_RFLAGS, s->rflags);
    put_system(v->vmcb, s, mtd);
}
