// SPDX-License-Identifier: MIT
// Unit tests of the object space (capability table) and the kernel-object reference count.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/capspace.h"
#include "kernel/kobj.h"
#include "nova/caps.h"
#include "nova/status.h"

_Static_assert(CAP_SEL_MAX == NOVA_SEL_MAX, "kernel and ABI agree on the selector range");

// Page source: real 4 KiB aligned heap pages, so ASan sees any access beyond a leaf, with a
// budget to simulate exhaustion and a count of pages not yet returned.
struct fake_pages {
    size_t outstanding;
    size_t budget; // allocations still allowed
    size_t allocs;
};

static void *fake_alloc(void *ctx)
{
    struct fake_pages *fp = ctx;

    if (fp->budget == 0) {
        return NULL;
    }
    void *p = aligned_alloc(CAP_PAGE_SIZE, CAP_PAGE_SIZE);

    assert_non_null(p);
    memset(p, 0, CAP_PAGE_SIZE);
    fp->budget--;
    fp->allocs++;
    fp->outstanding++;
    return p;
}

static void fake_free(void *ctx, void *page)
{
    struct fake_pages *fp = ctx;

    assert_non_null(page);
    assert_int_equal((uintptr_t)page % CAP_PAGE_SIZE, 0);
    assert_true(fp->outstanding > 0);
    fp->outstanding--;
    free(page);
}

// Order in which objects were destroyed, by tag.
#define LOG_MAX 64
static int destroy_log[LOG_MAX];
static size_t destroy_count;

static void log_destroy(int tag)
{
    assert_true(destroy_count < LOG_MAX);
    destroy_log[destroy_count++] = tag;
}

// An object that outlives its destruction (lives on the stack), so tests can look at it.
struct fake_obj {
    struct kobj k;
    int tag;
    int destroyed;
};

static void fake_obj_destroy(struct kobj *k)
{
    struct fake_obj *o = (struct fake_obj *)k;

    o->destroyed++;
    log_destroy(o->tag);
}

static void fake_obj_init(struct fake_obj *o, enum nova_obj type, int tag)
{
    kobj_init(&o->k, type, fake_obj_destroy);
    o->tag = tag;
    o->destroyed = 0;
}

// A heap object freed by its destroy callback: ASan reports any later use.
struct heap_obj {
    struct kobj k;
    int tag;
};

static void heap_obj_destroy(struct kobj *k)
{
    struct heap_obj *o = (struct heap_obj *)k;

    log_destroy(o->tag);
    free(o);
}

static struct heap_obj *heap_obj_new(enum nova_obj type, int tag)
{
    struct heap_obj *o = malloc(sizeof(*o));

    assert_non_null(o);
    kobj_init(&o->k, type, heap_obj_destroy);
    o->tag = tag;
    return o;
}

// A PD-like object: it owns an object space and, like a real PD, tears it down when it dies.
struct fake_pd {
    struct kobj k;
    struct cap_space space;
    int tag;
};

static void fake_pd_destroy(struct kobj *k)
{
    struct fake_pd *pd = (struct fake_pd *)k;

    log_destroy(pd->tag);
    cap_space_destroy(&pd->space); // no-op if the teardown of this very space got us here
    free(pd);
}

static struct fake_pd *fake_pd_new(const struct cap_pages *pages, int tag)
{
    struct fake_pd *pd = malloc(sizeof(*pd));

    assert_non_null(pd);
    kobj_init(&pd->k, NOVA_OBJ_PD, fake_pd_destroy);
    cap_space_init(&pd->space, pages);
    pd->tag = tag;
    return pd;
}

// Per-test fixture: one space backed by an unlimited page source.
struct fixture {
    struct fake_pages fp;
    struct cap_pages pages;
    struct cap_space space;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));

    assert_non_null(f);
    f->fp.budget = SIZE_MAX;
    f->pages = (struct cap_pages){.alloc = fake_alloc, .free = fake_free, .ctx = &f->fp};
    cap_space_init(&f->space, &f->pages);
    destroy_count = 0;
    *state = f;
    return 0;
}

// Every test must leave no page behind once its space is gone.
static int teardown(void **state)
{
    struct fixture *f = *state;

    cap_space_destroy(&f->space);
    assert_int_equal(cap_space_count(&f->space), 0);
    assert_int_equal(f->fp.outstanding, 0);
    free(f);
    return 0;
}

