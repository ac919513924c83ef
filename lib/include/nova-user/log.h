// SPDX-License-Identifier: MIT
// A small logging API: every line names its program and, above info, its level.
#pragma once

#include <stdarg.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

// The name every line starts with ("root", a program's name); lines below the threshold
// (LOG_INFO unless set) are dropped.
void log_set_name(const char *name);
void log_set_threshold(enum log_level level);

void log_vprintf(enum log_level level, const char *fmt, va_list ap);
void log_printf(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_printf(LOG_DEBUG, __VA_ARGS__)
#define log_info(...)  log_printf(LOG_INFO, __VA_ARGS__)
#define log_warn(...)  log_printf(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_printf(LOG_ERROR, __VA_ARGS__)
