// SPDX-License-Identifier: MIT
// I/O APICs: route a global system interrupt (GSI) to a vector on one CPU.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define GSI_MAX 64

// Registers an I/O APIC found in the MADT; every line starts masked.
void ioapic_add(uint64_t phys, uint32_t gsi_base);
// GSIs the I/O APICs provide: [0, ioapic_gsi_count()).
unsigned ioapic_gsi_count(void);
bool ioapic_route(unsigned gsi, unsigned apic_id, unsigned vector, bool level, bool active_low);
void ioapic_mask(unsigned gsi, bool masked);
