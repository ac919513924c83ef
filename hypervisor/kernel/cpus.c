// SPDX-License-Identifier: MIT
// The CPUs the kernel runs on: their local APIC ids and which of them are online.
#include "kernel/cpus.h"

static unsigned apic_ids[MAX_CPUS];
static bool online[MAX_CPUS];
static unsigned count;

int cpu_add(unsigned apic_id)
{
    for (unsigned i = 0; i < count; i++)
        if (apic_ids[i] == apic_id)
            return (int)i;
    if (count == MAX_CPUS)
        return -1;
    apic_ids[count] = apic_id;
    return (int)count++;
}

static unsigned online_count;

bool cpu_online(unsigned cpu) { return cpu < count && online[cpu]; }
unsigned cpu_online_count(void) { return online_count; }

void cpu_set_online(unsigned cpu)
{
    if (!online[cpu])
        online_count++;
    online[cpu] = true;
}
unsigned cpu_apic_id(unsigned cpu) { return apic_ids[cpu]; }
unsigned cpu_count(void) { return count; }
