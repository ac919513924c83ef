// SPDX-License-Identifier: MIT
// Capability range descriptor arithmetic: validation, containment and intersection.
#include "kernel/crd.h"

#include <stdbool.h>
#include <stdint.h>

#include "nova/caps.h"
#include "nova/crd.h"

static uint64_t type_limit(unsigned type)
{
    switch (type) {
    case NOVA_CRD_MEM:
        return CRD_MEM_LIMIT;
    case NOVA_CRD_IO:
        return CRD_IO_LIMIT;
    case NOVA_CRD_OBJ:
        return CRD_OBJ_LIMIT;
    default:
        return 0;
    }
}

static bool aligned(uint64_t base, unsigned order)
{
    return order <= 63 && (base & ((1ull << order) - 1)) == 0;
}

bool crd_valid(nova_crd c, unsigned *type, uint64_t *base, unsigned *order)
{
    unsigned t = NOVA_CRD_TYPE(c), o = NOVA_CRD_ORDER(c);
    uint64_t b = NOVA_CRD_BASE(c);

    // The base field is 52 bits and the order at most 31, so b + 2^o cannot wrap.
    if (t == NOVA_CRD_NULL || !aligned(b, o) || b + (1ull << o) > type_limit(t))
        return false;
    if (type)
        *type = t;
    if (base)
        *base = b;
    if (order)
        *order = o;
    return true;
}

bool crd_contains(nova_crd window, unsigned type, uint64_t base, unsigned order)
{
    unsigned wt, wo;
    uint64_t wb;

    if (!crd_valid(window, &wt, &wb, &wo) || wt != type || order > wo)
        return false;
    // Written as a difference so that no sum can wrap, whatever base the caller passes.
    return base >= wb && base - wb <= (1ull << wo) - (1ull << order);
}

bool range_intersect(uint64_t b1, unsigned o1, uint64_t b2, unsigned o2, uint64_t *b, unsigned *o)
{
    if (!aligned(b1, o1) || !aligned(b2, o2))
        return false;
    // Aligned power-of-two ranges nest or are disjoint: the smaller one lies in the larger
    // exactly if both agree above the larger order.
    unsigned big = o1 > o2 ? o1 : o2;

    if (b1 >> big != b2 >> big)
        return false;
    if (b)
        *b = o1 < o2 ? b1 : b2;
    if (o)
        *o = o1 < o2 ? o1 : o2;
    return true;
}

uint32_t crd_perm_mask(unsigned type)
{
    switch (type) {
    case NOVA_CRD_MEM:
        return NOVA_CRD_MEM_R | NOVA_CRD_MEM_W | NOVA_CRD_MEM_X;
    case NOVA_CRD_IO:
        return 0x1;
    case NOVA_CRD_OBJ:
        return 0x1f;
    default:
        return 0;
    }
}
