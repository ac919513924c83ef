// SPDX-License-Identifier: MIT
// Per-PD object space: a two-level table mapping selectors to object capabilities.
#include "kernel/capspace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kobj.h"
#include "nova/status.h"

// Object pointers a dead leaf can carry besides its link.
#define DEAD_OBJS (CAP_PAGE_SIZE / sizeof(struct kobj *) - 1)

// A live leaf is an array of caps. While cap_space_destroy() runs, a leaf already detached
// from the space is reused as a list node: the objects still to be released are packed at
// its start (NULL-terminated) and the link to the next dead leaf sits in its last word. That
// lets teardown finish without touching the space or allocating anything.
union cap_leaf {
    struct cap caps[CAP_LEAF_ENTRIES];
    struct {
        struct kobj *objs[DEAD_OBJS];
        union cap_leaf *next;
    } dead;
};

_Static_assert(sizeof(union cap_leaf) == CAP_PAGE_SIZE, "leaf is one page");
_Static_assert(DEAD_OBJS > CAP_LEAF_ENTRIES, "room for every object plus a terminator");

static bool sel_valid(uint64_t sel)
{
    return sel < CAP_SEL_MAX;
}

// The slot for a valid sel, or NULL when its leaf does not exist yet.
static struct cap *slot_of(const struct cap_space *s, uint64_t sel)
{
    union cap_leaf *leaf = s->leaf[sel / CAP_LEAF_ENTRIES];

    return leaf ? &leaf->caps[sel % CAP_LEAF_ENTRIES] : NULL;
}

void cap_space_init(struct cap_space *s, const struct cap_pages *pages)
{
    // volatile keeps the compiler from turning the loop into a memset() call.
    union cap_leaf *volatile *leaf = s->leaf;

    for (size_t i = 0; i < CAP_ROOT_ENTRIES; i++) {
        leaf[i] = NULL;
    }
    s->pages = pages ? *pages : (struct cap_pages){0};
    s->used = 0;
}

static union cap_leaf *leaf_alloc(const struct cap_space *s)
{
    return s->pages.alloc ? s->pages.alloc(s->pages.ctx) : NULL;
}

static void leaf_free(const struct cap_pages *pages, union cap_leaf *leaf)
{
    if (pages->free) {
        pages->free(pages->ctx, leaf);
    }
}

// Common tail of insert and copy; arguments other than the selector are already checked.
// The reference is taken last so that no failure path has to drop one again.
static enum nova_status install(struct cap_space *s, uint64_t sel, struct kobj *obj, uint32_t perms,
                                uint8_t type)
{
    if (!sel_valid(sel)) {
        return NOVA_BAD_CAP;
    }
    size_t root = sel / CAP_LEAF_ENTRIES;
    union cap_leaf *leaf = s->leaf[root];
    bool fresh = leaf == NULL;

    if (fresh) {
        leaf = leaf_alloc(s);
        if (!leaf) {
            return NOVA_NO_MEM;
        }
    } else if (leaf->caps[sel % CAP_LEAF_ENTRIES].obj) {
        return NOVA_BUSY;
    }
    if (!kobj_get(obj)) {
        if (fresh) {
            leaf_free(&s->pages, leaf);
        }
        return NOVA_NO_MEM;
    }
    s->leaf[root] = leaf;
    leaf->caps[sel % CAP_LEAF_ENTRIES] = (struct cap){.obj = obj, .perms = perms, .type = type};
    s->used++;
    return NOVA_OK;
}

enum nova_status cap_insert(struct cap_space *s, uint64_t sel, struct kobj *obj, uint32_t perms)
{
    if (!sel_valid(sel)) {
        return NOVA_BAD_CAP;
    }
    if (!obj || obj->type == NOVA_OBJ_NULL || perms == 0) {
        return NOVA_BAD_PAR;
    }
    return install(s, sel, obj, perms, obj->type);
}

// The occupied slot at sel, or NULL.
static struct cap *cap_at(const struct cap_space *s, uint64_t sel)
{
    if (!sel_valid(sel)) {
        return NULL;
    }
    struct cap *c = slot_of(s, sel);

    return c && c->obj ? c : NULL;
}

const struct cap *cap_peek(const struct cap_space *s, uint64_t sel) { return cap_at(s, sel); }

enum nova_status cap_lookup(const struct cap_space *s, uint64_t sel, uint8_t type, uint32_t need,
                            struct kobj **out)
{
    const struct cap *c = cap_at(s, sel);
    enum nova_status st = NOVA_OK;

    if (!c || (type != NOVA_OBJ_NULL && c->type != type)) {
        st = NOVA_BAD_CAP;
    } else if ((c->perms & need) != need) {
        st = NOVA_PERM;
    }
    if (out) {
        *out = st == NOVA_OK ? c->obj : NULL;
    }
    return st;
}

struct kobj *cap_take(struct cap_space *s, uint64_t sel)
{
    struct cap *c = cap_at(s, sel);
    if (!c)
        return NULL;
    struct kobj *obj = c->obj;
    *c = (struct cap){0};
    s->used--;
    return obj;
}

enum nova_status cap_remove(struct cap_space *s, uint64_t sel)
{
    struct cap *c = cap_at(s, sel);

    if (!c) {
        return NOVA_BAD_CAP;
    }
    struct kobj *obj = c->obj;

    // Detach before the drop: the destroy callback may look at or tear down this space.
    *c = (struct cap){0};
    s->used--;
    kobj_put(obj);
    return NOVA_OK;
}

enum nova_status cap_copy(struct cap_space *dst, uint64_t dsel, const struct cap_space *src,
                          uint64_t ssel, uint32_t mask)
{
    const struct cap *c = cap_at(src, ssel);

    if (!sel_valid(dsel) || !c) {
        return NOVA_BAD_CAP;
    }
    uint32_t perms = c->perms & mask;

    if (perms == 0) {
        return NOVA_PERM;
    }
    return install(dst, dsel, c->obj, perms, c->type);
}

// Turns a detached leaf into a dead one in place. Pointer n lands at byte 8n, inside caps
// 0..j already read (n <= j), so packing never overwrites a cap still to be read.
static void leaf_pack(union cap_leaf *leaf)
{
    size_t n = 0;

    for (size_t j = 0; j < CAP_LEAF_ENTRIES; j++) {
        struct kobj *obj = leaf->caps[j].obj;

        if (obj) {
            leaf->dead.objs[n++] = obj;
        }
    }
    leaf->dead.objs[n] = NULL;
    leaf->dead.next = NULL;
}

// Empties the space and returns its leaves as a dead list in selector order.
static union cap_leaf *detach_all(struct cap_space *s)
{
    union cap_leaf *head = NULL, **tail = &head;

    for (size_t i = 0; i < CAP_ROOT_ENTRIES; i++) {
        union cap_leaf *leaf = s->leaf[i];

        if (leaf) {
            s->leaf[i] = NULL;
            leaf_pack(leaf);
            *tail = leaf;
            tail = &leaf->dead.next;
        }
    }
    s->used = 0;
    return head;
}

void cap_space_destroy(struct cap_space *s)
{
    // Copied because the first kobj_put() may free the memory holding s.
    struct cap_pages pages = s->pages;
    union cap_leaf *leaf = detach_all(s);

    while (leaf) {
        union cap_leaf *next = leaf->dead.next;

        for (size_t i = 0; leaf->dead.objs[i]; i++) {
            kobj_put(leaf->dead.objs[i]);
        }
        leaf_free(&pages, leaf);
        leaf = next;
    }
}

size_t cap_space_count(const struct cap_space *s)
{
    return s->used;
}