static void test_kobj_refcount(void **state)
{
    struct fake_obj o;

    (void)state;
    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    assert_int_equal(kobj_refs(&o.k), 1);
    assert_int_equal(o.k.type, NOVA_OBJ_SM);
    assert_true(kobj_get(&o.k));
    assert_int_equal(kobj_refs(&o.k), 2);
    kobj_put(&o.k);
    assert_int_equal(o.destroyed, 0);
    kobj_put(&o.k);
    assert_int_equal(o.destroyed, 1);
    // A dying object cannot be revived.
    assert_false(kobj_get(&o.k));
    assert_int_equal(kobj_refs(&o.k), 0);
}

static void test_kobj_overflow(void **state)
{
    struct fake_obj o;

    (void)state;
    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    o.k.refs = UINT32_MAX - 1;
    assert_true(kobj_get(&o.k));
    assert_int_equal(kobj_refs(&o.k), UINT32_MAX);
    assert_false(kobj_get(&o.k));
    assert_int_equal(kobj_refs(&o.k), UINT32_MAX);
    assert_int_equal(o.destroyed, 0);
}

static void test_kobj_static_object(void **state)
{
    struct kobj k;

    (void)state;
    kobj_init(&k, NOVA_OBJ_PD, NULL);
    kobj_put(&k); // no destroy callback: nothing to call
    assert_int_equal(kobj_refs(&k), 0);
}

static void test_init_empty(void **state)
{
    struct fixture *f = *state;
    struct kobj *out = (struct kobj *)1;

    assert_int_equal(cap_space_count(&f->space), 0);
    assert_int_equal(f->fp.allocs, 0); // leaves appear only on demand
    assert_int_equal(cap_lookup(&f->space, 0, NOVA_OBJ_NULL, 0, &out), NOVA_BAD_CAP);
    assert_null(out);
    assert_int_equal(cap_remove(&f->space, 0), NOVA_BAD_CAP);
}

static void test_insert_lookup_remove(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;
    struct kobj *out = NULL;

    fake_obj_init(&o, NOVA_OBJ_PT, 1);
    assert_int_equal(cap_insert(&f->space, 42, &o.k, NOVA_PERM_PT_ALL), NOVA_OK);
    assert_int_equal(kobj_refs(&o.k), 2);
    assert_int_equal(cap_space_count(&f->space), 1);
    assert_int_equal(f->fp.outstanding, 1);

    assert_int_equal(cap_lookup(&f->space, 42, NOVA_OBJ_PT, NOVA_PERM_PT_CALL, &out), NOVA_OK);
    assert_ptr_equal(out, &o.k);
    assert_int_equal(kobj_refs(&o.k), 2); // lookup takes no reference
    assert_int_equal(cap_lookup(&f->space, 42, NOVA_OBJ_NULL, 0, NULL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 41, NOVA_OBJ_NULL, 0, NULL), NOVA_BAD_CAP);
    assert_int_equal(cap_lookup(&f->space, 43, NOVA_OBJ_NULL, 0, NULL), NOVA_BAD_CAP);

    // A second insert into the same leaf needs no new page.
    assert_int_equal(cap_insert(&f->space, 43, &o.k, NOVA_PERM_PT_CALL), NOVA_OK);
    assert_int_equal(f->fp.allocs, 1);
    assert_int_equal(kobj_refs(&o.k), 3);

    assert_int_equal(cap_remove(&f->space, 42), NOVA_OK);
    assert_int_equal(cap_remove(&f->space, 42), NOVA_BAD_CAP);
    assert_int_equal(cap_lookup(&f->space, 42, NOVA_OBJ_NULL, 0, NULL), NOVA_BAD_CAP);
    assert_int_equal(cap_space_count(&f->space), 1);
    assert_int_equal(kobj_refs(&o.k), 2);

    // Slot reusable after removal.
    assert_int_equal(cap_insert(&f->space, 42, &o.k, NOVA_PERM_PT_CTRL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 42, NOVA_OBJ_PT, NOVA_PERM_PT_CALL, NULL), NOVA_PERM);
    assert_int_equal(cap_remove(&f->space, 42), NOVA_OK);
    assert_int_equal(cap_remove(&f->space, 43), NOVA_OK);
    assert_int_equal(cap_space_count(&f->space), 0);
    assert_int_equal(kobj_refs(&o.k), 1);
    assert_int_equal(o.destroyed, 0);
}

