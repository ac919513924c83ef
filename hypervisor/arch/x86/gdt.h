// SPDX-License-Identifier: MIT
// Global descriptor table and task-state segment, one of each per CPU.
#pragma once

#include <stdint.h>

struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss) == 104, "TSS layout (Intel SDM Vol. 3, 8.7)");

// Loads the calling CPU's GDT and TSS.
void gdt_init(unsigned cpu);
void tss_set_kernel_stack(uint64_t rsp0);
// The calling CPU's TSS address, and TR reloaded after a VM exit cut its limit.
uint64_t tss_base(void);
void tss_reload(void);
// Loads the I/O permission bitmap of the PD about to run (NULL: no ports at all).
void tss_load_io_bitmap(const uint8_t *bitmap);
// The bitmap changed or is about to be freed: copy it again before its next use.
void tss_forget_io_bitmap(const uint8_t *bitmap);
