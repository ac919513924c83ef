// SPDX-License-Identifier: MIT
// The 8254 programmable interval timer, channel 0 (ISA IRQ 0): periodic, one-shot, stopped.
#pragma once

#include <stdint.h>

#define PIT_HZ 1193182u

// Mode 2 (rate generator): an interrupt every divisor input clocks.
void pit_periodic(uint16_t divisor);

// Mode 0 (interrupt on terminal count): one rising edge, count input clocks from now.
void pit_oneshot(uint16_t count);

// A last one-shot of one input clock: one more edge, then nothing more arrives.
void pit_stop(void);
