// SPDX-License-Identifier: MIT
// Unit tests of the mapping database: derivation across spaces, recursive revoke, teardown.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/mdb.h"
#include "nova/crd.h"

#define NSPACES 4
#define MAX_IDS 40000
#define NONE    UINT32_MAX
#define RWX     (NOVA_CRD_MEM_R | NOVA_CRD_MEM_W | NOVA_CRD_MEM_X)

// The test's own record of every node it created, indexed by the id kept in node->phys. It
// outlives the node, so checks after a release never touch freed memory.
struct rec {
    struct mdb_node *node;
    uint32_t parent; // id, or NONE for a root
    uint64_t base;
    uint32_t perms;
    uint8_t sp, type, order;
    bool live, released;
};

static struct rec recs[MAX_IDS];
static uint32_t nrecs;
static struct mdb_space spaces[NSPACES];
static int owners[NSPACES];
static bool check_in_release; // mdb_check on every handover; off where it would be quadratic
static size_t release_errors; // for the callback run on a thread, where cmocka cannot assert

static uint64_t last_of(uint64_t base, unsigned order)
{
    return base + ((1ull << order) - 1);
}

static bool recs_overlap(const struct rec *r, unsigned sp, unsigned type, uint64_t base,
                         unsigned order)
{
    return r->live && r->sp == sp && r->type == type && r->base <= last_of(base, order) &&
           base <= last_of(r->base, r->order);
}

// Every space passes mdb_check and holds exactly the live records of each type.
static void check_all(void)
{
    size_t want[NSPACES][4] = {{0}};

    for (uint32_t i = 0; i < nrecs; i++)
        if (recs[i].live)
            want[recs[i].sp][recs[i].type]++;
    for (unsigned s = 0; s < NSPACES; s++) {
        assert_true(mdb_check(&spaces[s]));
        for (unsigned t = NOVA_CRD_MEM; t <= NOVA_CRD_OBJ; t++)
            assert_int_equal(mdb_count(&spaces[s], t), want[s][t]);
    }
}

// Bookkeeping shared by both release callbacks; returns false if the handover is wrong.
static bool note_release(struct mdb_node *n)
{
    uint64_t id = n->phys;

    if (id >= nrecs || !recs[id].live || recs[id].node != n)
        return false;
    struct rec *r = &recs[id];
    bool ok = !n->parent && !n->child && !n->next && !n->prev && !n->snext;

    ok = ok && n->space == &spaces[r->sp] && n->space->owner == &owners[r->sp];
    ok = ok && n->base == r->base && n->order == r->order && n->type == r->type;
    // Post-order: a node goes before its parent.
    ok = ok && (r->parent == NONE || !recs[r->parent].released);
    r->live = false;
    r->released = true;
    return ok;
}

// The kernel's role: take the node, free it. ASan flags any later touch by the MDB.
static void release_cb(void *ctx, struct mdb_node *n)
{
    size_t *calls = ctx;

    assert_true(note_release(n));
    if (check_in_release)
        for (unsigned s = 0; s < NSPACES; s++)
            assert_true(mdb_check(&spaces[s]));
    if (calls)
        (*calls)++;
    free(n);
}

static void quiet_release_cb(void *ctx, struct mdb_node *n)
{
    (void)ctx;
    if (!note_release(n))
        release_errors++;
    free(n);
}

static int setup(void **state)
{
    (void)state;
    memset(recs, 0, sizeof(recs));
    nrecs = 0;
    check_in_release = true;
    release_errors = 0;
    for (unsigned s = 0; s < NSPACES; s++)
        mdb_space_init(&spaces[s], &owners[s]);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    check_in_release = false;
    for (unsigned s = 0; s < NSPACES; s++)
        mdb_space_destroy(&spaces[s], release_cb, NULL);
    for (uint32_t i = 0; i < nrecs; i++)
        assert_false(recs[i].live);
    return 0;
}

