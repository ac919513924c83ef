// SPDX-License-Identifier: MIT
// 16550 UART on COM1, the kernel's console.
#pragma once

void serial_init(void);
void serial_putc(char c);
// Waits (bounded) until the UART has sent everything, before the machine goes away.
void serial_drain(void);
