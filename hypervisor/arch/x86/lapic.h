// SPDX-License-Identifier: MIT
// Local APIC: identification, end of interrupt, the one-shot timer and inter-processor interrupts.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define VEC_GSI_BASE   0x30 // GSI g arrives on vector VEC_GSI_BASE + g
#define VEC_GSI_MAX    0xdf
#define VEC_TIMER      0xf0
#define VEC_IPI_WAKE   0xf1 // another CPU queued work here: reschedule
#define VEC_IPI_FLUSH  0xf2 // another CPU changed a page table: flush the TLB
#define VEC_SPURIOUS   0xff

void lapic_init(void);
unsigned lapic_id(void);
void lapic_eoi(void);
// Fires VEC_TIMER once, after `ticks` TSC ticks (0 stops the timer).
void lapic_timer_arm(uint64_t ticks);
void lapic_send_ipi(unsigned apic_id, unsigned vector);
void lapic_send_init_sipi(unsigned apic_id, unsigned start_page);
uint64_t lapic_timer_khz(void);
