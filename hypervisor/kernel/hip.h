// SPDX-License-Identifier: MIT
// Builds the hypervisor information page for the root PD.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/hip.h"

struct boot_info;
struct cpu_info;
struct acpi_info;

// The HIP page, filled from the boot information and the CPU's features.
struct nova_hip *hip_build(const struct boot_info *bi, const struct cpu_info *ci);
// CPUs, GSIs and the routing of ISA interrupts, from the ACPI tables.
void hip_add_platform(struct nova_hip *hip, const struct acpi_info *ai);
// Appends a memory descriptor; false if the table is full.
bool hip_add_mem(struct nova_hip *hip, uint64_t base, uint64_t size, uint32_t type);
