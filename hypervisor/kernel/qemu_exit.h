// SPDX-License-Identifier: MIT
// Ending QEMU through its isa-debug-exit device, enabled by the "exit=qemu" option.
#pragma once

#include <stdbool.h>

// QEMU exits with status (code << 1) | 1: PASS gives 33, FAIL gives 35.
#define QEMU_EXIT_PASS 0x10
#define QEMU_EXIT_FAIL 0x11
#define QEMU_EXIT_PORT 0xf4

void qemu_exit_enable(bool on);
void qemu_exit(unsigned code);
