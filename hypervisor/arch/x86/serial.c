// SPDX-License-Identifier: MIT
// 16550 UART on COM1 (0x3f8), polled, 115200 baud 8N1.
#include "arch/x86/serial.h"
#include "arch/x86/cpu.h"

#define COM1     0x3f8
#define REG_DATA 0
#define REG_IER  1
#define REG_FCR  2
#define REG_LCR  3
#define REG_MCR  4
#define REG_LSR  5
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define LCR_DLAB 0x80
#define LCR_8N1  0x03

// Bounded wait: a missing or wedged UART must not hang the kernel.
#define TX_SPIN_LIMIT 100000

void serial_init(void)
{
    outb(COM1 + REG_IER, 0);
    outb(COM1 + REG_LCR, LCR_DLAB);
    outb(COM1 + REG_DATA, 1); // divisor 1: 115200 baud
    outb(COM1 + REG_IER, 0);
    outb(COM1 + REG_LCR, LCR_8N1);
    outb(COM1 + REG_FCR, 0x07); // enable and clear FIFOs
    outb(COM1 + REG_MCR, 0x03); // DTR, RTS
}

// Bochs, unlike QEMU, drops what is still in the FIFO when it exits.
void serial_drain(void)
{
    for (unsigned i = 0; i < TX_SPIN_LIMIT && !(inb(COM1 + REG_LSR) & LSR_TEMT); i++)
        cpu_pause();
}

static void put_raw(char c)
{
    for (unsigned i = 0; i < TX_SPIN_LIMIT && !(inb(COM1 + REG_LSR) & LSR_THRE); i++)
        cpu_pause();
    outb(COM1 + REG_DATA, (uint8_t)c);
}

void serial_putc(char c)
{
    if (c == '\n')
        put_raw('\r');
    put_raw(c);
}
