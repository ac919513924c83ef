// SPDX-License-Identifier: MIT
// The AMD SVM backend of the vCPU interface: VMCB set-up, VMRUN, exit decoding, state transfer.
#include "arch/x86/svm/svm.h"
#include "arch/x86/cpu.h"
#include "arch/x86/cpuinfo.h"
#include "arch/x86/percpu.h"
#include "arch/x86/svm/gprs.h"
#include "arch/x86/svm/svm_vcpu.h"
#include "arch/x86/svm/vmcb.h"
#include "kernel/assert.h"
#include "kernel/cpus.h"
#include "kernel/pd.h"
#include "lib/string.h"
#include "mm/memory.h"
#include "nova/vcpu.h"

#define MSR_VM_HSAVE_PA 0xc0010117u
#define DEFAULT_PAT     0x0007040600070406ull


static void *iopm, *msrpm;      // every port and MSR access exits: shared by all vCPUs
static uint64_t host_area[MAX_CPUS]; // VMSAVE area of each CPU's host state
static unsigned asids, next_asid;

bool svm_usable(void)
{
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    if (!(r[2] & (1u << 2)))
        return false;
    cpuid(0x8000000a, 0, r);
    asids = r[1];
    return (r[3] & 1) && asids > 1; // nested paging is required
}

// Every CPU enables SVM and gets its host save areas (AMD APM Vol. 2, 15.4 and 15.30.4).
static void svm_cpu_init(void)
{
    void *hsave = page_alloc_zeroed(), *host = page_alloc_zeroed();
    assert(hsave && host);
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SVME);
    wrmsr(MSR_VM_HSAVE_PA, virt_to_phys(hsave));
    host_area[this_cpu()->id] = virt_to_phys(host);
    if (!iopm) {
        iopm = pages_alloc(2);
        msrpm = pages_alloc(1);
        assert(iopm && msrpm);
        memset(iopm, 0xff, 3 * 4096);
        memset(msrpm, 0xff, 2 * 4096);
    }
}

static void set_seg(void *vmcb, unsigned off, uint16_t sel, uint16_t attr, uint32_t limit,
                    uint64_t base)
{
    *(uint16_t *)((char *)vmcb + off) = sel;
    *(uint16_t *)((char *)vmcb + off + 2) = attr;
    vmcb_wr32(vmcb, off + 4, limit);
    vmcb_wr(vmcb, off + 8, base);
}

// The intercepts the kernel needs whatever the VMM asks: VMRUN must be intercepted, host
// interrupts must leave the guest, and the guest may not run SVM instructions itself.
static void set_intercepts(void *vmcb)
{
    vmcb_wr32(vmcb, VMCB_INTERCEPT_MISC1, MISC1_INTR | MISC1_NMI | MISC1_CPUID | MISC1_HLT |
                                              MISC1_IOIO | MISC1_MSR | MISC1_SHUTDOWN);
    vmcb_wr32(vmcb, VMCB_INTERCEPT_MISC2, MISC2_VMRUN | MISC2_VMMCALL | MISC2_VMLOAD |
                                              MISC2_VMSAVE | MISC2_STGI | MISC2_CLGI |
                                              MISC2_SKINIT);
}

// A guest starts like a processor after reset, in real mode; the VMM's start-up reply
// usually sets another state.
static void init_state(void *vmcb)
{
    set_seg(vmcb, VMCB_CS, 0xf000, 0x9b, 0xffff, 0xffff0000);
    for (unsigned off = VMCB_ES; off <= VMCB_GS; off += 16)
        if (off != VMCB_CS)
            set_seg(vmcb, off, 0, 0x93, 0xffff, 0);
    set_seg(vmcb, VMCB_GDTR, 0, 0, 0xffff, 0);
    set_seg(vmcb, VMCB_IDTR, 0, 0, 0xffff, 0);
    set_seg(vmcb, VMCB_LDTR, 0, 0x82, 0xffff, 0);
    set_seg(vmcb, VMCB_TR, 0, 0x8b, 0xffff, 0);
    vmcb_wr(vmcb, VMCB_CR0, 0x60000010);
    vmcb_wr(vmcb, VMCB_EFER, EFER_SVME);
    vmcb_wr(vmcb, VMCB_RFLAGS, 2);
    vmcb_wr(vmcb, VMCB_RIP, 0xfff0);
    vmcb_wr(vmcb, VMCB_DR6, 0xffff0ff0);
    vmcb_wr(vmcb, VMCB_DR7, 0x400);
    vmcb_wr(vmcb, VMCB_GPAT, DEFAULT_PAT);
}

