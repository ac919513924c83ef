// SPDX-License-Identifier: MIT
// Starting the other CPUs: INIT-SIPI-SIPI, a real-mode trampoline, and their entry to C.
#pragma once

// Starts every CPU the firmware lists besides the boot CPU; returns how many came up.
unsigned smp_start(void);