// Tries to insert a fresh node; returns its id, or NONE (node freed) if mdb_insert refused.
static uint32_t try_insert(unsigned sp, unsigned type, uint64_t base, unsigned order,
                           uint32_t perms, uint32_t parent)
{
    assert_true(nrecs < MAX_IDS);
    struct mdb_node *n = calloc(1, sizeof(*n));

    assert_non_null(n);
    n->type = (uint8_t)type;
    n->base = base;
    n->order = (uint8_t)order;
    n->perms = perms;
    n->phys = nrecs;
    if (!mdb_insert(&spaces[sp], n, parent == NONE ? NULL : recs[parent].node)) {
        free(n);
        return NONE;
    }
    recs[nrecs] = (struct rec){
        n, parent, base, perms, (uint8_t)sp, (uint8_t)type, (uint8_t)order, true, false};
    return nrecs++;
}

static uint32_t derive(unsigned sp, uint64_t base, unsigned order, uint32_t perms, uint32_t parent)
{
    unsigned type = parent == NONE ? NOVA_CRD_MEM : recs[parent].type;
    uint32_t id = try_insert(sp, type, base, order, perms, parent);

    assert_int_not_equal(id, NONE);
    check_all();
    return id;
}

static size_t revoke(unsigned sp, unsigned type, uint64_t base, unsigned order, bool self)
{
    size_t calls = 0;
    size_t n = mdb_revoke(&spaces[sp], type, base, order, self, release_cb, &calls);

    assert_int_equal(n, calls);
    check_all();
    return n;
}

static void test_empty(void **state)
{
    (void)state;
    check_all();
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0, 0));
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_IO, 0, 63));
    assert_int_equal(revoke(0, NOVA_CRD_OBJ, 0, 63, true), 0);
    assert_int_equal(mdb_space_destroy(&spaces[0], release_cb, NULL), 0);
    assert_int_equal(mdb_count(&spaces[0], 0), 0);
    assert_int_equal(mdb_count(&spaces[0], 7), 0);
    assert_ptr_equal(spaces[0].owner, &owners[0]);
}

static void test_find_and_overlaps(void **state)
{
    (void)state;
    uint32_t a = derive(0, 0x10, 4, RWX, NONE); // [0x10, 0x20)
    uint32_t b = derive(0, 0x20, 3, RWX, NONE); // [0x20, 0x28)
    uint32_t c = derive(0, 0x40, 6, RWX, NONE); // [0x40, 0x80)

    assert_ptr_equal(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x10, 4), recs[a].node);
    assert_ptr_equal(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x18, 3), recs[a].node);
    assert_ptr_equal(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x1f, 0), recs[a].node);
    assert_ptr_equal(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x27, 0), recs[b].node);
    assert_ptr_equal(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x60, 5), recs[c].node);
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x00, 5)); // straddles a gap and a
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x20, 4)); // b and a gap
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x10, 5)); // a and b, adjacent
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x30, 0)); // gap
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x80, 0)); // past the end
    assert_null(mdb_find(&spaces[0], NOVA_CRD_IO, 0x10, 0));  // other type
    assert_null(mdb_find(&spaces[1], NOVA_CRD_MEM, 0x10, 0)); // other space
    assert_null(mdb_find(&spaces[0], 4, 0x10, 0));            // no such type

    assert_true(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0, 63));
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0x28, 3));
    assert_true(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0x00, 5));
    assert_true(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0x7f, 0));
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0x30, 4));
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0x80, 7));
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_OBJ, 0, 63));
    // Queries are not validated: a misaligned or oversized range must not wrap around.
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, UINT64_MAX, 63));
    assert_false(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, 0x80, 200));
    assert_null(mdb_find(&spaces[0], NOVA_CRD_MEM, 0x10, 200));
}

