// SPDX-License-Identifier: MIT
// Builds the hypervisor information page for the root PD.
#include "kernel/hip.h"
#include "arch/x86/cpuinfo.h"
#include "arch/x86/tsc.h"
#include "arch/x86/ioapic.h"
#include "boot/acpi.h"
#include "boot/multiboot.h"
#include "kernel/cpus.h"
#include "kernel/printk.h"
#include "mm/memory.h"
#include "nova/caps.h"
#include "nova/hypercall.h"

bool hip_add_mem(struct nova_hip *hip, uint64_t base, uint64_t size, uint32_t type)
{
    if (hip->mem_count == NOVA_HIP_MAX_MEM)
        return false;
    struct nova_hip_mem *m = &hip->mem[hip->mem_count];
    // Adjacent ranges of one type become one descriptor.
    if (hip->mem_count && m[-1].type == type && m[-1].base + m[-1].size == base) {
        m[-1].size += size;
        return true;
    }
    *m = (struct nova_hip_mem){.base = base, .size = size, .type = type};
    hip->mem_count++;
    return true;
}

static uint32_t features(const struct cpu_info *ci)
{
    return (ci->svm ? NOVA_HIP_FTR_SVM : 0) | (ci->npt ? NOVA_HIP_FTR_NPT : 0) |
           (ci->vmx ? NOVA_HIP_FTR_VMX : 0) | (ci->ept ? NOVA_HIP_FTR_EPT : 0) |
           (ci->vpid ? NOVA_HIP_FTR_VPID : 0);
}

static void add_modules(struct nova_hip *hip, const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->mod_count && i < NOVA_HIP_MAX_MODS; i++) {
        struct nova_hip_module *m = &hip->mod[hip->mod_count++];
        m->base = bi->mod[i].start;
        m->size = bi->mod[i].end - bi->mod[i].start;
        for (unsigned c = 0; c < NOVA_HIP_CMDLINE - 1 && bi->mod[i].cmdline[c]; c++)
            m->cmdline[c] = bi->mod[i].cmdline[c];
    }
}

static void add_firmware_ranges(struct nova_hip *hip, const struct boot_info *bi)
{
    for (unsigned i = 0; i < bi->mem_count; i++)
        if (bi->mem[i].type != BOOT_MEM_USABLE &&
            !hip_add_mem(hip, bi->mem[i].base, bi->mem[i].size, NOVA_HIP_MEM_RESERVED))
            printk("hip: memory table full, region %u left out\n", i);
}

struct nova_hip *hip_build(const struct boot_info *bi, const struct cpu_info *ci)
{
    struct nova_hip *hip = page_alloc_zeroed();
    if (!hip)
        panic("hip: no memory for the hypervisor information page");
    hip->signature = NOVA_HIP_SIGNATURE;
    hip->abi_version = NOVA_ABI_VERSION;
    hip->length = sizeof(*hip);
    hip->features = features(ci);
    hip->cpu_count = 1;
    hip->cpu[0] = (struct nova_hip_cpu){.present = 1};
    for (unsigned irq = 0; irq < 16; irq++)
        hip->isa_gsi[irq] = irq;
    hip->tsc_khz = tsc_khz();
    hip->sel_max = NOVA_SEL_MAX;
    hip->svm_asids = ci->svm_asids;
    hip->phys_bits = ci->phys_bits, hip->virt_bits = ci->virt_bits;
    add_modules(hip, bi);
    add_firmware_ranges(hip, bi);
    return hip;
}

void hip_add_platform(struct nova_hip *hip, const struct acpi_info *ai)
{
    hip->cpu_count = cpu_count();
    for (unsigned i = 0; i < cpu_count() && i < NOVA_HIP_MAX_CPUS; i++)
        hip->cpu[i] = (struct nova_hip_cpu){.present = cpu_online(i), .apic_id = cpu_apic_id(i)};
    hip->gsi_count = ioapic_gsi_count();
    for (unsigned irq = 0; irq < 16; irq++) {
        uint32_t gsi;
        bool low, level;
        acpi_isa_irq(ai, irq, &gsi, &low, &level);
        hip->isa_gsi[irq] = (uint8_t)gsi;
        hip->isa_flags[irq] = (level ? NOVA_GSI_LEVEL : 0) | (low ? NOVA_GSI_ACTIVE_LOW : 0);
    }
}
