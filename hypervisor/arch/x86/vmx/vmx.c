// SPDX-License-Identifier: MIT
// The Intel VMX backend of the vCPU interface: VMXON, VMCS set-up, VM entry, exit decoding.
#include "arch/x86/vmx/vmx.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/vmx/vmcs.h"
#include "arch/x86/vmx/vmx_vcpu.h"
#include "kernel/assert.h"
#include "kernel/cpus.h"
#include "kernel/pd.h"
#include "lib/string.h"
#include "mm/memory.h"
#include "nova/vcpu.h"

#define CPUID_1_ECX_VMX (1u << 5)
#define CR4_VMXE        (1ul << 13)
#define FC_LOCK         1ull
#define FC_VMXON        4ull

static uint32_t revision, pin_ctls, proc_ctls, proc2_ctls, exit_ctls, entry_ctls;
static void *io_bitmaps, *msr_bitmap; // all ones: every port and MSR access exits
static struct vcpu *current_vmcs[MAX_CPUS];
static unsigned next_vpid;

// Wanted controls within what the CPU allows: the MSR's low half must be 1, its high half may.
static bool adjust(uint32_t msr, uint32_t want, uint32_t *out)
{
    uint64_t cap = rdmsr(msr);
    *out = (want | (uint32_t)cap) & (uint32_t)(cap >> 32);
    return (*out & want) == want;
}

bool vmx_usable(void)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    if (!(r[2] & CPUID_1_ECX_VMX))
        return false;
    // Firmware may lock VMX off (Intel SDM Vol. 3, 24.7): then VMXON would fault.
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if ((fc & FC_LOCK) && !(fc & FC_VMXON))
        return false;
    uint64_t basic = rdmsr(MSR_VMX_BASIC);
    uint32_t t = basic & VMX_BASIC_TRUE ? VMX_TRUE_OFFSET : 0;
    revision = basic & 0x7fffffff;
    if (!adjust(MSR_VMX_PINBASED + t, PIN_EXT_INT | PIN_NMI, &pin_ctls) ||
        !adjust(MSR_VMX_PROCBASED + t, PROC_HLT | PROC_IO_UNCOND | PROC_MSR_BITMAP | PROC_SECONDARY,
                &proc_ctls) ||
        !adjust(MSR_VMX_PROCBASED2, PROC2_EPT | PROC2_VPID | PROC2_UNRESTRICTED, &proc2_ctls) ||
        !adjust(MSR_VMX_EXIT + t, EXIT_HOST_64 | EXIT_SAVE_EFER | EXIT_LOAD_EFER, &exit_ctls) ||
        !adjust(MSR_VMX_ENTRY + t, ENTRY_LOAD_EFER, &entry_ctls))
        return false;
    uint64_t ept = rdmsr(MSR_VMX_EPT_VPID_CAP),
             need = EPT_CAP_WALK4 | EPT_CAP_WB | EPT_CAP_INVEPT_ALL;
    if ((ept & need) != need)
        return false;
    pd_guest_ept = true;
    return true;
}

// Every CPU enters VMX operation (Intel SDM Vol. 3, 24.7): fixed CR bits, VMXON region.
static void vmx_cpu_init(void)
{
    uint64_t fc = rdmsr(MSR_FEATURE_CONTROL);
    if (!(fc & FC_LOCK))
        wrmsr(MSR_FEATURE_CONTROL, fc | FC_LOCK | FC_VMXON);
    write_cr0((read_cr0() | rdmsr(MSR_VMX_CR0_FIXED0)) & rdmsr(MSR_VMX_CR0_FIXED1));
    write_cr4((read_cr4() | CR4_VMXE | rdmsr(MSR_VMX_CR4_FIXED0)) & rdmsr(MSR_VMX_CR4_FIXED1));
    uint32_t *region = page_alloc_zeroed();
    assert(region);
    region[0] = revision;
    uint64_t pa = virt_to_phys(region);
    bool fail;
    __asm__ volatile("vmxon %1" : "=@ccbe"(fail) : "m"(pa) : "memory");
    assert(!fail);
    if (!io_bitmaps) {
        io_bitmaps = pages_alloc(1);
        msr_bitmap = page_alloc_zeroed();
        assert(io_bitmaps && msr_bitmap);
        memset(io_bitmaps, 0xff, 2 * 4096);
        memset(msr_bitmap, 0xff, 4096);
    }
}

