// SPDX-License-Identifier: MIT
// The 8254 programmable interval timer, channel 0 (ISA IRQ 0): periodic, one-shot, stopped.
#include "pit.h"
#include "nova-user/io.h"

#define PIT_CH0 0x40
#define PIT_CMD 0x43
// Channel 0, low then high byte, binary; the mode in bits 1-3.
#define PIT_CH0_LOHI 0x30u
#define PIT_MODE0    (0u << 1)
#define PIT_MODE2    (2u << 1)

static void load(unsigned mode, uint16_t count)
{
    io_outb(PIT_CMD, (uint8_t)(PIT_CH0_LOHI | mode));
    io_outb(PIT_CH0, (uint8_t)count);
    io_outb(PIT_CH0, (uint8_t)(count >> 8));
}

void pit_periodic(uint16_t divisor)
{
    load(PIT_MODE2, divisor);
}

void pit_oneshot(uint16_t count)
{
    load(PIT_MODE0, count);
}

// A real 8254 stops counting on the command word alone; QEMU only re-arms its timer when a
// count is loaded, so a short one-shot comes first: its one edge ends the periodic timer.
void pit_stop(void)
{
    load(PIT_MODE0, 1);
}
