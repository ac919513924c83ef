// SPDX-License-Identifier: MIT
// The root task's greeting: what the hypervisor information page says about the machine.
#include <stdint.h>

#include "check.h"
#include "hipinfo.h"
#include "nova-user/console.h"
#include "nova/hypercall.h"

static unsigned min_u(unsigned a, unsigned b)
{
    return a < b ? a : b;
}

static const char *yes(uint32_t features, uint32_t bit)
{
    return features & bit ? "yes" : "no";
}

static uint64_t free_bytes(const struct nova_hip *hip, unsigned *regions)
{
    uint64_t sum = 0;
    *regions = 0;
    for (unsigned i = 0; i < min_u(hip->mem_count, NOVA_HIP_MAX_MEM); i++) {
        if (hip->mem[i].type == NOVA_HIP_MEM_FREE) {
            sum += hip->mem[i].size;
            ++*regions;
        }
    }
    return sum;
}

// Module command lines fill a fixed field and need not be terminated.
static void print_modules(const struct nova_hip *hip)
{
    con_printf("roottask: %u module(s)\n", hip->mod_count);
    for (unsigned i = 0; i < min_u(hip->mod_count, NOVA_HIP_MAX_MODS); i++) {
        const struct nova_hip_module *m = &hip->mod[i];
        con_printf("roottask:   module %u: %#lx-%#lx \"%.*s\"\n", i, m->base, m->base + m->size,
                   NOVA_HIP_CMDLINE, m->cmdline);
    }
}

bool hip_print(const struct nova_hip *hip)
{
    con_printf("roottask: hello from user space, HIP at %p\n", (const void *)hip);
    if (!CHECK(hip->signature == NOVA_HIP_SIGNATURE))
        return false;
    con_printf("roottask: HIP signature ok, ABI version %u, %u bytes\n", hip->abi_version,
               hip->length);
    CHECK(hip->abi_version == NOVA_ABI_VERSION);
    unsigned regions;
    uint64_t mem = free_bytes(hip, &regions);
    con_printf("roottask: %u CPU(s), %lu MiB free memory in %u region(s), TSC %lu kHz\n",
               hip->cpu_count, mem >> 20, regions, hip->tsc_khz);
    con_printf("roottask: features: SVM %s, NPT %s, VMX %s, EPT %s\n",
               yes(hip->features, NOVA_HIP_FTR_SVM), yes(hip->features, NOVA_HIP_FTR_NPT),
               yes(hip->features, NOVA_HIP_FTR_VMX), yes(hip->features, NOVA_HIP_FTR_EPT));
    print_modules(hip);
    return true;
}