static void test_extremes(void **state)
{
    (void)state;
    uint32_t top = derive(0, 1ull << 63, 63, RWX, NONE); // ends exactly at 2^64
    uint32_t low = derive(1, 0, 63, RWX, NONE);

    assert_int_equal(try_insert(0, NOVA_CRD_MEM, UINT64_MAX, 0, RWX, NONE), NONE);
    assert_int_not_equal(try_insert(0, NOVA_CRD_MEM, 0, 0, RWX, NONE), NONE);
    assert_ptr_equal(mdb_find(&spaces[0], NOVA_CRD_MEM, UINT64_MAX, 0), recs[top].node);
    assert_ptr_equal(mdb_find(&spaces[1], NOVA_CRD_MEM, (1ull << 63) - 1, 0), recs[low].node);
    assert_true(mdb_overlaps(&spaces[0], NOVA_CRD_MEM, UINT64_MAX, 0));
    // Delegated far away: sizes and addresses between parent and child are free.
    derive(2, 0, 0, RWX, top);
    assert_int_equal(revoke(0, NOVA_CRD_MEM, UINT64_MAX, 0, true), 2);
    check_all();
}

static void test_insert_rejects(void **state)
{
    (void)state;
    uint32_t a = derive(0, 0x100, 4, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W, NONE);

    // Another type may reuse the same numbers.
    assert_int_not_equal(try_insert(0, NOVA_CRD_IO, 0x100, 4, 1, NONE), NONE);
    // Overlap: equal, inside, around, partial.
    assert_int_equal(try_insert(0, NOVA_CRD_MEM, 0x100, 4, 1, NONE), NONE);
    assert_int_equal(try_insert(0, NOVA_CRD_MEM, 0x108, 2, 1, NONE), NONE);
    assert_int_equal(try_insert(0, NOVA_CRD_MEM, 0x000, 9, 1, NONE), NONE);
    assert_int_equal(try_insert(0, NOVA_CRD_MEM, 0x10f, 0, 1, NONE), NONE);
    assert_int_equal(try_insert(0, NOVA_CRD_MEM, 0x100, 0, 1, NONE), NONE);
    assert_int_equal(try_insert(0, NOVA_CRD_MEM, 0x0f8, 3, 1, NONE) == NONE, false);
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0x0f8, 3, true), 1);
    // Misaligned, order too large, bad types.
    assert_int_equal(try_insert(1, NOVA_CRD_MEM, 0x104, 3, 1, NONE), NONE);
    assert_int_equal(try_insert(1, NOVA_CRD_MEM, 1, 1, 1, NONE), NONE);
    assert_int_equal(try_insert(1, NOVA_CRD_MEM, 0, 64, 1, NONE), NONE);
    assert_int_equal(try_insert(1, NOVA_CRD_NULL, 0, 0, 1, NONE), NONE);
    assert_int_equal(try_insert(1, 4, 0, 0, 1, NONE), NONE);
    // A child of another type than its parent, or with a permission the parent lacks.
    assert_int_equal(try_insert(1, NOVA_CRD_IO, 0, 0, 1, a), NONE);
    assert_int_equal(try_insert(1, NOVA_CRD_MEM, 0, 0, RWX, a), NONE);
    assert_int_equal(try_insert(1, NOVA_CRD_MEM, 0, 0, NOVA_CRD_MEM_X, a), NONE);
    check_all();
    assert_null(recs[a].node->child);
    // Adjacent on both sides is fine.
    derive(0, 0x0f0, 4, 1, NONE);
    derive(0, 0x110, 4, 1, NONE);
    check_all();

    // A node may not be its own parent.
    struct mdb_node *n = calloc(1, sizeof(*n));

    assert_non_null(n);
    n->type = NOVA_CRD_MEM;
    n->base = 0x1000;
    assert_false(mdb_insert(&spaces[0], n, n));
    assert_false(mdb_insert(NULL, n, NULL));
    assert_false(mdb_insert(&spaces[0], NULL, NULL));
    free(n);
    check_all();
}

static void test_perm_masking(void **state)
{
    (void)state;
    uint32_t root = derive(0, 0, 8, RWX, NONE);
    uint32_t rw = derive(1, 0, 4, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W, root);
    uint32_t r = derive(2, 0, 2, NOVA_CRD_MEM_R, rw);

    derive(3, 0, 4, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W, rw); // equal is fine
    derive(3, 0x10, 0, 0, r);                             // so is nothing
    // A grandchild cannot win back what its parent lost.
    assert_int_equal(try_insert(3, NOVA_CRD_MEM, 0x20, 0, NOVA_CRD_MEM_W, r), NONE);
    assert_int_equal(try_insert(3, NOVA_CRD_MEM, 0x20, 0, NOVA_CRD_MEM_X, rw), NONE);
    assert_int_equal(try_insert(3, NOVA_CRD_MEM, 0x20, 0, 0x8, root), NONE);
    check_all();
}

