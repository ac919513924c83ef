// SPDX-License-Identifier: MIT
// Timeout queue: a min-heap of absolute TSC deadlines, built from links in a complete tree.
#include "kernel/timeq.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void timeq_init(struct timeq *q)
{
    q->root = NULL;
    q->count = 0;
    q->seq = 0;
}

void timeq_link_init(struct timeq_link *l)
{
    l->left = l->right = l->parent = NULL;
    l->deadline = l->seq = 0;
    l->queued = false;
}

// Strict total order: the stamp breaks deadline ties, so no two queued links compare equal.
static bool before(const struct timeq_link *a, const struct timeq_link *b)
{
    return a->deadline < b->deadline || (a->deadline == b->deadline && a->seq < b->seq);
}

// Node i (i >= 1, level order): below the top bit, each bit of i picks left (0) or right (1).
// NULL if the path leaves the tree, which only timeq_check relies on.
static struct timeq_link *node_at(const struct timeq *q, size_t i)
{
    struct timeq_link *n = q->root;

    for (int b = 62 - __builtin_clzll(i); b >= 0 && n; b--)
        n = (i >> b) & 1 ? n->right : n->left;
    return n;
}

// Points whatever referred to old (its parent's child slot, or the root) at n.
static void reparent(struct timeq *q, struct timeq_link *old, struct timeq_link *n)
{
    struct timeq_link *p = old->parent;

    if (!p)
        q->root = n;
    else if (p->left == old)
        p->left = n;
    else
        p->right = n;
}

static void adopt(struct timeq_link *parent, struct timeq_link *child)
{
    if (child)
        child->parent = parent;
}

// Exchanges c with its parent p. Links move rather than payloads, because the kernel holds
// pointers to its objects, not to heap slots.
static void swap_with_parent(struct timeq *q, struct timeq_link *c)
{
    struct timeq_link *p = c->parent, *cl = c->left, *cr = c->right;

    reparent(q, p, c);
    c->parent = p->parent;
    if (p->left == c) {
        c->left = p;
        c->right = p->right;
        adopt(c, c->right);
    } else {
        c->right = p;
        c->left = p->left;
        adopt(c, c->left);
    }
    p->parent = c;
    p->left = cl;
    p->right = cr;
    adopt(p, cl);
    adopt(p, cr);
}

static void sift_up(struct timeq *q, struct timeq_link *n)
{
    while (n->parent && before(n, n->parent))
        swap_with_parent(q, n);
}

static void sift_down(struct timeq *q, struct timeq_link *n)
{
    for (;;) {
        struct timeq_link *m = n->left;

        if (n->right && before(n->right, m))
            m = n->right;
        if (!m || !before(m, n))
            return;
        swap_with_parent(q, m);
    }
}

bool timeq_insert(struct timeq *q, struct timeq_link *l, uint64_t deadline)
{
    if (l->queued)
        return false;
    size_t i = ++q->count;

    l->left = l->right = NULL;
    l->deadline = deadline;
    l->seq = q->seq++;
    l->queued = true;
    if (i == 1) {
        l->parent = NULL;
        q->root = l;
        return true;
    }
    struct timeq_link *p = node_at(q, i / 2);

    l->parent = p;
    if (i & 1)
        p->right = l;
    else
        p->left = l;
    sift_up(q, l);
    return true;
}

// Puts the detached node n where l is, taking over l's links.
static void replace(struct timeq *q, struct timeq_link *l, struct timeq_link *n)
{
    reparent(q, l, n);
    n->parent = l->parent;
    n->left = l->left;
    n->right = l->right;
    adopt(n, n->left);
    adopt(n, n->right);
}

bool timeq_remove(struct timeq *q, struct timeq_link *l)
{
    // A queued link in an empty queue belongs to another queue: leave both alone.
    if (!l->queued || !q->count)
        return false;
    // The last node leaves the tree, keeping it complete, and then fills l's slot.
    struct timeq_link *last = node_at(q, q->count--);

    reparent(q, last, NULL);
    if (last != l) {
        replace(q, l, last);
        // The order between last and l's old neighbours is unknown: it moves one way at most.
        sift_up(q, last);
        sift_down(q, last);
    }
    l->left = l->right = l->parent = NULL;
    l->queued = false;
    return true;
}

struct timeq_link *timeq_first(const struct timeq *q)
{
    return q->root;
}

struct timeq_link *timeq_pop_expired(struct timeq *q, uint64_t now)
{
    struct timeq_link *l = q->root;

    if (!l || l->deadline > now)
        return NULL;
    timeq_remove(q, l);
    return l;
}

// Child number i of n must exist exactly when i <= count, point back at n and not precede it.
static bool child_ok(const struct timeq *q, const struct timeq_link *n, const struct timeq_link *c,
                     size_t i)
{
    if (i > q->count)
        return c == NULL;
    return c && c->parent == n && c->queued && !before(c, n) && c->seq < q->seq;
}

// Every slot 1..count is reached through parents that own it, no slot beyond count exists and
// siblings differ, so the tree is complete with count distinct nodes, each after its parent.
bool timeq_check(const struct timeq *q)
{
    if (!q->count)
        return q->root == NULL;
    if (!q->root || q->root->parent || !q->root->queued || q->root->seq >= q->seq)
        return false;
    for (size_t i = 1; i <= q->count; i++) {
        const struct timeq_link *n = node_at(q, i);

        if (!n || (n->left && n->left == n->right))
            return false;
        if (!child_ok(q, n, n->left, 2 * i) || !child_ok(q, n, n->right, 2 * i + 1))
            return false;
    }
    return true;
}
