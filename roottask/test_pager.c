// SPDX-License-Identifier: MIT
// Test "pager": a child EC touches 16 unmapped pages; a root handler maps each on demand.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "child.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "pages.h"
#include "tests.h"

#define PAGER_ORDER 4
#define PAGER_PAGES (1u << PAGER_ORDER)
#define PAGER_VA    0x40000000ull // aligned to the range: the child's receive window
#define PAGER_WORDS (PAGE_SIZE / 8)
#define PF_VECTOR   14

static uint64_t handler_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static struct portal pf;
static nova_sel park_sm;

// The handler's record, in the root's globals: the page behind each address of the range.
static uint64_t pager_phys[PAGER_PAGES];
static volatile unsigned pager_faults, pager_strays;

// The child's record, in the child's globals.
static volatile unsigned pager_done, pager_bad_words;

static uint64_t pattern(unsigned page, unsigned i)
{
    return 0x9a9e000000000000ull | (uint64_t)page << 32 | i;
}

// Child code: opens its receive window, then writes and reads back every page.
static _Noreturn void pager_child(struct nova_utcb *u)
{
    u->head.recv_mem = NOVA_CRD(NOVA_CRD_MEM, PAGER_VA >> PAGE_SHIFT, PAGER_ORDER, 0x3);
    for (unsigned p = 0; p < PAGER_PAGES; p++) {
        volatile uint64_t *page = (volatile uint64_t *)(PAGER_VA + p * PAGE_SIZE);
        for (unsigned i = 0; i < PAGER_WORDS; i++)
            page[i] = pattern(p, i);
    }
    for (unsigned p = 0; p < PAGER_PAGES; p++) {
        volatile uint64_t *page = (volatile uint64_t *)(PAGER_VA + p * PAGE_SIZE);
        for (unsigned i = 0; i < PAGER_WORDS; i++)
            pager_bad_words += page[i] != pattern(p, i);
    }
    pager_done = 1;
    child_park();
}

// The page of the range that addr falls in, for a first fault there; -1 otherwise.
static int fresh_index(uint64_t addr)
{
    uint64_t i = (addr - PAGER_VA) >> PAGE_SHIFT;
    return addr >= PAGER_VA && i < PAGER_PAGES && !pager_phys[i] ? (int)i : -1;
}

// Root code: the child's page-fault handler replies with a typed item mapping a fresh page.
static _Noreturn void pager_pf(uint64_t id)
{
    struct nova_utcb *u = pf.utcb;
    const struct nova_evt_state *s = (const void *)u->msg;
    int i = s->vector == PF_VECTOR ? fresh_index(s->fault_addr) : -1;
    uint64_t phys = i >= 0 ? pages_alloc(1) : 0;
    if (!phys) { // nothing to map: the child would fault for ever
        pager_strays++;
        con_printf("check failed: pager: fault %lu at %#lx not resolved\n", s->vector,
                   s->fault_addr);
        thread_park(park_sm);
    }
    pager_phys[i] = phys;
    pager_faults++;
    u->head.mtd = 0;
    u->head.typed = 0;
    msg_add_item(u, NOVA_CRD(NOVA_CRD_MEM, pages_vpn(phys), 0, 0x3), s->fault_addr >> PAGE_SHIFT);
    reply_or_park(park_sm);
}

// The root reads every page through its own mapping.
static bool pages_hold_pattern(void)
{
    for (unsigned p = 0; p < PAGER_PAGES; p++) {
        const volatile uint64_t *page = pager_phys[p] ? pages_virt(pager_phys[p]) : 0;
        for (unsigned i = 0; page && i < PAGER_WORDS; i++)
            if (page[i] != pattern(p, i))
                page = 0;
        if (!page)
            return false;
    }
    return true;
}

void test_pager(const struct nova_hip *hip)
{
    struct child c;
    park_sm = sel_alloc();
    if (!child_create(&c, CHILD_CONSOLE) ||
        !CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK))
        return;
    if (!CHECK_STATUS(
            portal_create(&pf, pager_pf, handler_stack, THREAD_STACK_WORDS, NOVA_MTD_QUAL),
            NOVA_OK) ||
        !CHECK_STATUS(child_give_cap(&c, pf.pt, CHILD_SEL_EVT_BASE + PF_VECTOR), NOVA_OK))
        return;
    if (!CHECK_STATUS(child_thread(&c, pager_child, CHILD_SEL_EVT_BASE), NOVA_OK))
        return;
    CHECK(CHILD_GET(&c, pager_done) == 1);
    CHECK(CHILD_GET(&c, pager_bad_words) == 0);
    CHECK(pager_strays == 0);
    if (CHECK(pager_faults == PAGER_PAGES) && CHECK(pages_hold_pattern()))
        con_printf("pager: %u faults resolved\n", pager_faults);
    child_collect_failures(&c);
}
