// SPDX-License-Identifier: MIT
// Builds the hypervisor information page for the root PD.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/hip.h"

struct boot_info;
struct cpu_info;

// The HIP page, filled from the boot information and the CPU's features.
struct nova_hip *hip_build(const struct boot_info *bi, const struct cpu_info *ci);
// Appends a memory descriptor; false if the table is full.
bool hip_add_mem(struct nova_hip *hip, uint64_t base, uint64_t size, uint32_t type);
