// SPDX-License-Identifier: MIT
// Kernel invariants: a failed assert is a kernel bug and panics with its place.
#pragma once

#include "kernel/printk.h"

#define assert(cond)                                                                               \
    do {                                                                                           \
        if (__builtin_expect(!(cond), 0))                                                          \
            panic("assertion \"%s\" failed at %s:%d", #cond, __FILE__, __LINE__);                  \
    } while (0)