static enum nova_status vmx_create(struct vcpu **out, struct pd *pd)
{
    struct vcpu *v = page_alloc_zeroed();
    uint32_t *vmcs = page_alloc_zeroed();
    if (!v || !vmcs || pd_guest_space(pd) != NOVA_OK) {
        if (v)
            page_free(v);
        if (vmcs)
            page_free(vmcs);
        return NOVA_NO_MEM;
    }
    vmcs[0] = revision;
    v->vmcs = vmcs, v->vmcs_pa = virt_to_phys(vmcs), v->pd = pd, v->cpu = -1;
    v->vpid = (uint16_t)(1 + next_vpid++ % 0xfffe);
    __asm__ volatile("vmclear %0" ::"m"(v->vmcs_pa) : "cc", "memory");
    *out = v;
    return NOVA_OK;
}

static void vmx_destroy(struct vcpu *v)
{
    __asm__ volatile("vmclear %0" ::"m"(v->vmcs_pa) : "cc", "memory");
    for (unsigned i = 0; i < MAX_CPUS; i++)
        if (current_vmcs[i] == v)
            current_vmcs[i] = 0;
    page_free(v->vmcs);
    page_free(v);
}

// Host state that stays while the VMCS lives on this CPU (Intel SDM Vol. 3, 25.5).
static void setup_host(void)
{
    struct __attribute__((packed)) {
        uint16_t limit;
        uint64_t base;
    } gdtr, idtr;
    __asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
    vmwrite(VMCS_HOST_CS_SEL, SEL_KCODE), vmwrite(VMCS_HOST_SS_SEL, SEL_KDATA);
    vmwrite(VMCS_HOST_DS_SEL, 0), vmwrite(VMCS_HOST_ES_SEL, 0);
    vmwrite(VMCS_HOST_FS_SEL, 0), vmwrite(VMCS_HOST_GS_SEL, 0);
    vmwrite(VMCS_HOST_TR_SEL, SEL_TSS), vmwrite(VMCS_HOST_TR_BASE, tss_base());
    vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base), vmwrite(VMCS_HOST_IDTR_BASE, idtr.base);
    vmwrite(VMCS_HOST_CR0, read_cr0()), vmwrite(VMCS_HOST_CR4, read_cr4());
    vmwrite(VMCS_HOST_EFER, rdmsr(MSR_EFER));
    vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_SYSENTER_CS));
    vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_SYSENTER_ESP));
    vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_SYSENTER_EIP));
    vmwrite(VMCS_HOST_RIP, (uint64_t)vmx_exit_point);
}

// A guest starts like a processor after reset, in real mode; the VMM's start-up reply
// usually sets another state.
static void setup_guest(struct vcpu *v)
{
    struct nova_vcpu_state s = {.rip = 0xfff0, .rflags = 2, .cr0 = 0x60000010};
    s.cs = (struct nova_seg){0xf000, 0x9b, 0xffff, 0xffff0000};
    s.ss = s.ds = s.es = s.fs = s.gs = (struct nova_seg){0, 0x93, 0xffff, 0};
    s.tr = (struct nova_seg){0, 0x8b, 0xffff, 0};
    s.ldtr = (struct nova_seg){0, 0x82, 0xffff, 0};
    s.gdtr.limit = s.idtr.limit = 0xffff;
    vmx_set_state(v, &s, NOVA_VMTD_ALL);
    vmwrite(VMCS_LINK_POINTER, ~0ull);
    vmwrite(VMCS_GUEST_DR7, 0x400), vmwrite(VMCS_GUEST_DEBUGCTL, 0);
    vmwrite(VMCS_GUEST_ACTIVITY, 0), vmwrite(VMCS_GUEST_PENDING_DBG, 0);
    vmwrite(VMCS_GUEST_SYSENTER_CS, 0);
}

