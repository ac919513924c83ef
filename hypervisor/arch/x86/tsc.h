// SPDX-License-Identifier: MIT
// TSC frequency, measured against the PIT at boot.
#pragma once

#include <stdint.h>

void tsc_calibrate(void);
uint64_t tsc_khz(void);
