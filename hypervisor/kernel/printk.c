// SPDX-License-Identifier: MIT
// Kernel console output over the serial port, and panic.
#include "kernel/printk.h"
#include "kernel/exit.h"
#include "arch/x86/cpu.h"
#include "arch/x86/serial.h"
#include "lib/format.h"

#include <stdarg.h>

static void sink(void *ctx, char c)
{
    (void)ctx;
    serial_putc(c);
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fmt_vformat(sink, 0, fmt, ap);
    va_end(ap);
}

void panic(const char *fmt, ...)
{
    static int nested;
    cpu_cli();
    if (nested++)
        cpu_stop(); // a panic while panicking: print nothing more
    va_list ap;
    va_start(ap, fmt);
    printk("PANIC: ");
    fmt_vformat(sink, 0, fmt, ap);
    printk("\n");
    va_end(ap);
    exit_emulator(false);
    cpu_stop();
}
