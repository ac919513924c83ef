// SPDX-License-Identifier: MIT
// A child PD that runs the root task's own code: the image delegated, with its own globals.
#include "child.h"
#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/image.h"
#include "nova-user/string.h"
#include "pages.h"

#define COM1_PORT   0x3f8
#define COM1_ORDER  3 // 8 ports
#define STACK_PAGES 4

static uint64_t page_up(uint64_t va)
{
    return (va + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
}

// The root holds its image page by page, so each page travels alone, to the same address.
static bool give_image(const struct child *c, const char *start, const char *end, unsigned perms)
{
    for (uint64_t va = (uintptr_t)start; va < page_up((uintptr_t)end); va += PAGE_SIZE) {
        nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, va >> PAGE_SHIFT, 0, perms);
        if (!CHECK_STATUS(nova_delegate(c->pd, crd, va >> PAGE_SHIFT), NOVA_OK))
            return false;
    }
    return true;
}

// Fresh pages with the bytes data and bss hold now, at the same addresses in the child.
static bool give_data(struct child *c)
{
    c->data_start = (uintptr_t)__data_start;
    c->data_end = page_up((uintptr_t)__bss_end);
    unsigned pages = (unsigned)((c->data_end - c->data_start) / PAGE_SIZE);
    c->data_phys = pages_alloc(pages);
    if (!CHECK(c->data_phys != 0))
        return false;
    c->root_failures = check_failures;
    memcpy(pages_virt(c->data_phys), __data_start, (size_t)(__bss_end - __data_start));
    for (unsigned i = 0; i < pages; i++) {
        nova_crd crd =
            NOVA_CRD(NOVA_CRD_MEM, pages_vpn(c->data_phys) + i, 0, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W);
        if (!CHECK_STATUS(nova_delegate(c->pd, crd, (c->data_start >> PAGE_SHIFT) + i), NOVA_OK))
            return false;
    }
    return true;
}

// The console (COM1) if asked for and a semaphore to park on; the copy of data comes last, so
// that the child's globals are the root's as they are now.
static bool give_rest(struct child *c, unsigned options)
{
    nova_sel park = sel_alloc();
    nova_crd com1 = NOVA_CRD(NOVA_CRD_IO, COM1_PORT, COM1_ORDER, 1);
    if (options & CHILD_CONSOLE && !CHECK_STATUS(nova_delegate(c->pd, com1, 0), NOVA_OK))
        return false;
    return CHECK_STATUS(nova_create_sm(park, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(c, park, CHILD_SEL_PARK), NOVA_OK) && give_data(c);
}

bool child_create(struct child *c, unsigned options)
{
    c->pd = sel_alloc();
    c->next_stack = CHILD_STACK_AREA;
    c->next_utcb = CHILD_UTCB_AREA;
    if (!CHECK_STATUS(nova_create_pd(c->pd, NOVA_SEL_ROOT_PD), NOVA_OK))
        return false;
    return give_image(c, __text_start, __text_end, NOVA_CRD_MEM_R | NOVA_CRD_MEM_X) &&
           give_image(c, __rodata_start, __rodata_end, NOVA_CRD_MEM_R) && give_rest(c, options);
}

uint64_t child_map_fresh(struct child *c, uint64_t va, unsigned perms)
{
    uint64_t phys = pages_alloc(1);
    if (!CHECK(phys != 0))
        return 0;
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, pages_vpn(phys), 0, perms);
    return CHECK_STATUS(nova_delegate(c->pd, crd, va >> PAGE_SHIFT), NOVA_OK) ? phys : 0;
}

enum nova_status child_give_cap(struct child *c, nova_sel sel, nova_sel dest)
{
    return nova_delegate(c->pd, NOVA_CRD(NOVA_CRD_OBJ, sel, 0, 0x1f), dest);
}

// STACK_PAGES fresh pages above an unmapped guard page; returns the initial stack pointer.
static uint64_t child_stack(struct child *c)
{
    uint64_t base = c->next_stack + PAGE_SIZE;
    c->next_stack = base + STACK_PAGES * PAGE_SIZE;
    for (unsigned i = 0; i < STACK_PAGES; i++)
        if (!child_map_fresh(c, base + i * PAGE_SIZE, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W))
            return 0;
    return c->next_stack - 8; // as if called: RSP + 8 is 16-byte aligned
}

enum nova_status child_ec(struct child *c, nova_sel ec, void *fn, nova_sel evt_base, bool global,
                          uint64_t *utcb)
{
    uint64_t sp = child_stack(c);
    if (!sp)
        return NOVA_NO_MEM;
    *utcb = c->next_utcb;
    c->next_utcb += PAGE_SIZE;
    return nova_create_ec(ec, c->pd, *utcb, sp, (uint64_t)(uintptr_t)fn, evt_base, global);
}

enum nova_status child_thread(struct child *c, thread_fn *fn, nova_sel evt_base)
{
    nova_sel ec = sel_alloc(), sc = sel_alloc();
    uint64_t utcb;
    enum nova_status st = child_ec(c, ec, (void *)fn, evt_base, true, &utcb);
    return st == NOVA_OK ? nova_create_sc(sc, c->pd, ec, CHILD_PRIO, CHILD_QUANTUM_US) : st;
}

static void *child_addr(const struct child *c, const void *root_va, size_t size)
{
    uint64_t va = (uintptr_t)root_va;
    if (va < c->data_start || va + size > c->data_end) {
        CHECK(!"child_addr: not a global of the root task");
        return 0;
    }
    return (char *)pages_virt(c->data_phys) + (va - c->data_start);
}

void child_read(const struct child *c, const void *root_va, void *dst, size_t size)
{
    void *p = child_addr(c, root_va, size);
    if (p)
        memcpy(dst, p, size);
    else
        memset(dst, 0, size);
}

void child_write(const struct child *c, void *root_va, const void *src, size_t size)
{
    void *p = child_addr(c, root_va, size);
    if (p)
        memcpy(p, src, size);
}

void child_collect_failures(const struct child *c)
{
    unsigned now = CHILD_GET(c, check_failures);
    if (now != c->root_failures)
        con_printf("child: %u checks failed in the child PD\n", now - c->root_failures);
    check_failures += now - c->root_failures;
}

_Noreturn void child_park(void)
{
    thread_park(CHILD_SEL_PARK);
}