//   A:R ─┬─ B:b1 ─┬─ C:c2 ── D:d2
//        │        └─ D:d1
//        └─ C:c1 ── D:d3
static void test_revoke_subtree(void **state)
{
    (void)state;
    uint32_t r = derive(0, 0x00, 4, RWX, NONE);
    uint32_t b1 = derive(1, 0x100, 4, RWX, r);
    uint32_t c1 = derive(2, 0x200, 4, NOVA_CRD_MEM_R, r);
    uint32_t c2 = derive(2, 0x300, 3, NOVA_CRD_MEM_R, b1);
    uint32_t d1 = derive(3, 0x400, 2, RWX, b1);
    uint32_t d2 = derive(3, 0x500, 3, NOVA_CRD_MEM_R, c2);
    uint32_t d3 = derive(3, 0x600, 0, 0, c1);

    assert_int_equal(revoke(1, NOVA_CRD_MEM, 0x100, 4, false), 3);
    assert_true(recs[c2].released && recs[d1].released && recs[d2].released);
    assert_true(recs[r].live && recs[b1].live && recs[c1].live && recs[d3].live);
    assert_null(recs[b1].node->child);
    assert_ptr_equal(recs[b1].node->parent, recs[r].node);

    // A range in a space with nothing there, or in another type, revokes nothing.
    assert_int_equal(revoke(1, NOVA_CRD_MEM, 0x200, 8, true), 0);
    assert_int_equal(revoke(1, NOVA_CRD_IO, 0x100, 4, true), 0);

    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0x0, 4, true), 4);
    for (uint32_t i = 0; i < nrecs; i++)
        assert_true(recs[i].released);
}

static void test_revoke_self(void **state)
{
    (void)state;
    uint32_t r = derive(0, 0, 4, RWX, NONE);
    uint32_t a = derive(1, 0, 4, RWX, r);
    uint32_t b = derive(2, 0, 4, RWX, a);

    // Without self the node stays and may be derived from again.
    assert_int_equal(revoke(1, NOVA_CRD_MEM, 0, 4, false), 1);
    assert_true(recs[a].live && recs[b].released);
    assert_int_equal(revoke(1, NOVA_CRD_MEM, 0, 4, false), 0);
    uint32_t b2 = derive(2, 0, 4, RWX, a);

    // With self it goes too, and leaves its parent's child list.
    assert_int_equal(revoke(1, NOVA_CRD_MEM, 0, 4, true), 2);
    assert_true(recs[a].released && recs[b2].released && recs[r].live);
    assert_null(recs[r].node->child);
    assert_null(mdb_find(&spaces[1], NOVA_CRD_MEM, 0, 0));
}

static void test_revoke_several_nodes(void **state)
{
    (void)state;
    uint32_t n[4], k[4];
    const uint64_t base[4] = {0, 4, 8, 16};
    const unsigned order[4] = {2, 2, 3, 4};

    for (unsigned i = 0; i < 4; i++) {
        n[i] = derive(0, base[i], order[i], RWX, NONE);
        k[i] = derive(1 + i % 3, 0x100 * i, 0, RWX, n[i]);
    }
    // A one-page range inside a node takes the whole node's derivations.
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 5, 0, false), 1);
    assert_true(recs[k[1]].released && recs[k[0]].live);
    // A range over several nodes takes each of them, and nothing beyond.
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0, 4, true), 5);
    assert_true(recs[n[0]].released && recs[n[1]].released && recs[n[2]].released);
    assert_true(recs[k[0]].released && recs[k[2]].released);
    assert_true(recs[n[3]].live && recs[k[3]].live);
    // A gap revokes nothing.
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 32, 5, true), 0);
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0, 63, true), 2);
}

