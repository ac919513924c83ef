// SPDX-License-Identifier: MIT
// Command lines: blank-separated words, "key=value" options.
#pragma once

#include <stdbool.h>
#include <stddef.h>

// The line is at most max bytes and need not be NUL-terminated (HIP module command lines
// fill their fixed-size field).
bool cmdline_has_word(const char *line, size_t max, const char *word);

// Copies the value of the first "key=value" word into buf (cut to fit, always terminated;
// size > 0). Returns whether the key was found.
bool cmdline_value(const char *line, size_t max, const char *key, char *buf, size_t size);
