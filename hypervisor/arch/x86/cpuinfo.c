// SPDX-License-Identifier: MIT
// What CPUID and the capability MSRs tell about the boot CPU.
#include "arch/x86/cpuinfo.h"
#include "arch/x86/cpu.h"
#include "lib/string.h"

#define CPUID_1_ECX_VMX       (1u << 5)
#define CPUID_X1_ECX_SVM      (1u << 2)
#define CPUID_X1_EDX_NX       (1u << 20)
#define CPUID_XA_EDX_NPT      (1u << 0)
#define PROCBASED_SECONDARY   (1ull << (32 + 31)) // allowed-1 half of the MSR
#define PROCBASED2_EPT        (1ull << (32 + 1))
#define PROCBASED2_VPID       (1ull << (32 + 5))
#define PROCBASED2_UNRESTRICT (1ull << (32 + 7))

static void probe_identity(struct cpu_info *ci, uint32_t max_ext)
{
    uint32_t r[4];
    cpuid(0, 0, r);
    memcpy(ci->vendor, &r[1], 4);
    memcpy(ci->vendor + 4, &r[3], 4);
    memcpy(ci->vendor + 8, &r[2], 4);
    ci->vendor[12] = 0;

    cpuid(1, 0, r);
    unsigned fam = r[0] >> 8 & 0xf, model = r[0] >> 4 & 0xf;
    // Extended family and model fields apply from family 0xf (and model for 6) on.
    if (fam == 0xf)
        fam += r[0] >> 20 & 0xff;
    if (fam >= 6)
        model |= (r[0] >> 16 & 0xf) << 4;
    ci->family = fam, ci->model = model, ci->stepping = r[0] & 0xf;

    ci->brand[0] = 0;
    if (max_ext >= 0x80000004) {
        for (unsigned i = 0; i < 3; i++) {
            cpuid(0x80000002 + i, 0, r);
            memcpy(ci->brand + 16 * i, r, 16);
        }
        ci->brand[48] = 0;
    }
}

// VMX capability MSRs exist only when CPUID reports VMX (Intel SDM Vol. 3, A.3.3).
static void probe_vmx(struct cpu_info *ci)
{
    uint32_t r[4];
    cpuid(1, 0, r);
    ci->vmx = r[2] & CPUID_1_ECX_VMX;
    if (!ci->vmx || !(rdmsr(MSR_VMX_PROCBASED) & PROCBASED_SECONDARY))
        return;
    uint64_t ctl2 = rdmsr(MSR_VMX_PROCBASED2);
    ci->ept = ctl2 & PROCBASED2_EPT;
    ci->vpid = ctl2 & PROCBASED2_VPID;
    ci->unrestricted = ctl2 & PROCBASED2_UNRESTRICT;
}

static void probe_svm(struct cpu_info *ci, uint32_t max_ext)
{
    uint32_t r[4];
    cpuid(0x80000001, 0, r);
    ci->svm = r[2] & CPUID_X1_ECX_SVM;
    ci->nx = r[3] & CPUID_X1_EDX_NX;
    if (!ci->svm || max_ext < 0x8000000a)
        return;
    cpuid(0x8000000a, 0, r);
    ci->npt = r[3] & CPUID_XA_EDX_NPT;
    ci->svm_asids = r[1];
}

void cpuinfo_probe(struct cpu_info *ci)
{
    uint32_t r[4];
    *ci = (struct cpu_info){0};
    cpuid(0x80000000, 0, r);
    uint32_t max_ext = r[0];
    probe_identity(ci, max_ext);
    if (max_ext >= 0x80000001)
        probe_svm(ci, max_ext);
    probe_vmx(ci);
    ci->phys_bits = 36, ci->virt_bits = 48;
    if (max_ext >= 0x80000008) {
        cpuid(0x80000008, 0, r);
        ci->phys_bits = r[0] & 0xff;
        ci->virt_bits = r[0] >> 8 & 0xff;
    }
}
