// SPDX-License-Identifier: MIT
// Port I/O and CPU hints for user code that was given the I/O ports (the root task).
#pragma once

#include <stdint.h>

static inline uint8_t io_inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void io_outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void io_outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_pause(void)
{
    __asm__ volatile("pause" ::: "memory");
}
