// SPDX-License-Identifier: MIT
// printf-style formatting into a caller-supplied character sink, without libc or floating point.
#pragma once

#include <stdarg.h>
#include <stddef.h>

// Receives every output character in order; the engine never buffers, so a sink can stream
// straight to a device.
typedef void (*fmt_sink)(void *ctx, char c);

// Supported: %d %i %u %x %X %o %c %s %p %%, length modifiers hh h l ll z j t, flags "-0 +#",
// width and precision (also '*'). Deviations from C, chosen so a bad format string is visible
// instead of undefined: an unknown conversion is echoed verbatim and consumes no argument, a
// trailing lone '%' is printed, "%s" of NULL prints "(null)" (cut by precision like any string),
// and "%p" always prints "0x" plus 16 hex digits.
//
// Returns the number of characters emitted, or -1 if that count would not fit in an int.
int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap);
int fmt_format(fmt_sink sink, void *ctx, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// C99 vsnprintf semantics: writes at most size-1 characters plus a NUL when size > 0 (buf may
// be NULL when size is 0) and returns the length the full output would have had.
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
