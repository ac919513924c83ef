// SPDX-License-Identifier: MIT
// Mapping database: who derived which capability range from whom, so revoke can be recursive.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nova/crd.h"

struct mdb_space;

// "PD `space` holds [base, base + 2^order) units of `type` with `perms`, derived from `parent`"
// (parent NULL: a root node, granted by the kernel). Within one space and one type, nodes
// never overlap. The caller owns the memory; the MDB only links and unlinks it.
struct mdb_node {
    struct mdb_node *parent, *child, *next, *prev; // derivation tree: first child, siblings
    struct mdb_node *snext;                        // the space's list of this type, by base
    struct mdb_space *space;
    uint64_t base; // first unit
    uint64_t phys; // free for the caller (physical address or object pointer)
    uint32_t perms;
    uint8_t type, order;
};

// One PD's nodes, a sorted singly-linked list per type (index NOVA_CRD_*; [NOVA_CRD_NULL]
// stays empty). owner is opaque to the MDB (the PD).
struct mdb_space {
    struct mdb_node *head[4];
    void *owner;
};

// Called once per node that revoke unlinks. The node is already out of every list and tree
// (its link fields are NULL), but space, base, order, type, perms and phys are intact so the
// callee knows what to unmap and from whom; it may free the node.
typedef void (*mdb_release_fn)(void *ctx, struct mdb_node *n);

void mdb_space_init(struct mdb_space *s, void *owner);

// The node of `type` in s that contains all of [base, base + 2^order), or NULL (also when the
// range straddles two nodes or a gap).
struct mdb_node *mdb_find(const struct mdb_space *s, unsigned type, uint64_t base, unsigned order);

// True if any node of `type` in s overlaps [base, base + 2^order).
bool mdb_overlaps(const struct mdb_space *s, unsigned type, uint64_t base, unsigned order);

// Links n (base, order, type, perms, phys set by the caller; link fields are overwritten) into
// s as a child of parent (NULL: a root node). Returns false and changes nothing if the type is
// not MEM/IO/OBJ, order > 63, base is not aligned to 2^order, n overlaps a node of its type in
// s, or, with a parent, the parent is n, unlinked, of another type, or lacks a bit of n->perms.
bool mdb_insert(struct mdb_space *s, struct mdb_node *n, struct mdb_node *parent);

// For every node of `type` in s overlapping [base, base + 2^order) (the whole node, even if it
// only partly overlaps): releases every descendant, in all spaces, children before parents,
// and with self the node itself. Iterative, so deep trees do not grow the stack. Returns the
// number of nodes released.
size_t mdb_revoke(struct mdb_space *s, unsigned type, uint64_t base, unsigned order, bool self,
                  mdb_release_fn release, void *ctx);

// Releases every node of s, of every type, with all descendants in other spaces (PD teardown).
size_t mdb_space_destroy(struct mdb_space *s, mdb_release_fn release, void *ctx);

// Number of nodes of `type` in s.
size_t mdb_count(const struct mdb_space *s, unsigned type);

// Invariants of s: lists sorted, non-overlapping, aligned, of the right type and space; tree
// links consistent; permissions no wider than the parent's.
bool mdb_check(const struct mdb_space *s);
