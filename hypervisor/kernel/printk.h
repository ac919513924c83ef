// SPDX-License-Identifier: MIT
// Kernel console output and panic.
#pragma once

void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