static void test_bad_parameters(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o, untyped;

    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    fake_obj_init(&untyped, NOVA_OBJ_NULL, 2);
    assert_int_equal(cap_insert(&f->space, 1, NULL, 1), NOVA_BAD_PAR);
    assert_int_equal(cap_insert(&f->space, 1, &o.k, 0), NOVA_BAD_PAR);
    assert_int_equal(cap_insert(&f->space, 1, &untyped.k, 1), NOVA_BAD_PAR);
    // The selector is judged first.
    assert_int_equal(cap_insert(&f->space, CAP_SEL_MAX, NULL, 0), NOVA_BAD_CAP);
    assert_int_equal(cap_space_count(&f->space), 0);
    assert_int_equal(f->fp.allocs, 0);
    assert_int_equal(kobj_refs(&o.k), 1);
    assert_int_equal(kobj_refs(&untyped.k), 1);
}

static void test_type_mismatch(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;
    struct kobj *out = (struct kobj *)1;

    fake_obj_init(&o, NOVA_OBJ_EC, 1);
    assert_int_equal(cap_insert(&f->space, 7, &o.k, NOVA_PERM_EC_ALL), NOVA_OK);
    for (uint8_t t = NOVA_OBJ_PD; t <= NOVA_OBJ_SM; t++) {
        enum nova_status want = t == NOVA_OBJ_EC ? NOVA_OK : NOVA_BAD_CAP;

        assert_int_equal(cap_lookup(&f->space, 7, t, 0, &out), want);
        if (want == NOVA_OK) {
            assert_ptr_equal(out, &o.k);
        } else {
            assert_null(out);
        }
    }
    // Type is checked before rights: a wrong type is NOVA_BAD_CAP even with missing rights.
    assert_int_equal(cap_lookup(&f->space, 7, NOVA_OBJ_SC, 0x80000000u, NULL), NOVA_BAD_CAP);
    assert_int_equal(cap_lookup(&f->space, 7, NOVA_OBJ_NULL, 0, &out), NOVA_OK);
    assert_ptr_equal(out, &o.k);
    assert_int_equal(cap_remove(&f->space, 7), NOVA_OK);
}

static void test_missing_rights(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;
    struct kobj *out = (struct kobj *)1;
    const uint32_t have = NOVA_PERM_EC_CTRL | NOVA_PERM_EC_SC;

    fake_obj_init(&o, NOVA_OBJ_EC, 1);
    assert_int_equal(cap_insert(&f->space, 3, &o.k, have), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_EC, 0, NULL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_EC, have, NULL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_EC, NOVA_PERM_EC_SC, NULL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_EC, NOVA_PERM_EC_PT, &out), NOVA_PERM);
    assert_null(out);
    // One missing bit among present ones is enough to refuse.
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_EC, have | NOVA_PERM_EC_PT, NULL),
                     NOVA_PERM);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_NULL, 0xffffffffu, NULL), NOVA_PERM);
    assert_int_equal(cap_remove(&f->space, 3), NOVA_OK);
}

// The rights a cap holds, probed bit by bit through cap_lookup.
static uint32_t rights_of(const struct cap_space *s, uint64_t sel)
{
    uint32_t r = 0;

    for (unsigned b = 0; b < 32; b++) {
        if (cap_lookup(s, sel, NOVA_OBJ_NULL, 1u << b, NULL) == NOVA_OK) {
            r |= 1u << b;
        }
    }
    return r;
}

