// SPDX-License-Identifier: MIT
// Scenario "vmquantum": two spinning guests on one CPU share it by quantum, like any two ECs.
//
// Both vCPUs run on CPU 0 at the same priority, below the root's, with small quanta; their
// guests count in guest memory and take no exit. While the root sleeps, only the end of a
// quantum can take the CPU from one vCPU and give it to the other: both counters must advance.
// The two guests boot at once, so their console lines may mix in the serial log (a handler
// prints on its vCPU's quantum); the VMM still sees each guest's lines whole.
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "test_vm_common.h"
#include "tests.h"

#define VM_PRIO_LOW 16 // below the root's 32
#define QUANTUM_US  1000
#define SLEEP_US    100000
#define VMS         2
#define TRIES       3

static struct vm vms[VMS];

static uint64_t counter(struct vm *vm)
{
    return *vmt_word(vm, TESTGUEST_COUNTER);
}

static bool spinning(struct vm *vm)
{
    return counter(vm) > 0;
}

// The time the vCPU's SC has consumed so far, in TSC ticks.
static uint64_t consumed(struct vm *vm)
{
    uint64_t t = 0;
    CHECK_STATUS(nova_sc_ctrl(vm->sc, &t), NOVA_OK);
    return t;
}

// How many VMs started.
static unsigned boot_both(void)
{
    struct vmt_opts o = {.cpu = 0, .prio = VM_PRIO_LOW, .quantum_us = QUANTUM_US};
    unsigned n = 0;
    while (n < VMS && vmt_boot_opts(&vms[n], n, TESTGUEST_SPIN, &o))
        n++;
    return n;
}

static uint64_t spun(struct vm *vm)
{
    return *vmt_word(vm, TESTGUEST_SPUN);
}

struct share {
    uint64_t count[VMS], time[VMS], exits[VMS], safety_exits[VMS];
    uint64_t slept;
};

// One sleep of the root: what each guest counted, each SC consumed, and the exits meanwhile.
static void share(struct share *sh)
{
    for (unsigned i = 0; i < VMS; i++) {
        struct vm *vm = &vms[i];
        sh->count[i] = counter(vm), sh->time[i] = consumed(vm);
        sh->exits[i] = vmt_exit_total(vm), sh->safety_exits[i] = spun(vm);
    }
    sh->slept = vmt_sleep_us(SLEEP_US);
    for (unsigned i = 0; i < VMS; i++) {
        struct vm *vm = &vms[i];
        sh->count[i] = counter(vm) - sh->count[i], sh->time[i] = consumed(vm) - sh->time[i];
        sh->exits[i] = vmt_exit_total(vm) - sh->exits[i];
        sh->safety_exits[i] = spun(vm) - sh->safety_exits[i];
    }
}

// One after the other: the VMM's lines of the two (on one CPU, by quanta) stay whole.
static void stop(unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        struct vm *const one[] = {&vms[i]};
        CHECK(vm_halt(&vms[i]));
        vmt_wait(one, 1);
        vmt_check(&vms[i], VM_STOPPED, VMT_MODES | 1u << VMT_SPIN);
    }
}

// The root woke by its timer, not at a guest's safety exit (the only exit a guest takes).
static bool woke_by_timer(const struct share *sh)
{
    if (sh->safety_exits[0] + sh->safety_exits[1] == 0)
        return true;
    con_printf("vmquantum: the root's timed down took %lu us and ended at a guest's safety exit: "
               "its timer interrupt did not make the vCPU exit\n",
               sh->slept);
    return CHECK(sh->safety_exits[0] + sh->safety_exits[1] == 0);
}

static void print_share(const struct share *sh, uint64_t khz)
{
    con_printf("vmquantum: in %lu us the SCs ran %lu us and %lu us (%u us quanta), the guests "
               "counted %lu and %lu\n",
               sh->slept, sh->time[0] * 1000 / khz, sh->time[1] * 1000 / khz, QUANTUM_US,
               sh->count[0], sh->count[1]);
}

// Both counters advanced during one sleep of the root, and neither guest took an exit. A few
// tries: the host may hold QEMU's thread for a whole sleep.
static void check_share(const struct nova_hip *hip)
{
    struct share sh;
    uint64_t khz = hip->tsc_khz ? hip->tsc_khz : 1;
    bool on_time = true;
    for (unsigned n = 0; n < TRIES && on_time; n++) {
        share(&sh);
        print_share(&sh, khz);
        on_time = woke_by_timer(&sh);
        if (sh.count[0] && sh.count[1])
            break;
    }
    for (unsigned i = 0; i < VMS && on_time; i++)
        CHECK(sh.exits[i] == 0);
    if (CHECK(sh.count[0] > 0) & CHECK(sh.count[1] > 0))
        con_printf("vmquantum: both guests progressed (%lu, %lu)\n", sh.count[0], sh.count[1]);
}

void test_vmquantum(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip))
        return;
    unsigned n = boot_both();
    if (CHECK(n == VMS) && vmt_poll(&vms[0], spinning) && vmt_poll(&vms[1], spinning))
        check_share(hip);
    stop(n);
}
