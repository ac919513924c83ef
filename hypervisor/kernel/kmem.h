// SPDX-License-Identifier: MIT
// Object caches of the kernel: one slab cache per object type over the page allocator.
#pragma once

#include "mm/slab.h"

// Initialises a cache whose slabs come from the kernel's page allocator.
void kmem_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align);

// Page source for code that takes one (the object space's leaf pages).
extern const struct slab_pages kmem_pages;
