// SPDX-License-Identifier: MIT
// Scenario "vm2": two VMs; the second triple-faults and stops, the first goes on and finishes.
#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "test_vm_common.h"
#include "tests.h"

static struct vm good, bad;
static nova_sel gate_sm;

// vm0 waits in its HLT exit until the root opens the gate: it is alive while vm1 dies.
static void hold_at_hlt(struct vm *vm, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (exit == NOVA_VMEXIT_HLT && nova_sm_down(gate_sm) != NOVA_OK)
        vm->errors++;
}

static bool at_hlt(struct vm *vm)
{
    return vm->exits[NOVA_VMEXIT_HLT] > 0 || vm->end != VM_RUNNING;
}

void test_vm2(const struct nova_hip *hip)
{
    gate_sm = sel_alloc();
    if (!vmt_prepare(hip) || !CHECK_STATUS(nova_create_sm(gate_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !vmt_boot(&good, 0, TESTGUEST_NORMAL, 0, hold_at_hlt) ||
        !vmt_boot(&bad, 1, TESTGUEST_TRIPLE_FAULT, vmt_last_cpu(), NULL))
        return;
    struct vm *const first[] = {&bad}, *const second[] = {&good};
    vmt_wait(first, 1);
    bool ok = vmt_check(&bad, VM_TRIPLE_FAULT, VMT_MODES | 1u << VMT_TRIPLE);
    ok &= vmt_poll(&good, at_hlt) && CHECK(good.end == VM_RUNNING);
    if (ok)
        con_printf("vm2: vm1's triple fault stopped vm1; vm0 still runs, waiting in HLT\n");
    CHECK_STATUS(nova_sm_up(gate_sm), NOVA_OK);
    vmt_wait(second, 1);
    if (vmt_check(&good, VM_FINISHED, VMT_NORMAL) && ok)
        con_printf("vm2: vm0 finished after vm1 had stopped\n");
}
