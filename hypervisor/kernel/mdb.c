// SPDX-License-Identifier: MIT
// Mapping database: derivation trees of capability ranges across spaces, with recursive revoke.
#include "kernel/mdb.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nova/crd.h"

static bool type_ok(unsigned type)
{
    return type >= NOVA_CRD_MEM && type <= NOVA_CRD_OBJ;
}

// Last unit of [base, base + 2^order), saturated: query arguments come unchecked, and
// "last" rather than "end" keeps a range that ends at 2^64 representable.
static uint64_t range_last(uint64_t base, unsigned order)
{
    uint64_t span = order >= 64 ? UINT64_MAX : (1ull << order) - 1;

    return base + span < base ? UINT64_MAX : base + span;
}

static uint64_t node_last(const struct mdb_node *n)
{
    return range_last(n->base, n->order);
}

// First node of the list whose last unit is >= unit. Nodes are sorted and disjoint, so their
// last units are sorted too: this is the only node that can start an overlap with [unit, ...).
static struct mdb_node *first_reaching(const struct mdb_space *s, unsigned type, uint64_t unit)
{
    struct mdb_node *n = s->head[type];

    while (n && node_last(n) < unit)
        n = n->snext;
    return n;
}

void mdb_space_init(struct mdb_space *s, void *owner)
{
    for (unsigned t = 0; t < 4; t++)
        s->head[t] = NULL;
    s->owner = owner;
}

struct mdb_node *mdb_find(const struct mdb_space *s, unsigned type, uint64_t base, unsigned order)
{
    if (!type_ok(type))
        return NULL;
    struct mdb_node *n = first_reaching(s, type, base);

    if (n && n->base <= base && range_last(base, order) <= node_last(n))
        return n;
    return NULL;
}

bool mdb_overlaps(const struct mdb_space *s, unsigned type, uint64_t base, unsigned order)
{
    if (!type_ok(type))
        return false;
    struct mdb_node *n = first_reaching(s, type, base);

    return n && n->base <= range_last(base, order);
}

static bool parent_ok(const struct mdb_node *n, const struct mdb_node *parent)
{
    if (!parent)
        return true;
    // Permissions only shrink along a derivation; the sizes are the caller's business.
    return parent != n && parent->space && parent->type == n->type &&
           (n->perms & ~parent->perms) == 0;
}

bool mdb_insert(struct mdb_space *s, struct mdb_node *n, struct mdb_node *parent)
{
    if (!s || !n || !type_ok(n->type) || n->order > 63)
        return false;
    if ((n->base & ((1ull << n->order) - 1)) != 0 || !parent_ok(n, parent))
        return false;

    struct mdb_node **link = &s->head[n->type];

    while (*link && node_last(*link) < n->base)
        link = &(*link)->snext;
    if (*link && (*link)->base <= node_last(n))
        return false;

    n->snext = *link;
    *link = n;
    n->space = s;
    n->parent = parent;
    n->child = NULL;
    n->prev = NULL;
    n->next = parent ? parent->child : NULL;
    if (n->next)
        n->next->prev = n;
    if (parent)
        parent->child = n;
    return true;
}

// Takes a childless node out of its space list and its parent's child list.
static void unlink_leaf(struct mdb_node *n)
{
    struct mdb_node **link = &n->space->head[n->type];

    while (*link && *link != n)
        link = &(*link)->snext;
    if (*link)
        *link = n->snext;

    if (n->prev)
        n->prev->next = n->next;
    else if (n->parent)
        n->parent->child = n->next;
    if (n->next)
        n->next->prev = n->prev;
    n->parent = n->next = n->prev = n->snext = NULL;
}

// Releases top's descendants in post-order, and top too with self. The walk keeps no stack:
// it descends to a leftmost leaf, releases it and resumes at the parent, which is still
// linked because parents go last. Nothing is touched after release() gets it.
static size_t revoke_node(struct mdb_node *top, bool self, mdb_release_fn release, void *ctx)
{
    struct mdb_node *n = top;
    size_t count = 0;

    for (;;) {
        while (n->child)
            n = n->child;
        if (n == top)
            break;
        struct mdb_node *up = n->parent;

        unlink_leaf(n);
        release(ctx, n);
        count++;
        n = up;
    }
    if (self) {
        unlink_leaf(top);
        release(ctx, top);
        count++;
    }
    return count;
}

size_t mdb_revoke(struct mdb_space *s, unsigned type, uint64_t base, unsigned order, bool self,
                  mdb_release_fn release, void *ctx)
{
    if (!type_ok(type))
        return 0;
    uint64_t last = range_last(base, order);
    struct mdb_node *n = first_reaching(s, type, base);
    size_t count = 0;

    while (n && n->base <= last) {
        uint64_t done = node_last(n);

        count += revoke_node(n, self, release, ctx);
        if (done == UINT64_MAX)
            break;
        // Descendants may have lived in s too, so any saved list pointer may be stale:
        // look up the next candidate afresh.
        n = first_reaching(s, type, done + 1);
    }
    return count;
}

size_t mdb_space_destroy(struct mdb_space *s, mdb_release_fn release, void *ctx)
{
    size_t count = 0;

    for (unsigned t = NOVA_CRD_MEM; t <= NOVA_CRD_OBJ; t++)
        while (s->head[t])
            count += revoke_node(s->head[t], true, release, ctx);
    return count;
}

size_t mdb_count(const struct mdb_space *s, unsigned type)
{
    size_t count = 0;

    if (!type_ok(type))
        return 0;
    for (const struct mdb_node *n = s->head[type]; n; n = n->snext)
        count++;
    return count;
}

// n sits correctly among its siblings, and its children point back at it.
static bool tree_ok(const struct mdb_node *n)
{
    if (n->prev ? n->prev->next != n : n->parent && n->parent->child != n)
        return false;
    if (n->next && n->next->prev != n)
        return false;
    if (!n->parent && (n->prev || n->next))
        return false;
    if (n->parent && (n->parent->type != n->type || (n->perms & ~n->parent->perms)))
        return false;
    for (const struct mdb_node *c = n->child; c; c = c->next)
        if (c->parent != n || (c == n->child && c->prev))
            return false;
    return true;
}

static bool node_ok(const struct mdb_space *s, unsigned type, const struct mdb_node *n)
{
    return n->space == s && n->type == type && n->order <= 63 &&
           (n->base & ((1ull << n->order) - 1)) == 0 && tree_ok(n);
}

bool mdb_check(const struct mdb_space *s)
{
    if (s->head[NOVA_CRD_NULL])
        return false;
    for (unsigned t = NOVA_CRD_MEM; t <= NOVA_CRD_OBJ; t++) {
        const struct mdb_node *prev = NULL;

        for (const struct mdb_node *n = s->head[t]; n; prev = n, n = n->snext) {
            if (!node_ok(s, t, n) || (prev && node_last(prev) >= n->base))
                return false;
        }
    }
    return true;
}
