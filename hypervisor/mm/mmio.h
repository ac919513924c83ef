// SPDX-License-Identifier: MIT
// Uncached kernel mappings of device registers (local APIC, I/O APIC).
#pragma once

#include <stddef.h>
#include <stdint.h>

// Maps [phys, phys + size) uncached and never executable; panics when out of room.
void *mmio_map(uint64_t phys, size_t size);
