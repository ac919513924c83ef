// SPDX-License-Identifier: MIT
// Scheduling context: the priority and time quantum that let a global EC run.
#include "kernel/sc.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/kmem.h"
#include "kernel/sched.h"

static struct slab_cache sc_cache;

void sc_cache_init(void) { kmem_cache_init(&sc_cache, "sc", sizeof(struct sc), 0); }

static void sc_destroy(struct kobj *o)
{
    struct sc *sc = (struct sc *)o;
    struct ec *ec = sc->ec;
    sched_sc_gone(sc); // the EC stops: nothing gives it time any more
    ec->sc = 0;
    if (ec->state == EC_READY)
        ec->state = EC_IDLE;
    kobj_put(&ec->obj);
    bool ok = slab_free(&sc_cache, sc);
    assert(ok);
}

enum nova_status sc_create(struct sc **out, struct ec *ec, unsigned prio, uint64_t quantum)
{
    struct sc *sc = slab_alloc(&sc_cache);
    if (!sc)
        return NOVA_NO_MEM;
    if (!kobj_get(&ec->obj)) {
        slab_free(&sc_cache, sc);
        return NOVA_NO_MEM;
    }
    kobj_init(&sc->obj, NOVA_OBJ_SC, sc_destroy);
    sc->ec = ec, sc->prio = prio, sc->quantum = sc->left = quantum, sc->cpu = ec->cpu;
    runq_link_init(&sc->rq);
    ec->sc = sc;
    ec->state = EC_READY;
    sched_enqueue(sc);
    *out = sc;
    return NOVA_OK;
}
