// SPDX-License-Identifier: MIT
// Ending the emulator with a verdict, the way the "exit=qemu" or "exit=bochs" option selects.
#pragma once

#include <stdbool.h>

// QEMU's isa-debug-exit device: QEMU exits with status (value << 1) | 1, 33 pass or 35 fail.
#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_PASS 0x10
#define QEMU_EXIT_FAIL 0x11

// Bochs ends (with status 1 whatever the verdict) once "Shutdown" is written here byte by byte.
#define BOCHS_SHUTDOWN_PORT 0x8900

// The value of the "exit" option: "qemu" or "bochs"; any other turns exiting off.
void exit_select(const char *mode);

// Prints "exit: pass" or "exit: fail" as the last line and ends the emulator. Returns when no
// way is selected or the emulator lacks the device; the caller then halts as usual.
void exit_emulator(bool pass);
