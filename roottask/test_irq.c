// SPDX-License-Identifier: MIT
// Test "irq": PIT interrupts reach a user-level handler through their GSI semaphore.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "pit.h"
#include "tests.h"

#define PIT_DIVISOR     1193 // about 1000 Hz
#define PERIOD_US       1000
#define IRQS            20
#define IRQ_WAIT_US     100000 // per interrupt; a timeout is a failure
#define HANDLER_PRIO    40
#define HANDLER_QUANTUM 10000
#define QUIET_US        20000 // after pit_stop: no interrupt may arrive in this time
#define STRAGGLERS_MAX  4     // pit_stop's own edge and periodic ones still under way
#define BAD_CPU_NUMBER  99
#define BAD_GSI_FLAGS   0x4

static uint64_t handler_stack[SMALL_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel gsi_sm, done_sm;

// What the handler saw: interrupts received, where, and the first status that was not OK.
static struct {
    unsigned got, wrong_cpu;
    enum nova_status st;
} seen;

static void receive(unsigned apic)
{
    for (unsigned i = 0; i < IRQS; i++) {
        enum nova_status st = nova_sm_down_timed(gsi_sm, clock_deadline_us(IRQ_WAIT_US));
        if (st != NOVA_OK) {
            seen.st = st;
            return;
        }
        seen.got++;
        seen.wrong_cpu += cpu_apic_self() != apic;
    }
}

static _Noreturn void handler(struct nova_utcb *utcb)
{
    receive((unsigned)thread_arg(utcb));
    thread_signal(done_sm);
    thread_rest();
}

static void bad_assigns(unsigned flags)
{
    nova_sel plain = sel_alloc();
    uint64_t addr = 1, data = 1;
    CHECK_STATUS(nova_create_sm(plain, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
    CHECK_STATUS(nova_assign_gsi(plain, 0, flags, &addr, &data), NOVA_BAD_CAP);
    CHECK_STATUS(nova_assign_gsi(gsi_sm, BAD_CPU_NUMBER, flags, &addr, &data), NOVA_BAD_CPU);
    CHECK_STATUS(nova_assign_gsi(gsi_sm, 0, BAD_GSI_FLAGS, &addr, &data), NOVA_BAD_PAR);
}

static bool route(const struct nova_hip *hip, unsigned cpu)
{
    unsigned gsi = hip->isa_gsi[0], flags = hip->isa_flags[0];
    uint64_t addr = 0, data = 0;
    if (!CHECK(gsi < hip->gsi_count))
        return false;
    gsi_sm = NOVA_SEL_ROOT_GSI + gsi;
    bad_assigns(flags);
    if (!CHECK_STATUS(nova_assign_gsi(gsi_sm, cpu, flags, &addr, &data), NOVA_OK))
        return false;
    con_printf("irq: ISA IRQ 0 is GSI %u (flags %#x), routed to CPU %u: MSI address %#lx, "
               "data %#lx\n",
               gsi, flags, cpu, addr, data);
    CHECK((addr & 0xfff00000u) == 0xfee00000u && ((addr >> 12) & 0xff) == hip->cpu[cpu].apic_id);
    return true;
}

// On CPU 0 the root itself is the handler; elsewhere a thread on that CPU is.
static void run_handler(const struct nova_hip *hip, unsigned cpu)
{
    if (cpu == 0) {
        receive(hip->cpu[0].apic_id);
        return;
    }
    con_printf("irq: a handler thread on CPU %u takes the interrupts\n", cpu);
    struct thread_spec s = {.fn = handler,
                            .stack = handler_stack,
                            .words = SMALL_STACK_WORDS,
                            .arg = hip->cpu[cpu].apic_id,
                            .cpu = cpu,
                            .prio = HANDLER_PRIO,
                            .quantum_us = HANDLER_QUANTUM};
    nova_sel ec;
    done_sm = sel_alloc();
    if (!CHECK_STATUS(nova_create_sm(done_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK))
        return;
    CHECK_STATUS(nova_sm_down_timed(done_sm, clock_deadline_us((IRQS + 1) * IRQ_WAIT_US)), NOVA_OK);
}

// A stopped PIT goes quiet after a few late interrupts; a running one never does.
static void stop_and_check_quiet(void)
{
    unsigned late = 0;
    pit_stop();
    // Interrupts counted while this thread was not draining them (a slow or loaded host
    // stretches guest time) are taken in one zeroing down; only stragglers may follow.
    enum nova_status drained = nova_sm_down_zero_timed(gsi_sm, clock_deadline_us(0));
    CHECK(drained == NOVA_OK || drained == NOVA_TIMEOUT);
    while (late <= STRAGGLERS_MAX &&
           nova_sm_down_timed(gsi_sm, clock_deadline_us(QUIET_US)) == NOVA_OK)
        late++;
    if (CHECK(late <= STRAGGLERS_MAX))
        con_printf("irq: PIT stopped, no interrupt in %u us (%u late ones before)\n", QUIET_US,
                   late);
}

void test_irq(const struct nova_hip *hip)
{
    unsigned cpu = cpus_online(hip) > 1 ? cpu_last(hip) : 0;
    if (!clock_init(hip) || !route(hip, cpu))
        return;
    clock_drain(gsi_sm); // nothing from before counts
    uint64_t start = nova_rdtsc();
    pit_periodic(PIT_DIVISOR);
    run_handler(hip, cpu);
    uint64_t took = clock_to_us(nova_rdtsc() - start);
    CHECK_STATUS(seen.st, NOVA_OK);
    CHECK(seen.wrong_cpu == 0);
    // Not much faster than the PIT's rate: the interrupts come from the device. The bound is
    // loose because the PIT follows QEMU's virtual clock and the TSC the host's, which drift
    // apart on a loaded host.
    CHECK(took >= IRQS / 2 * PERIOD_US);
    if (CHECK(seen.got == IRQS))
        con_printf("irq: %u PIT interrupts received in %lu us\n", seen.got, took);
    stop_and_check_quiet();
}