void vmx_load(struct vcpu *v)
{
    unsigned cpu = this_cpu()->id;
    if (current_vmcs[cpu] == v)
        return;
    __asm__ volatile("vmptrld %0" ::"m"(v->vmcs_pa) : "cc", "memory");
    current_vmcs[cpu] = v;
    if (v->cpu >= 0)
        return;
    v->cpu = (int)cpu;
    vmwrite(VMCS_PIN_CTLS, pin_ctls), vmwrite(VMCS_PROC_CTLS, proc_ctls);
    vmwrite(VMCS_PROC_CTLS2, proc2_ctls), vmwrite(VMCS_EXIT_CTLS, exit_ctls);
    vmwrite(VMCS_ENTRY_CTLS, entry_ctls);
    vmwrite(VMCS_EXC_BITMAP, 1u << VEC_UD); // VMMCALL raises #UD on Intel
    vmwrite(VMCS_IO_BITMAP_A, virt_to_phys(io_bitmaps));
    vmwrite(VMCS_IO_BITMAP_B, virt_to_phys(io_bitmaps) + 4096);
    vmwrite(VMCS_MSR_BITMAP, virt_to_phys(msr_bitmap));
    vmwrite(VMCS_EPTP, virt_to_phys(v->pd->npt) | 6 | 3 << 3); // write-back, 4 levels
    vmwrite(VMCS_VPID, v->vpid);
    setup_host();
    setup_guest(v);
}

// The host-physical address of guest-physical gpa, or ~0 when the guest has no page there.
static uint64_t gpa_to_hpa(struct pd *pd, uint64_t gpa)
{
    unsigned level;
    uint64_t e = pt_lookup(pd->npt, gpa, &level), size = PAGE_SIZE << (9 * level);
    return e ? ((e & PTE_ADDR & ~(size - 1)) | (gpa & (size - 1))) : ~0ull;
}

// One guest byte at a linear address: unpaged or 4-level paging, enough to spot VMMCALL.
static int guest_byte(struct vcpu *v, uint64_t la)
{
    uint64_t a = la;
    if (vmread(VMCS_GUEST_CR0) & 0x80000000) {
        if (!(vmread(VMCS_GUEST_EFER) & 0x400))
            return -1;
        a = vmread(VMCS_GUEST_CR3);
        for (int l = 3; l >= 0; l--) {
            uint64_t hpa = gpa_to_hpa(v->pd, (a & PTE_ADDR) + 8 * (la >> (12 + 9 * l) & 0x1ff));
            if (hpa == ~0ull)
                return -1;
            uint64_t e = *(uint64_t *)phys_to_virt(hpa), size = PAGE_SIZE << (9 * l);
            if (!(e & PTE_P))
                return -1;
            a = e;
            if (l == 0 || (e & PTE_PS)) {
                a = (e & PTE_ADDR & ~(size - 1)) | (la & (size - 1));
                break;
            }
        }
    }
    uint64_t hpa = gpa_to_hpa(v->pd, a);
    return hpa == ~0ull ? -1 : *(uint8_t *)phys_to_virt(hpa);
}

// #UD: AMD's VMMCALL is the VMCALL event; any other #UD goes back to the guest.
static unsigned on_ud(struct vcpu *v)
{
    uint64_t rip = vmread(VMCS_GUEST_RIP), la = vmread(VMCS_GUEST_ES_BASE + 2) + rip;
    if (!(vmread(VMCS_ENTRY_CTLS) & ENTRY_IA32E))
        la &= 0xffffffff;
    static const uint8_t vmmcall[3] = {0x0f, 0x01, 0xd9};
    unsigned i = 0;
    while (i < 3 && guest_byte(v, la + i) == vmmcall[i])
        i++;
    if (i == 3)
        return NOVA_VMEXIT_VMCALL;
    vmwrite(VMCS_ENTRY_INTR, VEC_UD | NOVA_INJ_EXC | NOVA_INJ_VALID);
    return VCPU_HANDLED;
}

