// SPDX-License-Identifier: MIT
// Scenario "vm": one VM runs the test guest from real mode to long mode and finishes.
#include "check.h"
#include "nova-user/console.h"
#include "test_vm_common.h"
#include "tests.h"

static struct vm vm;

void test_vm(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip) || !vmt_boot(&vm, 0, TESTGUEST_NORMAL, vmt_last_cpu(), NULL))
        return;
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    bool ok = vmt_check(&vm, VM_FINISHED, VMT_NORMAL);
    ok &= CHECK(vm.exits[NOVA_VMEXIT_HLT] == 1) & CHECK(vm.irq_pending == 0);
    ok &= CHECK(vm.exits[NOVA_VMEXIT_NPF] == 1) & CHECK(vm.last_npf == TESTGUEST_HOLE);
    ok &= CHECK(vm.exits[NOVA_VMEXIT_CPUID] >= 1) & CHECK(vm.exits[NOVA_VMEXIT_VMCALL] == 2);
    con_printf("vm: %lu exits: %lu I/O, %lu MSR, %lu CR, %lu CPUID\n", vmt_exit_total(&vm),
               vm.exits[NOVA_VMEXIT_IO], vm.exits[NOVA_VMEXIT_MSR], vm.exits[NOVA_VMEXIT_CR],
               vm.exits[NOVA_VMEXIT_CPUID]);
    if (ok)
        con_printf("vm: the guest ran in real, protected and long mode, took the interrupt and "
                   "the nested page fault, and finished\n");
}
