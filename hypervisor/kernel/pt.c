// SPDX-License-Identifier: MIT
// Portal: an entry point into a PD, bound to a local EC, with an id and a transfer descriptor.
#include "kernel/pt.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/kmem.h"

static struct slab_cache pt_cache;

void pt_cache_init(void) { kmem_cache_init(&pt_cache, "pt", sizeof(struct pt), 0); }

static void pt_destroy(struct kobj *o)
{
    struct pt *pt = (struct pt *)o;
    kobj_put(&pt->ec->obj);
    bool ok = slab_free(&pt_cache, pt);
    assert(ok);
}

enum nova_status pt_create(struct pt **out, struct ec *ec, uint64_t mtd, uint64_t ip)
{
    struct pt *pt = slab_alloc(&pt_cache);
    if (!pt)
        return NOVA_NO_MEM;
    if (!kobj_get(&ec->obj)) {
        slab_free(&pt_cache, pt);
        return NOVA_NO_MEM;
    }
    kobj_init(&pt->obj, NOVA_OBJ_PT, pt_destroy);
    pt->ec = ec, pt->mtd = mtd, pt->ip = ip;
    *out = pt;
    return NOVA_OK;
}
