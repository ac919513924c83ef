// SPDX-License-Identifier: MIT
// Formatted output to the serial console (COM1), polled.
#pragma once

#include <stdarg.h>

#include "nova/caps.h"

/*
 * Several PDs share the UART until a console server exists. Each con_vprintf writes its
 * output in one burst, under the semaphore sm if one is set (the root task creates it and
 * gives every program a copy): lines of different PDs do not tear each other apart. The
 * wait is bounded, so a holder that died only slows output down.
 */
void con_set_lock(nova_sel sm);

void con_putc(char c);
// Waits (bounded) until the UART has sent everything: before the emulator goes away.
void con_drain(void);
void con_vprintf(const char *fmt, va_list ap);
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