static void test_copy_masks_rights(void **state)
{
    struct fixture *f = *state;
    struct fake_pages fp2 = {.budget = SIZE_MAX};
    struct cap_pages pages2 = {.alloc = fake_alloc, .free = fake_free, .ctx = &fp2};
    struct cap_space other;
    struct fake_obj o;
    struct kobj *out = NULL;

    cap_space_init(&other, &pages2);
    fake_obj_init(&o, NOVA_OBJ_PD, 1);
    assert_int_equal(cap_insert(&f->space, 0, &o.k, NOVA_PERM_PD_ALL), NOVA_OK);

    assert_int_equal(cap_copy(&other, 10, &f->space, 0, NOVA_PERM_PD_EC | NOVA_PERM_PD_SC),
                     NOVA_OK);
    assert_int_equal(rights_of(&other, 10), NOVA_PERM_PD_EC | NOVA_PERM_PD_SC);
    assert_int_equal(cap_lookup(&other, 10, NOVA_OBJ_PD, NOVA_PERM_PD_EC, &out), NOVA_OK);
    assert_ptr_equal(out, &o.k);
    assert_int_equal(kobj_refs(&o.k), 3);

    // A wider mask cannot give back what was masked away.
    assert_int_equal(cap_copy(&f->space, 1, &other, 10, 0xffffffffu), NOVA_OK);
    assert_int_equal(rights_of(&f->space, 1), NOVA_PERM_PD_EC | NOVA_PERM_PD_SC);
    assert_int_equal(cap_lookup(&f->space, 1, NOVA_OBJ_PD, NOVA_PERM_PD_PD, NULL), NOVA_PERM);

    // Shrinking further within the same space, down to one right.
    assert_int_equal(cap_copy(&f->space, 2, &f->space, 1, NOVA_PERM_PD_SC | NOVA_PERM_PD_PT),
                     NOVA_OK);
    assert_int_equal(rights_of(&f->space, 2), NOVA_PERM_PD_SC);
    assert_int_equal(rights_of(&f->space, 0), NOVA_PERM_PD_ALL); // the source is untouched

    // A mask that leaves nothing is refused and changes nothing.
    assert_int_equal(cap_copy(&f->space, 3, &f->space, 2, NOVA_PERM_PD_EC), NOVA_PERM);
    assert_int_equal(cap_copy(&f->space, 3, &f->space, 0, 0), NOVA_PERM);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_NULL, 0, NULL), NOVA_BAD_CAP);
    assert_int_equal(kobj_refs(&o.k), 5);
    assert_int_equal(cap_space_count(&f->space), 3);

    // The type travels with the copy.
    assert_int_equal(cap_lookup(&other, 10, NOVA_OBJ_EC, 0, NULL), NOVA_BAD_CAP);

    // Copying from an empty slot, or onto the source itself.
    assert_int_equal(cap_copy(&other, 11, &f->space, 3, ~0u), NOVA_BAD_CAP);
    assert_int_equal(cap_copy(&other, 11, &other, 12, ~0u), NOVA_BAD_CAP);
    assert_int_equal(cap_copy(&f->space, 0, &f->space, 0, ~0u), NOVA_BUSY);

    cap_space_destroy(&other);
    assert_int_equal(fp2.outstanding, 0);
    assert_int_equal(kobj_refs(&o.k), 4);
    cap_space_destroy(&f->space);
    assert_int_equal(kobj_refs(&o.k), 1);
    assert_int_equal(o.destroyed, 0);
}

static void test_selector_bounds(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;
    const uint64_t last = CAP_SEL_MAX - 1;
    const uint64_t bad[] = {
        CAP_SEL_MAX, CAP_SEL_MAX + 1, CAP_SEL_MAX * 2, 1ull << 32, UINT64_MAX / CAP_LEAF_ENTRIES,
        UINT64_MAX};

    fake_obj_init(&o, NOVA_OBJ_SC, 1);
    assert_int_equal(cap_insert(&f->space, 0, &o.k, 1), NOVA_OK);
    assert_int_equal(cap_insert(&f->space, last, &o.k, 1), NOVA_OK);
    assert_int_equal(f->fp.outstanding, 2); // first and last leaf
    assert_int_equal(cap_lookup(&f->space, 0, NOVA_OBJ_SC, 1, NULL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, last, NOVA_OBJ_SC, 1, NULL), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, last - 1, NOVA_OBJ_SC, 0, NULL), NOVA_BAD_CAP);

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct kobj *out = (struct kobj *)1;

        assert_int_equal(cap_insert(&f->space, bad[i], &o.k, 1), NOVA_BAD_CAP);
        assert_int_equal(cap_lookup(&f->space, bad[i], NOVA_OBJ_NULL, 0, &out), NOVA_BAD_CAP);
        assert_null(out);
        assert_int_equal(cap_remove(&f->space, bad[i]), NOVA_BAD_CAP);
        assert_int_equal(cap_copy(&f->space, bad[i], &f->space, 0, ~0u), NOVA_BAD_CAP);
        assert_int_equal(cap_copy(&f->space, 5, &f->space, bad[i], ~0u), NOVA_BAD_CAP);
    }
    assert_int_equal(cap_space_count(&f->space), 2);
    assert_int_equal(f->fp.outstanding, 2);
    assert_int_equal(kobj_refs(&o.k), 3);

    assert_int_equal(cap_copy(&f->space, last - 1, &f->space, last, ~0u), NOVA_OK);
    assert_int_equal(cap_remove(&f->space, last), NOVA_OK);
    assert_int_equal(cap_remove(&f->space, last - 1), NOVA_OK);
    assert_int_equal(cap_remove(&f->space, 0), NOVA_OK);
    assert_int_equal(kobj_refs(&o.k), 1);
}