static enum nova_status svm_create(struct vcpu **out, struct pd *pd)
{
    struct vcpu *v = page_alloc_zeroed();
    void *vmcb = page_alloc_zeroed();
    if (!v || !vmcb || pd_guest_space(pd) != NOVA_OK) {
        if (v)
            page_free(v);
        if (vmcb)
            page_free(vmcb);
        return NOVA_NO_MEM;
    }
    v->vmcb = vmcb, v->vmcb_pa = virt_to_phys(vmcb), v->pd = pd;
    set_intercepts(vmcb);
    vmcb_wr(vmcb, VMCB_IOPM_BASE, virt_to_phys(iopm));
    vmcb_wr(vmcb, VMCB_MSRPM_BASE, virt_to_phys(msrpm));
    vmcb_wr32(vmcb, VMCB_ASID, 1 + next_asid++ % (asids - 1));
    vmcb_wr(vmcb, VMCB_INT_CTL, INT_CTL_V_INTR_MASKING);
    vmcb_wr(vmcb, VMCB_NP_ENABLE, 1);
    vmcb_wr(vmcb, VMCB_NCR3, virt_to_phys(pd->npt));
    init_state(vmcb);
    *out = v;
    return NOVA_OK;
}

static void svm_destroy(struct vcpu *v)
{
    page_free(v->vmcb);
    page_free(v);
}

// Which event an exit code is: SVM's codes, mapped to the neutral list.
static unsigned exit_event(struct vcpu *v, uint64_t code)
{
    if ((uint32_t)code == SVM_EXIT_INVALID)
        return NOVA_VMEXIT_INVALID;
    if (code >= SVM_EXIT_EXC_BASE && code < SVM_EXIT_EXC_BASE + 32)
        return (unsigned)(code - SVM_EXIT_EXC_BASE);
    switch (code) {
    case SVM_EXIT_INTR:
    case SVM_EXIT_NMI:
        return VCPU_HOST_IRQ;
    case SVM_EXIT_VINTR: // the window is open: the request is done
        vmcb_wr(v->vmcb, VMCB_INT_CTL, vmcb_rd(v->vmcb, VMCB_INT_CTL) & ~INT_CTL_V_IRQ);
        vmcb_wr32(v->vmcb, VMCB_INTERCEPT_MISC1,
                  vmcb_rd32(v->vmcb, VMCB_INTERCEPT_MISC1) & ~MISC1_VINTR);
        return NOVA_VMEXIT_INTR_WIN;
    case SVM_EXIT_CPUID: return NOVA_VMEXIT_CPUID;
    case SVM_EXIT_HLT: return NOVA_VMEXIT_HLT;
    case SVM_EXIT_IOIO: return NOVA_VMEXIT_IO;
    case SVM_EXIT_MSR: return NOVA_VMEXIT_MSR;
    case SVM_EXIT_SHUTDOWN: return NOVA_VMEXIT_SHUTDOWN;
    case SVM_EXIT_VMMCALL: return NOVA_VMEXIT_VMCALL;
    case SVM_EXIT_NPF: return NOVA_VMEXIT_NPF;
    default: break;
    }
    if (code < SVM_EXIT_CR0_WRITE + 16) // CR reads and writes come first
        return NOVA_VMEXIT_CR;
    return NOVA_VMEXIT_OTHER;
}

static unsigned svm_run(struct vcpu *v)
{
    vmcb_wr32(v->vmcb, VMCB_TLB_CONTROL, TLB_FLUSH_GUEST);
    // The guest keeps SVME on: VMRUN refuses a guest without it (AMD APM Vol. 2, 15.5.1).
    vmcb_wr(v->vmcb, VMCB_EFER, vmcb_rd(v->vmcb, VMCB_EFER) | EFER_SVME);
    // A refused VMRUN may leave host state in the save area: the VMM must see what it
    // supplied instead, and never a kernel address.
    memcpy(v->supplied, (char *)v->vmcb + SVM_SAVED_FIRST, sizeof(v->supplied));
    svm_vmrun(v->vmcb_pa, host_area[this_cpu()->id], &v->g);
    if ((uint32_t)vmcb_rd(v->vmcb, VMCB_EXITCODE) == SVM_EXIT_INVALID)
        memcpy((char *)v->vmcb + SVM_SAVED_FIRST, v->supplied, sizeof(v->supplied));
    // An event the exit interrupted is injected again on the next entry (APM Vol. 2, 15.7.2);
    // its valid bit is reliable, the low bits are junk when it is clear.
    uint64_t pending = vmcb_rd(v->vmcb, VMCB_EXITINTINFO);
    vmcb_wr(v->vmcb, VMCB_EVENTINJ, pending & NOVA_INJ_VALID ? pending : 0);
    return exit_event(v, vmcb_rd(v->vmcb, VMCB_EXITCODE));
}

const struct vcpu_ops svm_ops = {
    .name = "SVM",
    .cpu_init = svm_cpu_init,
    .create = svm_create,
    .destroy = svm_destroy,
    .run = svm_run,
    .get = svm_get_state,
    .set = svm_set_state,
};
