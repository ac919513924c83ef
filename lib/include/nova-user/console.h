// SPDX-License-Identifier: MIT
// Formatted output to the serial console (COM1), polled.
#pragma once

#include <stdarg.h>

void con_putc(char c);
void con_vprintf(const char *fmt, va_list ap);
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
