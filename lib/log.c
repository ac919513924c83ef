// SPDX-License-Identifier: MIT
// A small logging API: every line names its program and, above info, its level.
#include "nova-user/log.h"
#include "nova-user/console.h"
#include "nova-user/format.h"

#define LINE_MAX 256

static const char *prefix = "?";
static enum log_level threshold = LOG_INFO;

void log_set_name(const char *name) { prefix = name && *name ? name : "?"; }
void log_set_threshold(enum log_level level) { threshold = level; }

static const char *tag(enum log_level level)
{
    return level == LOG_ERROR ? "error: " : level == LOG_WARN ? "warning: " : "";
}

// One line, formatted first: con_printf writes it in a single burst, whole.
void log_vprintf(enum log_level level, const char *fmt, va_list ap)
{
    if (level < threshold)
        return;
    char line[LINE_MAX];
    int n = fmt_snprintf(line, sizeof(line), "%s: %s", prefix, tag(level));
    if (n < 0 || (unsigned)n >= sizeof(line))
        n = 0;
    fmt_vsnprintf(line + n, sizeof(line) - (unsigned)n, fmt, ap);
    con_printf("%s\n", line);
}

void log_printf(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_vprintf(level, fmt, ap);
    va_end(ap);
}