// Which event an exit is: VMX's basic reasons, mapped to the neutral list.
static unsigned exit_event(struct vcpu *v, uint32_t reason)
{
    if (reason & EXIT_ENTRY_FAIL)
        return NOVA_VMEXIT_INVALID;
    switch (reason & 0xffff) {
    case EXIT_EXC_NMI: {
        uint32_t info = (uint32_t)vmread(VMCS_EXIT_INTR);
        if ((info & INTR_TYPE_MASK) == INTR_TYPE_NMI)
            return VCPU_HOST_IRQ;
        return (info & 0xff) == VEC_UD ? on_ud(v) : (info & 0xff);
    }
    case EXIT_EXT_INT:
        return VCPU_HOST_IRQ;
    case EXIT_TRIPLE_FAULT:
        return NOVA_VMEXIT_SHUTDOWN;
    case EXIT_INTR_WINDOW: // the window is open: the request is done
        vmwrite(VMCS_PROC_CTLS, vmread(VMCS_PROC_CTLS) & ~PROC_INTR_WINDOW);
        return NOVA_VMEXIT_INTR_WIN;
    case EXIT_CPUID:
        return NOVA_VMEXIT_CPUID;
    case EXIT_HLT:
        return NOVA_VMEXIT_HLT;
    case EXIT_VMCALL:
        return NOVA_VMEXIT_VMCALL;
    case EXIT_CR:
        return NOVA_VMEXIT_CR;
    case EXIT_IO:
        return NOVA_VMEXIT_IO;
    case EXIT_RDMSR:
    case EXIT_WRMSR:
        return NOVA_VMEXIT_MSR;
    case EXIT_EPT_VIOLATION:
        return NOVA_VMEXIT_NPF;
    default:
        return NOVA_VMEXIT_OTHER;
    }
}

static unsigned vmx_run(struct vcpu *v)
{
    vmx_load(v);
    // Like SVM's flush on every VMRUN: unmapped guest pages leave no translation behind.
    struct {
        uint64_t eptp, zero;
    } desc = {0, 0};
    __asm__ volatile("invept %0, %1" ::"m"(desc), "r"(2ull) : "cc", "memory");
    vmwrite(VMCS_HOST_CR3, read_cr3());
    vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE));
    vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE));
    // SWAPGS in the guest reaches the real IA32_KERNEL_GS_BASE: it is the guest's meanwhile.
    uint64_t host_kgs = rdmsr(MSR_KERNEL_GS_BASE);
    wrmsr(MSR_KERNEL_GS_BASE, v->guest_kgs);
    unsigned failed = vmx_enter(&v->g, v->launched);
    v->guest_kgs = rdmsr(MSR_KERNEL_GS_BASE);
    wrmsr(MSR_KERNEL_GS_BASE, host_kgs);
    tss_reload();
    if (failed)
        return NOVA_VMEXIT_INVALID;
    uint32_t reason = (uint32_t)vmread(VMCS_EXIT_REASON);
    if (!(reason & EXIT_ENTRY_FAIL))
        v->launched = true;
    // An event the exit interrupted is injected again on the next entry (Intel SDM Vol. 3,
    // 28.2.4); software events need their instruction length again.
    uint32_t vec = (uint32_t)vmread(VMCS_IDT_VEC_INFO);
    vmwrite(VMCS_ENTRY_INTR, vec & INTR_INFO_VALID ? vec & ~(1u << 12) : 0);
    if (vec & INTR_INFO_VALID) {
        vmwrite(VMCS_ENTRY_ERROR, vmread(VMCS_IDT_VEC_ERROR));
        vmwrite(VMCS_ENTRY_LEN, vmread(VMCS_EXIT_LEN));
    }
    return exit_event(v, reason);
}

const struct vcpu_ops vmx_ops = {
    .name = "VMX",
    .cpu_init = vmx_cpu_init,
    .create = vmx_create,
    .destroy = vmx_destroy,
    .run = vmx_run,
    .get = vmx_get_state,
    .set = vmx_set_state,
};
