// SPDX-License-Identifier: MIT
// Serial console: polled writes to the 16550 UART on COM1, which the kernel has set up.
#include <stdarg.h>
#include <stdint.h>

#include "nova-user/console.h"
#include "nova-user/format.h"
#include "nova-user/io.h"

#define COM1     0x3f8
#define REG_DATA 0
#define REG_LSR  5
#define LSR_THRE 0x20 // transmit holding register empty

// Bounded wait: a missing or wedged UART must slow output down, not hang the program.
#define TX_SPIN_LIMIT 100000

static void put_raw(char c)
{
    for (unsigned i = 0; i < TX_SPIN_LIMIT && !(io_inb(COM1 + REG_LSR) & LSR_THRE); i++)
        cpu_pause();
    io_outb(COM1 + REG_DATA, (uint8_t)c);
}

// Terminals want CR LF.
void con_putc(char c)
{
    if (c == '\n')
        put_raw('\r');
    put_raw(c);
}

static void sink(void *ctx, char c)
{
    con_putc(c);
}

void con_vprintf(const char *fmt, va_list ap)
{
    fmt_vformat(sink, 0, fmt, ap);
}

void con_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    con_vprintf(fmt, ap);
    va_end(ap);
}
