// SPDX-License-Identifier: MIT
// Test "cpus": one thread on every online CPU reports in; a CPU past the last is refused.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "tests.h"

// The kernel's CPU table holds 16; the HIP could describe more.
#define CPUS_MAX       16
#define REPORT_PRIO    16 // below the root's: on CPU 0 it runs while the root waits
#define REPORT_QUANTUM 10000
#define REPORT_WAIT_US 2000000 // a bound for a missing CPU; emulation can be slow
#define MARKER_PRESENT 0x100u  // marker = this bit | the APIC id the thread runs on

static uint64_t stacks[CPUS_MAX][SMALL_STACK_WORDS] __attribute__((aligned(16)));
static volatile unsigned marker[CPUS_MAX];
static nova_sel report_sm;

// Shared memory: the root PD is one address space on every CPU.
static _Noreturn void report(struct nova_utcb *utcb)
{
    marker[thread_arg(utcb)] = MARKER_PRESENT | cpu_apic_self();
    thread_signal(report_sm); // the root sees a missing up as a timeout
    thread_rest();
}

static void start_reporter(unsigned cpu)
{
    struct thread_spec s = {report, STACK_OF(stacks[cpu]), cpu, cpu, REPORT_PRIO, REPORT_QUANTUM};
    nova_sel ec;
    CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
}

static unsigned collect(unsigned n)
{
    uint64_t deadline = clock_deadline_us(REPORT_WAIT_US);
    unsigned got = 0;
    while (got < n && CHECK_STATUS(nova_sm_down_timed(report_sm, deadline), NOVA_OK))
        got++;
    return got;
}

static void check_markers(const struct nova_hip *hip, unsigned cpus)
{
    for (unsigned i = 0; i < cpus; i++) {
        if (!cpu_is_online(hip, i))
            continue;
        unsigned want = MARKER_PRESENT | hip->cpu[i].apic_id;
        if (!CHECK(marker[i] == want))
            con_printf("cpus: CPU %u marker %#x, expected %#x\n", i, marker[i], want);
    }
}

// One past the last online CPU, and the largest number the UTCB argument can carry.
static void check_bad_cpu(unsigned past)
{
    nova_sel ec = sel_alloc();
    static uint64_t unused[SMALL_STACK_WORDS] __attribute__((aligned(16)));
    struct thread_spec s = {report, STACK_OF(unused), 0, past, REPORT_PRIO, REPORT_QUANTUM};
    if (CHECK_STATUS(thread_create_on(ec, &s), NOVA_BAD_CPU))
        con_printf("cpus: create_ec on CPU %u returned BAD_CPU\n", past);
    s.cpu = 0xfff;
    CHECK_STATUS(thread_create_on(ec, &s), NOVA_BAD_CPU);
    CHECK_EMPTY(ec);
}

void test_cpus(const struct nova_hip *hip)
{
    unsigned n = cpus_online(hip), cpus = hip->cpu_count;
    con_printf("cpus: %u online\n", n);
    if (!clock_init(hip) || !CHECK(cpus <= CPUS_MAX && n >= 1 && cpu_is_online(hip, 0)))
        return;
    report_sm = sel_alloc();
    if (!CHECK_STATUS(nova_create_sm(report_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK))
        return;
    for (unsigned i = 0; i < cpus; i++)
        if (cpu_is_online(hip, i))
            start_reporter(i);
    unsigned got = collect(n);
    check_markers(hip, cpus);
    if (CHECK(got == n))
        con_printf("cpus: all %u report in\n", n);
    check_bad_cpu(cpu_last(hip) + 1);
}
