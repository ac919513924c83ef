// SPDX-License-Identifier: MIT
// A small heap over the memory service: malloc and free for programs.
#pragma once

#include <stddef.h>

// NULL when the memory service refuses more pages (quota) or size is 0.
void *malloc(size_t size);
void free(void *p);
