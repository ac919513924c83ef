// SPDX-License-Identifier: MIT
// Per-PD object space: a two-level table mapping selectors to object capabilities.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/kobj.h"
#include "nova/status.h"

#define CAP_PAGE_SIZE    4096u
#define CAP_LEAF_ENTRIES 256u // caps per leaf page
#define CAP_ROOT_ENTRIES 512u // leaf pointers in the root
#define CAP_SEL_MAX      ((uint64_t)CAP_ROOT_ENTRIES * CAP_LEAF_ENTRIES)

// One slot. obj == NULL marks it empty; an occupied slot holds one reference to obj.
struct cap {
    struct kobj *obj;
    uint32_t perms; // object-type-specific rights, never 0 in an occupied slot
    uint8_t type;   // enum nova_obj, cached so a type check need not touch the object
    uint8_t rsvd;   // zero
    uint16_t mdb;   // spare for the mapping-database link; zero for now
};

_Static_assert(sizeof(struct cap) == 16, "a leaf page holds exactly 256 caps");
_Static_assert(CAP_LEAF_ENTRIES * sizeof(struct cap) == CAP_PAGE_SIZE, "leaf is one page");

// Where leaf pages come from: alloc returns a zeroed, 4 KiB aligned page or NULL.
struct cap_pages {
    void *(*alloc)(void *ctx);
    void (*free)(void *ctx, void *page);
    void *ctx;
};

union cap_leaf; // private to capspace.c

// Embedded in the PD. Leaves appear on the first insert into their range and stay until
// cap_space_destroy().
struct cap_space {
    union cap_leaf *leaf[CAP_ROOT_ENTRIES];
    struct cap_pages pages;
    size_t used; // occupied slots
};

// pages may be NULL: the space then cannot grow and every insert fails with NOVA_NO_MEM.
void cap_space_init(struct cap_space *s, const struct cap_pages *pages);

// Puts a capability to obj (type taken from obj->type) at sel and takes a reference.
// NOVA_BAD_CAP: sel out of range. NOVA_BAD_PAR: obj NULL, of type NOVA_OBJ_NULL, or perms 0.
// NOVA_BUSY: sel occupied. NOVA_NO_MEM: no leaf page, or obj's counter is saturated.
// On failure nothing changes.
enum nova_status cap_insert(struct cap_space *s, uint64_t sel, struct kobj *obj, uint32_t perms);

// Finds the object at sel without taking a reference; *out (if out) is NULL on failure.
// type NOVA_OBJ_NULL accepts any type. NOVA_BAD_CAP: out of range, empty, or wrong type.
// NOVA_PERM: some bit of need is missing.
enum nova_status cap_lookup(const struct cap_space *s, uint64_t sel, uint8_t type, uint32_t need,
                            struct kobj **out);

// The occupied slot at sel, or NULL when sel is out of range or empty; for reading only.
const struct cap *cap_peek(const struct cap_space *s, uint64_t sel);

// Empties sel and hands its reference to the caller (NULL if sel was empty or out of range):
// for code that must not run destroy callbacks yet.
struct kobj *cap_take(struct cap_space *s, uint64_t sel);

// Empties sel and drops its reference, which may destroy the object.
// NOVA_BAD_CAP: out of range or empty.
enum nova_status cap_remove(struct cap_space *s, uint64_t sel);

// Puts a capability at dsel naming the object at ssel, with rights src & mask: rights can
// only shrink. dst and src may be the same space. NOVA_BAD_CAP: either selector out of range
// or ssel empty. NOVA_PERM: the mask leaves no right. NOVA_BUSY / NOVA_NO_MEM as cap_insert.
// On failure nothing changes.
enum nova_status cap_copy(struct cap_space *dst, uint64_t dsel, const struct cap_space *src,
                          uint64_t ssel, uint32_t mask);

// Empties the space, drops every reference and returns the leaf pages. The space is empty
// before the first reference drops and is not touched afterwards, so a destroy callback may
// look at it, destroy it again, or free the memory holding it (a PD holding its own
// capability). The space may be reused without cap_space_init().
void cap_space_destroy(struct cap_space *s);

// Occupied slots.
size_t cap_space_count(const struct cap_space *s);
