// SPDX-License-Identifier: MIT
// Object caches of the kernel: one slab cache per object type over the page allocator.
#include "kernel/kmem.h"
#include "kernel/assert.h"
#include "mm/memory.h"

static void *page_source_alloc(void *ctx)
{
    (void)ctx;
    return page_alloc_zeroed();
}

static void page_source_free(void *ctx, void *page)
{
    (void)ctx;
    page_free(page);
}

const struct slab_pages kmem_pages = {page_source_alloc, page_source_free, 0};

void kmem_cache_init(struct slab_cache *c, const char *name, size_t size, size_t align)
{
    bool ok = slab_cache_init(c, name, size, align, &kmem_pages);
    assert(ok);
}