static void test_shared_pages(void **state)
{
    (void)state;
    uint32_t src = derive(0, 0x40, 2, RWX, NONE);
    uint32_t in_b = derive(1, 0x80, 2, NOVA_CRD_MEM_R, src);
    uint32_t in_c = derive(2, 0x10, 2, RWX, src);
    uint32_t from_c = derive(3, 0x10, 1, NOVA_CRD_MEM_R, in_c);

    assert_int_equal(revoke(2, NOVA_CRD_MEM, 0x10, 2, true), 2);
    assert_true(recs[in_c].released && recs[from_c].released);
    assert_true(recs[in_b].live);
    assert_ptr_equal(mdb_find(&spaces[1], NOVA_CRD_MEM, 0x81, 0), recs[in_b].node);
    assert_ptr_equal(recs[src].node->child, recs[in_b].node);
    assert_null(recs[in_b].node->next);
    assert_null(recs[in_b].node->prev);

    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0x40, 2, false), 1);
    assert_true(recs[src].live && recs[in_b].released);
}

// A PD delegating to itself at another address: revoking walks its own list while it shrinks.
static void test_same_space(void **state)
{
    (void)state;
    uint32_t r = derive(0, 0x00, 3, RWX, NONE);
    uint32_t alias = derive(0, 0x10, 3, RWX, r);
    uint32_t alias2 = derive(0, 0x08, 2, NOVA_CRD_MEM_R, alias);
    uint32_t other = derive(0, 0x20, 3, RWX, NONE);
    uint32_t ext = derive(1, 0x20, 3, RWX, other);

    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0, 6, false), 3);
    assert_true(recs[alias].released && recs[alias2].released && recs[ext].released);
    assert_true(recs[r].live && recs[other].live);

    alias = derive(0, 0x10, 3, RWX, r);
    alias2 = derive(0, 0x08, 2, RWX, alias);
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0, 6, true), 4);
    check_all();
}

static void test_space_destroy(void **state)
{
    (void)state;
    uint32_t a = derive(0, 0, 4, RWX, NONE);
    uint32_t b_from_a = derive(1, 0, 4, RWX, a);
    uint32_t c_from_b = derive(2, 0, 4, RWX, b_from_a);
    uint32_t d_from_c = derive(3, 0, 2, RWX, c_from_b);
    uint32_t c_from_a = derive(2, 0x10, 4, RWX, a);
    uint32_t b_io = try_insert(1, NOVA_CRD_IO, 0x3f8, 3, 1, NONE);
    uint32_t b_obj = try_insert(1, NOVA_CRD_OBJ, 32, 5, 0x1f, NONE);

    assert_int_not_equal(b_io, NONE);
    assert_int_not_equal(b_obj, NONE);
    uint32_t d_io = derive(3, 0x60, 0, 1, b_io);
    uint32_t c_obj = derive(2, 0, 0, 0x3, b_obj);

    size_t calls = 0;

    assert_int_equal(mdb_space_destroy(&spaces[1], release_cb, &calls), 7);
    assert_int_equal(calls, 7);
    check_all();
    assert_true(recs[b_from_a].released && recs[c_from_b].released && recs[d_from_c].released);
    assert_true(recs[b_io].released && recs[b_obj].released);
    assert_true(recs[d_io].released && recs[c_obj].released);
    assert_true(recs[a].live && recs[c_from_a].live);
    assert_ptr_equal(recs[a].node->child, recs[c_from_a].node);
    for (unsigned t = 0; t < 4; t++)
        assert_null(spaces[1].head[t]);
    // The space can be reused afterwards.
    derive(1, 0, 4, NOVA_CRD_MEM_R, c_from_a);
}

// Builds a chain of depth n: link i lives in space i % spaces_used at page i.
static void build_chain(uint32_t n, unsigned spaces_used)
{
    uint32_t parent = NONE;

    for (uint32_t i = 0; i < n; i++) {
        parent = try_insert(i % spaces_used, NOVA_CRD_MEM, i, 0, RWX, parent);
        assert_int_not_equal(parent, NONE);
    }
}

struct revoke_job {
    unsigned sp;
    uint64_t base;
    unsigned order;
    bool self;
    size_t result;
};