static void test_busy_slot(void **state)
{
    struct fixture *f = *state;
    struct fake_obj a, b;
    struct kobj *out = NULL;

    fake_obj_init(&a, NOVA_OBJ_SM, 1);
    fake_obj_init(&b, NOVA_OBJ_PT, 2);
    assert_int_equal(cap_insert(&f->space, 9, &a.k, NOVA_PERM_SM_UP), NOVA_OK);
    assert_int_equal(cap_insert(&f->space, 9, &b.k, NOVA_PERM_PT_ALL), NOVA_BUSY);
    assert_int_equal(cap_insert(&f->space, 9, &a.k, NOVA_PERM_SM_ALL), NOVA_BUSY);
    assert_int_equal(cap_insert(&f->space, 10, &b.k, NOVA_PERM_PT_ALL), NOVA_OK);
    assert_int_equal(cap_copy(&f->space, 9, &f->space, 10, ~0u), NOVA_BUSY);

    // The original occupant is untouched, and no stray reference was taken.
    assert_int_equal(cap_lookup(&f->space, 9, NOVA_OBJ_NULL, 0, &out), NOVA_OK);
    assert_ptr_equal(out, &a.k);
    assert_int_equal(rights_of(&f->space, 9), NOVA_PERM_SM_UP);
    assert_int_equal(kobj_refs(&a.k), 2);
    assert_int_equal(kobj_refs(&b.k), 2);
    assert_int_equal(cap_space_count(&f->space), 2);
    cap_space_destroy(&f->space); // a and b live in this frame
}

static void test_page_exhaustion(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;

    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    f->fp.budget = 1;
    assert_int_equal(cap_insert(&f->space, 0, &o.k, 1), NOVA_OK);
    assert_int_equal(kobj_refs(&o.k), 2);

    // A new leaf is needed and none comes: nothing changes.
    assert_int_equal(cap_insert(&f->space, CAP_LEAF_ENTRIES, &o.k, 1), NOVA_NO_MEM);
    assert_int_equal(cap_copy(&f->space, CAP_SEL_MAX - 1, &f->space, 0, ~0u), NOVA_NO_MEM);
    assert_int_equal(cap_space_count(&f->space), 1);
    assert_int_equal(kobj_refs(&o.k), 2);
    assert_int_equal(f->fp.outstanding, 1);
    assert_int_equal(cap_lookup(&f->space, CAP_LEAF_ENTRIES, NOVA_OBJ_NULL, 0, NULL), NOVA_BAD_CAP);
    assert_int_equal(cap_lookup(&f->space, CAP_SEL_MAX - 1, NOVA_OBJ_NULL, 0, NULL), NOVA_BAD_CAP);

    // The existing leaf still takes inserts without a page.
    assert_int_equal(cap_insert(&f->space, CAP_LEAF_ENTRIES - 1, &o.k, 1), NOVA_OK);
    assert_int_equal(cap_copy(&f->space, 1, &f->space, 0, ~0u), NOVA_OK);
    assert_int_equal(cap_space_count(&f->space), 3);

    // Once pages come again, the same insert succeeds.
    f->fp.budget = 1;
    assert_int_equal(cap_insert(&f->space, CAP_LEAF_ENTRIES, &o.k, 1), NOVA_OK);
    assert_int_equal(f->fp.outstanding, 2);
    cap_space_destroy(&f->space);
    assert_int_equal(kobj_refs(&o.k), 1);
}

