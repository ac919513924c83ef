// SPDX-License-Identifier: MIT
// Benchmark irq_to_user: from programming a PIT one-shot to its handler thread running.
//
// The moment the interrupt is raised cannot be read from user space, so this measures
// from just before a mode 0 one-shot of ONESHOT_COUNT PIT clocks is programmed to the
// first instruction of the handler thread after its down on the GSI semaphore returns,
// and subtracts the countdown itself (ONESHOT_COUNT / 1.193182 MHz in TSC ticks). What
// remains is three port writes, the idle CPU's wake-up, the kernel's interrupt path to
// the semaphore up, the switch to the handler (priority above the root's, CPU 0) and its
// return to user mode, averaged over ONESHOTS one-shots. The GSI is assigned once.
#include <stdint.h>

#include "alloc.h"
#include "bench5.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/hypercall.h"
#include "pit.h"

#define ONESHOTS        200
#define ONESHOT_COUNT   10
#define HANDLER_PRIO    40
#define HANDLER_QUANTUM 10000
#define IRQ_WAIT_US     100000
#define SETTLE_US       5000

static uint64_t handler_stack[SMALL_STACK_WORDS] __attribute__((aligned(16)));
static nova_sel gsi_sm, done_sm;

static struct {
    volatile uint64_t t0, sum;
    volatile unsigned got;
    enum nova_status st;
} irq;

static _Noreturn void handler(struct nova_utcb *utcb)
{
    for (unsigned i = 0; i < ONESHOTS && irq.st == NOVA_OK; i++) {
        irq.st = nova_sm_down_timed(gsi_sm, clock_deadline_us(IRQ_WAIT_US));
        uint64_t t1 = nova_rdtsc();
        irq.sum += t1 - irq.t0;
        irq.got += irq.st == NOVA_OK;
        thread_signal(done_sm);
    }
    thread_rest();
}

// The GSI to CPU 0, the BIOS's periodic PIT stopped, nothing left over in the semaphore.
static bool prepare(const struct nova_hip *hip)
{
    gsi_sm = NOVA_SEL_ROOT_GSI + hip->isa_gsi[0];
    done_sm = sel_alloc();
    if (!CHECK(hip->isa_gsi[0] < hip->gsi_count) ||
        !CHECK_STATUS(nova_create_sm(done_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(nova_assign_gsi(gsi_sm, 0, hip->isa_flags[0], NULL, NULL), NOVA_OK))
        return false;
    pit_stop();
    CHECK_STATUS(clock_sleep_us(SETTLE_US), NOVA_TIMEOUT);
    clock_drain(gsi_sm);
    struct thread_spec s = {handler, STACK_OF(handler_stack), 0, 0, HANDLER_PRIO, HANDLER_QUANTUM};
    nova_sel ec;
    return CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
}

static bool oneshot(void)
{
    irq.t0 = nova_rdtsc();
    pit_oneshot(ONESHOT_COUNT);
    return CHECK_STATUS(nova_sm_down_timed(done_sm, clock_deadline_us(2 * IRQ_WAIT_US)), NOVA_OK);
}

void bench_irq_to_user(const struct nova_hip *hip)
{
    if (!prepare(hip))
        return;
    for (unsigned i = 0; i < ONESHOTS && oneshot(); i++)
        ;
    CHECK_STATUS(irq.st, NOVA_OK);
    if (!CHECK(irq.got == ONESHOTS))
        return;
    uint64_t avg = irq.sum / ONESHOTS;
    uint64_t countdown = (uint64_t)ONESHOT_COUNT * hip->tsc_khz * 1000 / PIT_HZ;
    bench_print("irq_to_user", avg > countdown ? avg - countdown : 0);
}
