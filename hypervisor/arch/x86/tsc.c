// SPDX-License-Identifier: MIT
// TSC frequency, measured against the PIT at boot.
#include "arch/x86/tsc.h"
#include "arch/x86/cpu.h"

#define PIT_HZ        1193182u
#define PIT_CH2       0x42
#define PIT_CMD       0x43
#define PORT_B        0x61
#define PORT_B_GATE2  0x01
#define PORT_B_SPKR   0x02
#define PORT_B_OUT2   0x20
#define CALIBRATE_MS  10
#define SPIN_LIMIT    100000000u
#define FALLBACK_KHZ  1000000u // 1 GHz, when no PIT answers

static uint64_t khz;

uint64_t tsc_khz(void) { return khz; }

// Channel 2 in mode 0 counts down once; its output (port 0x61 bit 5) rises at zero.
void tsc_calibrate(void)
{
    uint16_t count = PIT_HZ / 1000 * CALIBRATE_MS;
    outb(PORT_B, (inb(PORT_B) & ~(PORT_B_SPKR | PORT_B_GATE2)));
    outb(PIT_CMD, 0xb0); // channel 2, low then high byte, mode 0
    outb(PIT_CH2, count & 0xff);
    outb(PIT_CH2, count >> 8);
    outb(PORT_B, inb(PORT_B) | PORT_B_GATE2); // the count starts with the gate
    uint64_t start = rdtsc();
    unsigned spins = 0;
    while (!(inb(PORT_B) & PORT_B_OUT2) && ++spins < SPIN_LIMIT)
        ;
    uint64_t ticks = rdtsc() - start;
    khz = spins < SPIN_LIMIT && ticks ? ticks / CALIBRATE_MS : FALLBACK_KHZ;
}
