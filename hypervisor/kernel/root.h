// SPDX-License-Identifier: MIT
// Creates the root PD from the first boot module and makes its EC ready to run.
#pragma once

struct boot_info;
struct nova_hip;
struct pd;

// Where the root task sees physical memory: virtual = ROOT_PHYS_WINDOW + physical.
#define ROOT_PHYS_WINDOW 0x0000100000000000ull

struct pd *root_pd(void);

// Returns NULL on success, or what is wrong with the root task image.
const char *root_create(const struct boot_info *bi, struct nova_hip *hip);
