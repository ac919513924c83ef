// SPDX-License-Identifier: MIT
// Scenario "vmbench": the cost of a CPUID exit handled by the VMM, measured in the guest.
#include "check.h"
#include "nova-user/console.h"
#include "test_vm_common.h"
#include "tests.h"

static struct vm vm;

// The guest times TESTGUEST_BENCH_ROUNDS CPUID exits with RDTSC (the host's TSC: no offset)
// and reports the average through a VMMCALL. Under -icount the TSC counts instructions.
void test_vmbench(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip) || !vmt_boot(&vm, 0, TESTGUEST_BENCH, 0, NULL))
        return;
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    bool ok = vmt_check(&vm, VM_FINISHED, VMT_MODES | 1u << VMT_DONE);
    uint64_t cpuids = TESTGUEST_BENCH_ROUNDS + TESTGUEST_BENCH_WARMUP;
    if (ok & CHECK(vm.bench_seen) & CHECK(vm.exits[NOVA_VMEXIT_CPUID] >= cpuids))
        con_printf("bench: vmexit_roundtrip %lu instructions\n", vm.bench);
}