static void *revoke_thread(void *arg)
{
    struct revoke_job *j = arg;

    j->result = mdb_revoke(&spaces[j->sp], NOVA_CRD_MEM, j->base, j->order, j->self,
                           quiet_release_cb, NULL);
    return NULL;
}

// Runs the revoke on a 128 KiB stack, far too small for one frame per level of a deep tree.
static size_t revoke_on_small_stack(unsigned sp, uint64_t base, unsigned order, bool self)
{
    struct revoke_job job = {sp, base, order, self, 0};
    pthread_attr_t attr;
    pthread_t t;

    assert_int_equal(pthread_attr_init(&attr), 0);
    assert_int_equal(pthread_attr_setstacksize(&attr, 128 * 1024), 0);
    assert_int_equal(pthread_create(&t, &attr, revoke_thread, &job), 0);
    assert_int_equal(pthread_join(t, NULL), 0);
    pthread_attr_destroy(&attr);
    assert_int_equal(release_errors, 0);
    return job.result;
}

static void test_deep_chain(void **state)
{
    (void)state;
    build_chain(10000, 4);
    check_all();
    assert_int_equal(revoke_on_small_stack(0, 0, 0, false), 9999);
    check_all();
    assert_true(recs[0].live);
    for (uint32_t i = 1; i < 10000; i++)
        assert_true(recs[i].released);
}

static void test_deep_chain_one_space(void **state)
{
    (void)state;
    build_chain(10000, 1);
    check_all();
    // The range starts mid-chain: the node at 4096 goes with everything derived from it.
    assert_int_equal(revoke_on_small_stack(0, 4096, 12, true), 10000 - 4096);
    check_all();
    assert_int_equal(mdb_count(&spaces[0], NOVA_CRD_MEM), 4096);
    assert_int_equal(revoke_on_small_stack(0, 0, 14, true), 4096);
    check_all();
}

static void test_deep_chain_destroy(void **state)
{
    (void)state;
    build_chain(10000, 3);
    check_in_release = false;
    assert_int_equal(mdb_space_destroy(&spaces[0], release_cb, NULL), 10000);
    check_all();
}

// A bushy tree: many children per node, with the walk resuming at the parent each time.
static void test_wide_tree(void **state)
{
    (void)state;
    uint32_t root = derive(0, 0, 12, RWX, NONE);
    uint32_t mid[8];

    for (unsigned i = 0; i < 8; i++) {
        mid[i] = try_insert(1 + i % 3, NOVA_CRD_MEM, 0x1000 * i, 6, RWX, root);
        assert_int_not_equal(mid[i], NONE);
        for (unsigned j = 0; j < 32; j++)
            assert_int_not_equal(
                try_insert(3, NOVA_CRD_MEM, 0x10000 + 0x100 * i + j, 0, RWX, mid[i]), NONE);
    }
    check_all();
    assert_int_equal(revoke(2, NOVA_CRD_MEM, 0x1000, 12, true), 33);
    assert_true(recs[mid[1]].released && recs[mid[4]].live);
    assert_int_equal(revoke(0, NOVA_CRD_MEM, 0, 0, false), 7 * 33);
}

// Deterministic xorshift64*, so a failure reproduces.
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(uint64_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (rng_state * 0x2545f4914f6cdd1dull >> 11) % n;
}

static bool model_insert_ok(unsigned sp, unsigned type, uint64_t base, unsigned order,
                            uint32_t perms, uint32_t parent)
{
    if (base & ((1ull << order) - 1))
        return false;
    if (parent != NONE && (recs[parent].type != type || (perms & ~recs[parent].perms)))
        return false;
    for (uint32_t i = 0; i < nrecs; i++)
        if (recs_overlap(&recs[i], sp, type, base, order))
            return false;
    return true;
}