static void test_no_page_source(void **state)
{
    struct cap_space s;
    struct fake_obj o;

    (void)state;
    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    cap_space_init(&s, NULL);
    assert_int_equal(cap_insert(&s, 0, &o.k, 1), NOVA_NO_MEM);
    assert_int_equal(kobj_refs(&o.k), 1);
    assert_int_equal(cap_space_count(&s), 0);
    cap_space_destroy(&s);
}

static void test_refcount_overflow_rejected(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;

    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    assert_int_equal(cap_insert(&f->space, 0, &o.k, 1), NOVA_OK);
    o.k.refs = UINT32_MAX;

    // Into an existing leaf and into one that would be new: the fresh page goes back.
    assert_int_equal(cap_insert(&f->space, 1, &o.k, 1), NOVA_NO_MEM);
    assert_int_equal(cap_insert(&f->space, 5 * CAP_LEAF_ENTRIES, &o.k, 1), NOVA_NO_MEM);
    assert_int_equal(cap_copy(&f->space, 2, &f->space, 0, ~0u), NOVA_NO_MEM);
    assert_int_equal(cap_copy(&f->space, 6 * CAP_LEAF_ENTRIES, &f->space, 0, ~0u), NOVA_NO_MEM);
    assert_int_equal(kobj_refs(&o.k), UINT32_MAX);
    assert_int_equal(cap_space_count(&f->space), 1);
    assert_int_equal(f->fp.outstanding, 1);
    assert_int_equal(cap_lookup(&f->space, 5 * CAP_LEAF_ENTRIES, NOVA_OBJ_NULL, 0, NULL),
                     NOVA_BAD_CAP);

    o.k.refs = 2;
    assert_int_equal(cap_remove(&f->space, 0), NOVA_OK);
    assert_int_equal(o.destroyed, 0);
}

static void test_dying_object_rejected(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;

    fake_obj_init(&o, NOVA_OBJ_SM, 1);
    kobj_put(&o.k);
    assert_int_equal(o.destroyed, 1);
    assert_int_equal(cap_insert(&f->space, 0, &o.k, 1), NOVA_NO_MEM);
    assert_int_equal(cap_space_count(&f->space), 0);
    assert_int_equal(f->fp.outstanding, 0);
}

// Two spaces share an object; it dies exactly when the last capability goes.
static void test_last_cap_destroys(void **state)
{
    struct fixture *f = *state;
    struct fake_pages fp2 = {.budget = SIZE_MAX};
    struct cap_pages pages2 = {.alloc = fake_alloc, .free = fake_free, .ctx = &fp2};
    struct cap_space other;
    struct heap_obj *h = heap_obj_new(NOVA_OBJ_EC, 7);
    struct fake_obj o;

    cap_space_init(&other, &pages2);
    fake_obj_init(&o, NOVA_OBJ_SM, 8);

    assert_int_equal(cap_insert(&f->space, 1, &h->k, 1), NOVA_OK);
    assert_int_equal(cap_copy(&other, 2, &f->space, 1, ~0u), NOVA_OK);
    assert_int_equal(cap_insert(&other, 3, &h->k, 1), NOVA_OK);
    kobj_put(&h->k); // the creator lets go; three caps remain
    assert_int_equal(kobj_refs(&h->k), 3);

    assert_int_equal(cap_remove(&f->space, 1), NOVA_OK);
    assert_int_equal(cap_remove(&other, 3), NOVA_OK);
    assert_int_equal(destroy_count, 0);
    assert_int_equal(kobj_refs(&h->k), 1);
    assert_int_equal(cap_remove(&other, 2), NOVA_OK); // h is freed here
    assert_int_equal(destroy_count, 1);
    assert_int_equal(destroy_log[0], 7);

    // The same through cap_space_destroy: only the second space's teardown kills o.
    assert_int_equal(cap_insert(&f->space, 100, &o.k, 1), NOVA_OK);
    assert_int_equal(cap_insert(&other, 100000, &o.k, 1), NOVA_OK);
    kobj_put(&o.k);
    cap_space_destroy(&f->space);
    assert_int_equal(o.destroyed, 0);
    assert_int_equal(f->fp.outstanding, 0);
    cap_space_destroy(&other);
    assert_int_equal(o.destroyed, 1);
    assert_int_equal(fp2.outstanding, 0);
    assert_int_equal(destroy_count, 2);
}

