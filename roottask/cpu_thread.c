// SPDX-License-Identifier: MIT
// Threads pinned to a CPU: global ECs of the root PD with an argument and their own SC.
#include "cpu_thread.h"
#include "alloc.h"

// As if fn had been called: RSP + 8 is 16-byte aligned at a function's first instruction.
static uint64_t stack_top(uint64_t *stack, size_t words)
{
    return (((uint64_t)(uintptr_t)(stack + words)) & ~15ull) - 8;
}

enum nova_status thread_create_on(nova_sel ec, const struct thread_spec *s)
{
    uint64_t utcb = utcb_alloc();
    enum nova_status st =
        nova_create_ec(ec, NOVA_SEL_ROOT_PD, utcb | (s->cpu & 0xfff), stack_top(s->stack, s->words),
                       (uint64_t)(uintptr_t)s->fn, 0, true);
    // Same PD: the fresh UTCB is mapped here too, and nothing runs on it before an SC comes.
    if (st == NOVA_OK)
        ((struct nova_utcb *)(uintptr_t)utcb)->head.tls = s->arg;
    return st;
}

static nova_sel rest_sm;
static bool have_rest_sm;

void thread_signal(nova_sel sm)
{
    enum nova_status st = nova_sm_up(sm);
    (void)st;
}

_Noreturn void thread_rest(void)
{
    thread_park(rest_sm);
}

enum nova_status thread_start(const struct thread_spec *s, nova_sel *ec, nova_sel *sc)
{
    if (!have_rest_sm) {
        rest_sm = sel_alloc();
        enum nova_status st = nova_create_sm(rest_sm, NOVA_SEL_ROOT_PD, 0);
        if (st != NOVA_OK)
            return st;
        have_rest_sm = true;
    }
    nova_sel e = sel_alloc(), c = sel_alloc();
    *ec = e;
    if (sc)
        *sc = c;
    enum nova_status st = thread_create_on(e, s);
    if (st != NOVA_OK)
        return st;
    return nova_create_sc(c, NOVA_SEL_ROOT_PD, e, s->prio, s->quantum_us);
}

unsigned cpu_apic_self(void)
{
    uint32_t a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return b >> 24;
}

static unsigned described(const struct nova_hip *hip)
{
    return hip->cpu_count < NOVA_HIP_MAX_CPUS ? hip->cpu_count : NOVA_HIP_MAX_CPUS;
}

bool cpu_is_online(const struct nova_hip *hip, unsigned cpu)
{
    return cpu < described(hip) && hip->cpu[cpu].present;
}

unsigned cpus_online(const struct nova_hip *hip)
{
    unsigned n = 0;
    for (unsigned i = 0; i < described(hip); i++)
        n += cpu_is_online(hip, i);
    return n;
}

unsigned cpu_last(const struct nova_hip *hip)
{
    unsigned last = 0;
    for (unsigned i = 0; i < described(hip); i++)
        if (cpu_is_online(hip, i))
            last = i;
    return last;
}