// Marks in doomed[] what a revoke must release and returns how many. A child always has a
// larger id than its parent, so one pass in id order sees every ancestor first.
static size_t model_revoke(unsigned sp, unsigned type, uint64_t base, unsigned order, bool self,
                           bool *doomed)
{
    static bool hit[MAX_IDS], below[MAX_IDS];
    size_t count = 0;

    for (uint32_t i = 0; i < nrecs; i++) {
        uint32_t p = recs[i].parent;

        hit[i] = recs_overlap(&recs[i], sp, type, base, order);
        below[i] = recs[i].live && p != NONE && (hit[p] || below[p]);
        doomed[i] = below[i] || (self && hit[i]);
        count += doomed[i];
    }
    return count;
}

static void stress_derive(void)
{
    uint32_t parent = NONE;
    unsigned type = 1 + (unsigned)rnd(3);
    uint32_t perms = (uint32_t)rnd(8);

    if (nrecs && rnd(4) != 0) {
        parent = (uint32_t)rnd(nrecs);
        if (!recs[parent].live)
            return;
        type = recs[parent].type;
        perms = recs[parent].perms & (uint32_t)rnd(8);
        if (rnd(10) == 0)
            perms |= 1u << rnd(3); // sometimes more than the parent has
    }
    unsigned sp = (unsigned)rnd(NSPACES), order = (unsigned)rnd(5);
    uint64_t base = rnd(256) & ~((1ull << order) - 1);

    if (rnd(10) == 0)
        base |= 1; // sometimes misaligned (harmless for order 0)
    bool expect = model_insert_ok(sp, type, base, order, perms, parent);

    assert_int_equal(try_insert(sp, type, base, order, perms, parent) != NONE, expect);
}

static void stress_revoke(void)
{
    static bool doomed[MAX_IDS];
    unsigned sp = (unsigned)rnd(NSPACES), type = 1 + (unsigned)rnd(3);
    unsigned order = (unsigned)rnd(7);
    uint64_t base = rnd(256) & ~((1ull << order) - 1);
    bool self = rnd(2);
    size_t expect = model_revoke(sp, type, base, order, self, doomed);

    assert_int_equal(revoke(sp, type, base, order, self), expect);
    for (uint32_t i = 0; i < nrecs; i++)
        if (doomed[i])
            assert_true(recs[i].released);
}

static void stress_query(void)
{
    unsigned sp = (unsigned)rnd(NSPACES), type = 1 + (unsigned)rnd(3);
    unsigned order = (unsigned)rnd(7);
    uint64_t base = rnd(256) & ~((1ull << order) - 1);
    struct mdb_node *want = NULL;
    bool any = false;

    for (uint32_t i = 0; i < nrecs; i++) {
        const struct rec *r = &recs[i];

        if (!recs_overlap(r, sp, type, base, order))
            continue;
        any = true;
        if (r->base <= base && last_of(base, order) <= last_of(r->base, r->order))
            want = r->node;
    }
    assert_ptr_equal(mdb_find(&spaces[sp], type, base, order), want);
    assert_int_equal(mdb_overlaps(&spaces[sp], type, base, order), any);
}

static void test_stress(void **state)
{
    (void)state;
    for (unsigned step = 0; step < 20000 && nrecs < MAX_IDS; step++) {
        uint64_t op = rnd(10);

        if (op < 6)
            stress_derive();
        else if (op < 8)
            stress_query();
        else
            stress_revoke();
        check_all();
    }
    // Tear everything down through one space at a time, checking against the model again.
    for (unsigned s = 0; s < NSPACES; s++) {
        static bool doomed[MAX_IDS];
        size_t expect = 0;

        for (unsigned t = NOVA_CRD_MEM; t <= NOVA_CRD_OBJ; t++)
            expect += model_revoke(s, t, 0, 63, true, doomed);
        assert_int_equal(mdb_space_destroy(&spaces[s], release_cb, NULL), expect);
        check_all();
    }
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_empty),
        T(test_find_and_overlaps),
        T(test_extremes),
        T(test_insert_rejects),
        T(test_perm_masking),
        T(test_revoke_subtree),
        T(test_revoke_self),
        T(test_revoke_several_nodes),
        T(test_shared_pages),
        T(test_same_space),
        T(test_space_destroy),
        T(test_deep_chain),
        T(test_deep_chain_one_space),
        T(test_deep_chain_destroy),
        T(test_wide_tree),
        T(test_stress),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