static void test_destroy_returns_pages(void **state)
{
    struct fixture *f = *state;
    struct fake_obj o;
    size_t n = 0;

    fake_obj_init(&o, NOVA_OBJ_PT, 1);
    // One cap in every leaf, plus a full leaf.
    for (uint64_t sel = 3; sel < CAP_SEL_MAX; sel += CAP_LEAF_ENTRIES, n++) {
        assert_int_equal(cap_insert(&f->space, sel, &o.k, 1), NOVA_OK);
    }
    for (uint64_t sel = 0; sel < CAP_LEAF_ENTRIES; sel++) {
        if (sel != 3) {
            assert_int_equal(cap_insert(&f->space, sel, &o.k, 1), NOVA_OK);
            n++;
        }
    }
    assert_int_equal(cap_space_count(&f->space), n);
    assert_int_equal(f->fp.outstanding, CAP_ROOT_ENTRIES);
    assert_int_equal(kobj_refs(&o.k), n + 1);
    kobj_put(&o.k);

    cap_space_destroy(&f->space);
    assert_int_equal(o.destroyed, 1);
    assert_int_equal(f->fp.outstanding, 0);
    assert_int_equal(cap_space_count(&f->space), 0);

    // The space is usable again afterwards.
    fake_obj_init(&o, NOVA_OBJ_PT, 1);
    assert_int_equal(cap_insert(&f->space, 3, &o.k, 1), NOVA_OK);
    assert_int_equal(cap_lookup(&f->space, 3, NOVA_OBJ_PT, 1, NULL), NOVA_OK);
    cap_space_destroy(&f->space);
    cap_space_destroy(&f->space); // twice is harmless
    assert_int_equal(kobj_refs(&o.k), 1);
}

// Objects are released in selector order during teardown.
static void test_destroy_order(void **state)
{
    struct fixture *f = *state;
    const uint64_t sels[] = {CAP_SEL_MAX - 1, 0, 700, 255, 256, 70000};
    const int tags[] = {6, 1, 4, 2, 3, 5};

    for (size_t i = 0; i < 6; i++) {
        struct heap_obj *h = heap_obj_new(NOVA_OBJ_SM, tags[i]);

        assert_int_equal(cap_insert(&f->space, sels[i], &h->k, 1), NOVA_OK);
        kobj_put(&h->k);
    }
    cap_space_destroy(&f->space);
    assert_int_equal(destroy_count, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(destroy_log[i], i + 1);
    }
}

// A PD whose own capability sits in its own space: tearing the space down kills the PD,
// whose destroy callback tears the same space down again and frees the memory holding it.
// ASan reports any access to the space after that.
static void test_destroy_self_referencing_pd(void **state)
{
    struct fixture *f = *state;
    struct fake_pd *pd = fake_pd_new(&f->pages, 100);
    struct cap_space *s = &pd->space;
    struct heap_obj *before = heap_obj_new(NOVA_OBJ_EC, 1);
    struct heap_obj *after = heap_obj_new(NOVA_OBJ_SC, 2);
    struct heap_obj *far = heap_obj_new(NOVA_OBJ_SM, 3);

    assert_int_equal(cap_insert(s, 4, &before->k, 1), NOVA_OK);
    assert_int_equal(cap_insert(s, 5, &pd->k, NOVA_PERM_PD_ALL), NOVA_OK);
    assert_int_equal(cap_insert(s, 6, &after->k, 1), NOVA_OK);
    assert_int_equal(cap_insert(s, CAP_SEL_MAX - 1, &far->k, 1), NOVA_OK);
    kobj_put(&before->k);
    kobj_put(&after->k);
    kobj_put(&far->k);
    kobj_put(&pd->k); // only the self-capability keeps the PD alive now
    assert_int_equal(kobj_refs(&pd->k), 1);
    assert_int_equal(f->fp.outstanding, 2);

    cap_space_destroy(s);
    assert_int_equal(destroy_count, 4);
    assert_int_equal(destroy_log[0], 1);
    assert_int_equal(destroy_log[1], 100);
    assert_int_equal(destroy_log[2], 2);
    assert_int_equal(destroy_log[3], 3);
    assert_int_equal(f->fp.outstanding, 0);
}

