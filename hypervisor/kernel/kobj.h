// SPDX-License-Identifier: MIT
// Reference-counted header embedded first in every kernel object (PD, EC, SC, PT, SM).
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/status.h"

// First member of every kernel object, so a struct kobj * converts back to its container.
// refs counts capabilities plus references the kernel holds while it works on the object.
struct kobj {
    uint32_t refs;
    uint8_t type;                   // enum nova_obj
    void (*destroy)(struct kobj *); // runs when refs drops to zero; NULL for static objects
};

// The only two places that touch the counter, so SMP needs no change elsewhere. Taking a
// reference from one already held needs no ordering; the drop is acq_rel so that everything
// done through the object happens before its destroy callback runs.
static inline bool kobj_ref_inc(uint32_t *refs)
{
    uint32_t old = __atomic_load_n(refs, __ATOMIC_RELAXED);

    do {
        // Zero means the object is already being destroyed; saturating instead of wrapping
        // keeps a counter overflow from turning into a use-after-free.
        if (old == 0 || old == UINT32_MAX) {
            return false;
        }
    } while (!__atomic_compare_exchange_n(refs, &old, old + 1, true, __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
    return true;
}

// True when the caller dropped the last reference. The caller must hold one.
static inline bool kobj_ref_dec(uint32_t *refs)
{
    return __atomic_sub_fetch(refs, 1, __ATOMIC_ACQ_REL) == 0;
}

// The new object starts with one reference, the creator's: it is dropped with kobj_put()
// once the object is reachable through a capability (cap_insert takes its own).
static inline void kobj_init(struct kobj *o, enum nova_obj type, void (*destroy)(struct kobj *))
{
    o->refs = 1;
    o->type = (uint8_t)type;
    o->destroy = destroy;
}

// Takes a new reference; false if the object is dying or the counter is saturated.
static inline bool kobj_get(struct kobj *o)
{
    return kobj_ref_inc(&o->refs);
}

// Drops a reference; the last one destroys the object, which o no longer names afterwards.
static inline void kobj_put(struct kobj *o)
{
    if (kobj_ref_dec(&o->refs) && o->destroy) {
        o->destroy(o);
    }
}

// Snapshot of the counter, for tests and debug output only.
static inline uint32_t kobj_refs(const struct kobj *o)
{
    return __atomic_load_n(&o->refs, __ATOMIC_RELAXED);
}
