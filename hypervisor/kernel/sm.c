// SPDX-License-Identifier: MIT
// Semaphore: a counter with up and blocking down; interrupts are semaphore ups.
#include "kernel/sm.h"
#include "arch/x86/cpu.h"
#include "kernel/assert.h"
#include "kernel/ec.h"
#include "kernel/kmem.h"
#include "kernel/gsi.h"
#include "kernel/sched.h"

static struct slab_cache sm_cache;
static bool any_bound;

bool sm_any_interrupt_bound(void) { return any_bound; }
void sm_note_bound(void) { any_bound = true; }

void sm_cache_init(void) { kmem_cache_init(&sm_cache, "sm", sizeof(struct sm), 0); }

// Waiters hold a reference to the semaphore, so it cannot go while one is queued.
static void sm_destroy(struct kobj *o)
{
    struct sm *sm = (struct sm *)o;
    assert(!sm->waiters);
    bool ok = slab_free(&sm_cache, sm);
    assert(ok);
}

enum nova_status sm_create(struct sm **out, uint64_t count)
{
    struct sm *sm = slab_alloc(&sm_cache);
    if (!sm)
        return NOVA_NO_MEM;
    kobj_init(&sm->obj, NOVA_OBJ_SM, sm_destroy);
    sm->count = count;
    sm->gsi = SM_NO_GSI;
    *out = sm;
    return NOVA_OK;
}

void sm_up(struct sm *sm)
{
    struct ec *ec = sm->waiters;
    if (!ec) {
        if (sm->count < UINT64_MAX)
            sm->count++;
        return;
    }
    sm->waiters = ec->wait_next;
    ec->wait_next = 0;
    ec->blocked_on = 0;
    sched_wake(ec);
    kobj_put(&sm->obj);
}

void sm_cancel(struct ec *ec)
{
    sched_timeout_cancel(ec);
    struct sm *sm = ec->blocked_on;
    struct ec **pp = &sm->waiters, *prev = 0;
    while (*pp != ec)
        prev = *pp, pp = &(*pp)->wait_next;
    *pp = ec->wait_next;
    if (sm->last == ec)
        sm->last = prev;
    ec->wait_next = 0;
    ec->blocked_on = 0;
    ec->state = EC_IDLE;
    kobj_put(&sm->obj);
}

enum nova_status sm_down(struct sm *sm, struct ec *cur, bool zero, uint64_t deadline)
{
    if (sm->bound && sm->level) // the driver has handled the last interrupt
        gsi_unmask(sm->gsi);
    if (sm->count) {
        sm->count = zero ? 0 : sm->count - 1;
        return NOVA_OK;
    }
    if (deadline && deadline <= rdtsc())
        return NOVA_TIMEOUT;
    bool ok = kobj_get(&sm->obj);
    assert(ok);
    cur->state = EC_BLOCKED;
    cur->blocked_on = sm;
    cur->wait_next = 0;
    if (sm->waiters)
        sm->last->wait_next = cur;
    else
        sm->waiters = cur;
    sm->last = cur;
    if (deadline)
        sched_timeout_add(cur, deadline);
    return NOVA_OK; // the status it wakes with is written then
}

void sm_timeout(struct ec *ec)
{
    sm_cancel(ec);
    ec->regs.rax = NOVA_TIMEOUT;
    sched_wake(ec);
}
