// SPDX-License-Identifier: MIT
// The CPUs the kernel runs on: their local APIC ids and which of them are online.
#pragma once

#include <stdbool.h>

#define MAX_CPUS 16

// Records a CPU the firmware reports; returns its kernel number or -1 when the table is full.
int cpu_add(unsigned apic_id);
bool cpu_online(unsigned cpu);
void cpu_set_online(unsigned cpu);
unsigned cpu_online_count(void);
unsigned cpu_apic_id(unsigned cpu);
unsigned cpu_count(void);
