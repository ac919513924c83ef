// SPDX-License-Identifier: MIT
// Test "shootdown": revoking a page that threads on other CPUs read ends their access at once.
#include <stdint.h>

#include "check.h"
#include "clock.h"
#include "cpu_thread.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/io.h"
#include "tests.h"

#define CPUS_MAX       16
#define PAGE_SIZE      4096ull
#define ALIAS_VA       0x7e0000000000ull // unused: below the UTCB area, above the image
#define MAGIC          0x5348004f4f54ull
#define READER_PRIO    16
#define READER_QUANTUM 10000
#define START_WAIT_US  2000000
#define WATCH_US       20000
#define SETTLE_US      5000 // the fault and the kernel's report, after the revoke

static uint64_t stacks[CPUS_MAX][SMALL_STACK_WORDS] __attribute__((aligned(16)));

// Per reader: reads completed, reads that saw something else than MAGIC, its APIC id.
static struct reader {
    volatile uint64_t reads, wrong, apic;
} readers[CPUS_MAX];

static _Noreturn void reader(struct nova_utcb *utcb)
{
    struct reader *r = &readers[thread_arg(utcb)];
    r->apic = cpu_apic_self();
    for (;;) {
        uint64_t v = *(volatile uint64_t *)ALIAS_VA; // faults once the mapping is gone
        r->wrong += v != MAGIC;
        r->reads++;
    }
}

// The last page of the largest free region: the root task uses none of it.
static uint64_t free_page(const struct nova_hip *hip)
{
    uint64_t best = 0, size = 0;
    for (unsigned i = 0; i < hip->mem_count && i < NOVA_HIP_MAX_MEM; i++) {
        const struct nova_hip_mem *m = &hip->mem[i];
        if (m->type == NOVA_HIP_MEM_FREE && m->size > size)
            best = (m->base + m->size) & ~(PAGE_SIZE - 1), size = m->size;
    }
    return size >= 2 * PAGE_SIZE ? best - PAGE_SIZE : 0;
}

static bool mapped_at(uint64_t va, uint64_t phys)
{
    nova_crd crd = 0;
    uint64_t pa = 0;
    return CHECK_STATUS(nova_lookup_mem(va, &crd, &pa), NOVA_OK) && CHECK(pa == phys) &&
           CHECK(phys == 0 || NOVA_CRD_TYPE(crd) == NOVA_CRD_MEM);
}

// The source page of the window, delegated to the root itself at ALIAS_VA.
static bool make_alias(const struct nova_hip *hip, uint64_t phys)
{
    uint64_t src = hip->phys_window + phys;
    if (!mapped_at(src, phys) || !mapped_at(ALIAS_VA, 0))
        return false;
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, src / PAGE_SIZE, 0, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W);
    if (!CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, crd, ALIAS_VA / PAGE_SIZE), NOVA_OK) ||
        !mapped_at(ALIAS_VA, phys))
        return false;
    *(volatile uint64_t *)src = MAGIC;
    return CHECK(*(volatile uint64_t *)ALIAS_VA == MAGIC);
}

static bool all_reading(const struct nova_hip *hip)
{
    uint64_t deadline = clock_deadline_us(START_WAIT_US);
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++)
        while (cpu_is_online(hip, cpu) && !readers[cpu].reads && nova_rdtsc() < deadline)
            cpu_pause();
    bool ok = true;
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++)
        ok &= !cpu_is_online(hip, cpu) || CHECK(readers[cpu].reads > 0);
    return ok;
}

static void snapshot(const struct nova_hip *hip, uint64_t reads[CPUS_MAX])
{
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++)
        reads[cpu] = readers[cpu].reads;
}

static void start_readers(const struct nova_hip *hip)
{
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++) {
        if (!cpu_is_online(hip, cpu))
            continue;
        struct thread_spec s = {.fn = reader,
                                .stack = stacks[cpu],
                                .words = SMALL_STACK_WORDS,
                                .arg = cpu,
                                .cpu = cpu,
                                .prio = READER_PRIO,
                                .quantum_us = READER_QUANTUM};
        nova_sel ec;
        CHECK_STATUS(thread_start(&s, &ec, NULL), NOVA_OK);
    }
}

static bool all_moved(const struct nova_hip *hip, const uint64_t before[CPUS_MAX])
{
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++)
        if (cpu_is_online(hip, cpu) && readers[cpu].reads == before[cpu])
            return false;
    return true;
}

// Sleeps WATCH_US, and while moving is wanted until every reader has moved (emulated CPUs
// may stall for a while); then every reader has moved (moving) or none has.
static void watch(const struct nova_hip *hip, bool moving, const char *what)
{
    uint64_t before[CPUS_MAX], after[CPUS_MAX], start = nova_rdtsc();
    uint64_t limit = start + clock_us(START_WAIT_US);
    snapshot(hip, before);
    CHECK_STATUS(clock_sleep_us(WATCH_US), NOVA_TIMEOUT);
    while (moving && !all_moved(hip, before) && nova_rdtsc() < limit)
        CHECK_STATUS(clock_sleep_us(WATCH_US / 4), NOVA_TIMEOUT);
    snapshot(hip, after);
    uint64_t us = clock_to_us(nova_rdtsc() - start);
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++) {
        if (!cpu_is_online(hip, cpu) || !CHECK((after[cpu] > before[cpu]) == moving))
            continue;
        con_printf("shootdown: CPU %u %s (%lu reads in %lu us)\n", cpu, what,
                   after[cpu] - before[cpu], us);
    }
}

static void revoke_alias(const struct nova_hip *hip, uint64_t phys)
{
    uint64_t src = hip->phys_window + phys;
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, src / PAGE_SIZE, 0, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W);
    CHECK_STATUS(nova_revoke(crd, false), NOVA_OK);
    mapped_at(ALIAS_VA, 0);
    mapped_at(src, phys); // without SELF the root keeps its own page
    CHECK(*(volatile uint64_t *)src == MAGIC);
}

static void check_readers(const struct nova_hip *hip)
{
    for (unsigned cpu = 1; cpu < hip->cpu_count; cpu++) {
        if (!cpu_is_online(hip, cpu))
            continue;
        if (CHECK(readers[cpu].wrong == 0 && readers[cpu].apic == hip->cpu[cpu].apic_id))
            con_printf("shootdown: CPU %u lost the mapping\n", cpu);
    }
}

void test_shootdown(const struct nova_hip *hip)
{
    if (cpus_online(hip) < 2) {
        con_printf("shootdown: skipped, one CPU\n");
        return;
    }
    uint64_t phys = free_page(hip);
    if (!clock_init(hip) || !CHECK(hip->cpu_count <= CPUS_MAX && phys != 0) ||
        !make_alias(hip, phys))
        return;
    con_printf("shootdown: page %#lx aliased at %#llx\n", phys, ALIAS_VA);
    start_readers(hip);
    if (!all_reading(hip))
        return;
    watch(hip, true, "reads the alias");
    revoke_alias(hip, phys);
    CHECK_STATUS(clock_sleep_us(SETTLE_US), NOVA_TIMEOUT);
    unsigned before = check_failures;
    watch(hip, false, "stopped reading");
    if (check_failures == before)
        check_readers(hip);
}
