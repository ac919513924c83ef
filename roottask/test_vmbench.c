// SPDX-License-Identifier: MIT
// Scenario "vmbench": the cost of a CPUID exit handled by the VMM, measured in the guest.
//
// The guest times TESTGUEST_BENCH_ROUNDS CPUID exits with RDTSC (the host's TSC: no offset)
// and reports the average through a VMMCALL. Under -icount the TSC counts instructions.
//
// Then the cost of an exit the kernel handles alone (vmexit_kernel): the guest times an empty
// loop of TESTGUEST_KBENCH_LOOPS rounds twice, first without host interrupts, then while the
// PIT interrupts CPU 0 every millisecond. Nobody waits on the PIT's semaphore: each interrupt
// is a VM exit, the kernel's interrupt path (an up that only counts) and the next VMRUN,
// without the VMM and without a switch to another EC. The extra time of the second loop over
// the number of interrupts that arrived is the cost of one such exit. The interrupts are
// counted by draining the semaphore; one that falls outside the loop (between a mark and its
// RDTSC: a few thousand instructions) is rare at this rate. The VM's quantum is the longest
// there is, so that no end of a quantum falls into either loop.
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/io.h"
#include "test_vm_common.h"
#include "tests.h"

#define PIT_CH0      0x40
#define PIT_CMD      0x43
#define PIT_PERIODIC 0x34 // channel 0, low then high byte, mode 2: an edge every period
#define PIT_ONE_SHOT 0x30 // channel 0, low then high byte, mode 0: one edge at the end
#define PIT_DIVISOR  1193 // an interrupt every millisecond
#define PIT_IDLE     0xffff
#define PIT_HZ       1193182
#define LONG_PAST    1 // a TSC deadline that has passed: a down returns at once
#define QUANTUM_MAX  1000000

static struct vm vm;
static const struct nova_hip *hip;
static volatile uint64_t pit_irqs;
static volatile bool pit_routed;

static void pit_program(uint8_t cmd, uint16_t count)
{
    io_outb(PIT_CMD, cmd);
    io_outb(PIT_CH0, (uint8_t)count);
    io_outb(PIT_CH0, (uint8_t)(count >> 8));
}

static nova_sel pit_sm(void)
{
    return NOVA_SEL_ROOT_GSI + hip->isa_gsi[0];
}

// Takes every up the PIT's semaphore holds; returns how many there were.
static uint64_t pit_drain(void)
{
    uint64_t n = 0;
    uint64_t st;
    while ((st = nova_hypercall(NOVA_HC_SM_CTRL, NOVA_SM_DOWN, pit_sm(), LONG_PAST, 0, 0, 0, 0,
                                NULL, NULL)) == NOVA_OK)
        n++;
    CHECK_STATUS(st, NOVA_TIMEOUT);
    return n;
}

// The PIT runs periodically and its line reaches CPU 0, the vCPU's; no interrupt is counted yet.
static void irq_on(void)
{
    uint64_t msi_addr, msi_data;
    pit_program(PIT_PERIODIC, PIT_DIVISOR);
    if (!pit_routed)
        pit_routed = CHECK_STATUS(nova_hypercall(NOVA_HC_ASSIGN_GSI, 0, pit_sm(), 0,
                                                 hip->isa_flags[0], 0, 0, 0, &msi_addr, &msi_data),
                                  NOVA_OK);
    pit_drain();
}

// One last edge comes when the one-shot count runs out, long after the count here.
static void irq_off(void)
{
    pit_program(PIT_ONE_SHOT, PIT_IDLE);
    pit_irqs = pit_drain();
}

// The VMM's VMMCALL handler runs here, on CPU 0, while the guest waits for its reply.
static void on_mark(struct vm *v, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (exit != NOVA_VMEXIT_VMCALL || s->rax != VMM_HC_MARK)
        return;
    if (s->rbx == TESTGUEST_MARK_IRQ_ON)
        irq_on();
    else if (s->rbx == TESTGUEST_MARK_IRQ_OFF)
        irq_off();
}

static bool fig_seen(unsigned fig)
{
    return CHECK(vm.bench_seen & (1u << fig));
}

// The PIT's edges in ticks TSC ticks; 0 if the TSC rate is unknown.
static uint64_t pit_edges(uint64_t ticks)
{
    return hip->tsc_khz ? ticks * PIT_HZ / (hip->tsc_khz * 1000 * PIT_DIVISOR) : 0;
}

static void report_kernel_exit(void)
{
    uint64_t quiet = vm.bench[TESTGUEST_FIG_QUIET], busy = vm.bench[TESTGUEST_FIG_IRQ];
    if (!fig_seen(TESTGUEST_FIG_QUIET) | !fig_seen(TESTGUEST_FIG_IRQ))
        return;
    con_printf("vmbench: the loop took %lu ticks without host interrupts, %lu with %lu of them "
               "(the PIT sent about %lu)\n",
               quiet, busy, pit_irqs, pit_edges(busy));
    // Interrupts that wait for the guest's own exits arrive a few at a time, not one a period;
    // without -icount a slow host may merge a few edges.
    if (!CHECK(pit_irqs > 0 && pit_irqs * 8 >= pit_edges(busy))) {
        con_printf("vmbench: most PIT interrupts did not make the vCPU exit\n");
        return;
    }
    // Without -icount the TSC runs at host speed and the two loops may differ by noise alone.
    uint64_t each = busy > quiet ? (busy - quiet) / pit_irqs : 0;
    con_printf("bench: vmexit_kernel %lu instructions\n", each);
}

void test_vmbench(const struct nova_hip *h)
{
    struct vmt_opts o = {.cpu = 0, .hook = on_mark, .quantum_us = QUANTUM_MAX};
    hip = h;
    if (!vmt_prepare(hip) || !CHECK(hip->isa_gsi[0] < hip->gsi_count) ||
        !vmt_boot_opts(&vm, 0, TESTGUEST_BENCH, &o))
        return;
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    bool ok = vmt_check(&vm, VM_FINISHED, VMT_MODES | 1u << VMT_DONE);
    uint64_t cpuids = TESTGUEST_BENCH_ROUNDS + TESTGUEST_BENCH_WARMUP;
    if (ok & fig_seen(TESTGUEST_FIG_CPUID) & CHECK(vm.exits[NOVA_VMEXIT_CPUID] >= cpuids))
        con_printf("bench: vmexit_roundtrip %lu instructions\n", vm.bench[TESTGUEST_FIG_CPUID]);
    if (ok)
        report_kernel_exit();
}