// The destroy callback finds the slot already empty when the space drops a capability.
static struct cap_space *probe_space;
static uint64_t probe_sel;
static enum nova_status probe_status;
static size_t probe_count;

static void probe_destroy(struct kobj *k)
{
    (void)k;
    probe_status = cap_lookup(probe_space, probe_sel, NOVA_OBJ_NULL, 0, NULL);
    probe_count = cap_space_count(probe_space);
}

static void test_slot_detached_before_drop(void **state)
{
    struct fixture *f = *state;
    struct fake_obj keep;
    struct kobj o;

    fake_obj_init(&keep, NOVA_OBJ_SM, 1);
    kobj_init(&o, NOVA_OBJ_SM, probe_destroy);
    probe_space = &f->space;
    probe_sel = 20;
    probe_status = NOVA_OK;
    assert_int_equal(cap_insert(&f->space, 20, &o, 1), NOVA_OK);
    assert_int_equal(cap_insert(&f->space, 21, &keep.k, 1), NOVA_OK);
    kobj_put(&o);
    assert_int_equal(cap_remove(&f->space, 20), NOVA_OK);
    assert_int_equal(probe_status, NOVA_BAD_CAP);
    assert_int_equal(probe_count, 1);

    probe_status = NOVA_OK;
    kobj_init(&o, NOVA_OBJ_SM, probe_destroy);
    assert_int_equal(cap_insert(&f->space, 20, &o, 1), NOVA_OK);
    kobj_put(&o);
    cap_space_destroy(&f->space);
    assert_int_equal(probe_status, NOVA_BAD_CAP);
    assert_int_equal(probe_count, 0);
    assert_int_equal(kobj_refs(&keep.k), 1);
}

// A PD reachable from a parent's space dies when the parent removes it, taking its own
// space (and everything only it referenced) with it.
static void test_pd_dies_with_parent_cap(void **state)
{
    struct fixture *f = *state;
    struct fake_pd *child = fake_pd_new(&f->pages, 100);
    struct heap_obj *ec = heap_obj_new(NOVA_OBJ_EC, 1);
    struct fake_obj shared;

    fake_obj_init(&shared, NOVA_OBJ_SM, 2);
    assert_int_equal(cap_insert(&f->space, 0, &child->k, NOVA_PERM_PD_ALL), NOVA_OK);
    assert_int_equal(cap_insert(&f->space, 1, &shared.k, NOVA_PERM_SM_ALL), NOVA_OK);
    assert_int_equal(cap_insert(&child->space, 0, &ec->k, NOVA_PERM_EC_ALL), NOVA_OK);
    assert_int_equal(cap_copy(&child->space, 300, &f->space, 1, NOVA_PERM_SM_DOWN), NOVA_OK);
    kobj_put(&child->k);
    kobj_put(&ec->k);
    assert_int_equal(f->fp.outstanding, 3);

    assert_int_equal(cap_remove(&f->space, 0), NOVA_OK);
    assert_int_equal(destroy_count, 2);
    assert_int_equal(destroy_log[0], 100);
    assert_int_equal(destroy_log[1], 1);
    assert_int_equal(shared.destroyed, 0);
    assert_int_equal(kobj_refs(&shared.k), 2);
    assert_int_equal(f->fp.outstanding, 1);
    assert_int_equal(cap_space_count(&f->space), 1);
    cap_space_destroy(&f->space); // shared lives in this frame
    assert_int_equal(kobj_refs(&shared.k), 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kobj_refcount),
        cmocka_unit_test(test_kobj_overflow),
        cmocka_unit_test(test_kobj_static_object),
        T(test_init_empty),
        T(test_insert_lookup_remove),
        T(test_bad_parameters),
        T(test_type_mismatch),
        T(test_missing_rights),
        T(test_copy_masks_rights),
        T(test_selector_bounds),
        T(test_busy_slot),
        T(test_page_exhaustion),
        cmocka_unit_test(test_no_page_source),
        T(test_refcount_overflow_rejected),
        T(test_dying_object_rejected),
        T(test_last_cap_destroys),
        T(test_destroy_returns_pages),
        T(test_destroy_order),
        T(test_destroy_self_referencing_pd),
        T(test_slot_detached_before_drop),
        T(test_pd_dies_with_parent_cap),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
