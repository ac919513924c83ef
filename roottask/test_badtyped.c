// SPDX-License-Identifier: MIT
// Test "badtyped": invalid typed items fail whole and change nothing; valid ones arrive.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "child.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/io.h"
#include "nova-user/msg.h"
#include "pages.h"
#include "tests.h"

// The handler (root PD) receives memory in [BT_WIN_VA, + 64 pages); win+1 is mapped already.
#define BT_WIN_VA    0x50000000ull
#define BT_WIN_VPN   (BT_WIN_VA >> PAGE_SHIFT)
#define BT_WIN_ORDER 6
// The sender (a child thread) holds the gift page and receives replies in 4 pages.
#define BT_GIFT_VA       0x31000000ull
#define BT_GIFT          NOVA_CRD(NOVA_CRD_MEM, BT_GIFT_VA >> PAGE_SHIFT, 0, 0x3)
#define BT_CHILD_WIN_VA  0x32000000ull
#define BT_CHILD_VPN     (BT_CHILD_WIN_VA >> PAGE_SHIFT)
#define BT_SEL_PT        CHILD_SEL_FREE
#define BT_SEL_WIN_ORDER 4    // the handler receives capabilities in 16 selectors
#define BT_PORT          0x80 // the port a reply delegates (POST codes: harmless to read)

#define BT_GIFT_MAGIC  0x6a6a6a6a00000001ull
#define BT_REPLY_MAGIC 0x7e7e7e7e00000002ull
#define BT_LAST_MAGIC  0x1a571a571a571a57ull

// msg[0] of the calls that reach the handler: what it records, or how it replies.
enum {
    BT_CASE_ONE = 1,
    BT_CASE_WORDS,
    BT_CASE_16,
    BT_CASE_CAP,
    BT_CMD_REPLY_BAD,
    BT_CMD_REPLY_GOOD,
    BT_CMDS
};
#define BT_VALID_CALLS 6

// Root side: the handler and what it saw, per msg[0].
struct bt_seen {
    unsigned runs, untyped, typed;
    uint64_t last;  // the last untyped word
    nova_crd crd0;  // what the first item's descriptor says
    uint64_t base0; // where the first item arrived
    bool in_order;  // item k arrived at base0 + k, one page, read + write
};

static uint64_t handler_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static struct portal bt;
static nova_sel park_sm;
static uint64_t reply_page; // the root page the handler's replies delegate
static volatile unsigned bt_runs;
static volatile uint64_t bt_reply_status = UINT64_MAX;
static struct bt_seen seen[BT_CMDS];
static nova_sel bt_sel_win; // the handler's capability window (the child gets a copy)

// Child side.
static volatile unsigned bt_child_done;
static volatile bool bt_port_read;

static void record(struct nova_utcb *u, struct bt_seen *s)
{
    const struct nova_typed_item *it = msg_items(u);
    s->runs++, s->untyped = u->head.untyped, s->typed = u->head.typed;
    s->last = u->msg[u->head.untyped - 1];
    s->crd0 = u->head.typed ? it[0].crd : 0;
    s->base0 = NOVA_CRD_BASE(s->crd0);
    s->in_order = true;
    for (unsigned k = 0; k < u->head.typed; k++)
        s->in_order &= it[k].crd == NOVA_CRD(NOVA_CRD_MEM, s->base0 + k, 0, 0x3);
}

// A reply item outside the caller's window fails, and the handler can still answer.
static void reply_out_of_window(struct nova_utcb *u)
{
    msg_clear(u);
    msg_add_item(u, NOVA_CRD(NOVA_CRD_MEM, pages_vpn(reply_page), 0, 0x3), BT_CHILD_VPN + 4);
    bt_reply_status = nova_reply();
    u->msg[0] = bt_reply_status;
    u->head.untyped = 1;
    u->head.typed = 0;
}

static _Noreturn void bt_handler(uint64_t id)
{
    struct nova_utcb *u = bt.utcb;
    uint64_t cmd = u->head.untyped ? u->msg[0] : 0;
    bt_runs++;
    if (cmd && cmd < BT_CMDS)
        record(u, &seen[cmd]);
    if (cmd == BT_CMD_REPLY_BAD) {
        reply_out_of_window(u);
    } else if (cmd == BT_CMD_REPLY_GOOD) {
        u->msg[0] = BT_REPLY_MAGIC, u->head.untyped = 1, u->head.typed = 0;
        msg_add_item(u, NOVA_CRD(NOVA_CRD_MEM, pages_vpn(reply_page), 0, 0x3), BT_CHILD_VPN);
        msg_add_item(u, NOVA_CRD(NOVA_CRD_IO, BT_PORT, 0, 1), 0);
    } else {
        msg_clear(u);
    }
    reply_or_park(park_sm);
}

// Child code from here to bt_child.
static void expect(struct nova_utcb *u, const char *what, enum nova_status want)
{
    if (!CHECK_STATUS(nova_call(BT_SEL_PT), want))
        con_printf("  (badtyped: %s)\n", what);
}

static void item(struct nova_utcb *u, nova_crd crd, uint64_t win_page)
{
    msg_add_item(u, crd, BT_WIN_VPN + win_page);
}

static void invalid_items(struct nova_utcb *u)
{
    msg_clear(u), item(u, 0, 3);
    expect(u, "null type", NOVA_BAD_PAR);
    msg_clear(u), item(u, NOVA_CRD(NOVA_CRD_MEM, 0x1, 0, 0x3), 3);
    expect(u, "memory the sender does not hold", NOVA_BAD_PAR);
    msg_clear(u), item(u, BT_GIFT, 1ull << BT_WIN_ORDER);
    expect(u, "destination outside the window", NOVA_BAD_PAR);
    msg_clear(u), item(u, BT_GIFT, 1);
    expect(u, "destination mapped", NOVA_BAD_PAR);
    msg_clear(u), item(u, NOVA_CRD(NOVA_CRD_MEM, BT_GIFT_VA >> PAGE_SHIFT, 0, 0), 3);
    expect(u, "no permission left", NOVA_BAD_PAR);
    msg_clear(u), item(u, BT_GIFT, 4), item(u, 0, 5);
    expect(u, "a valid item, then a null one", NOVA_BAD_PAR);
    msg_clear(u), item(u, BT_GIFT, 6);
    item(u, NOVA_CRD(NOVA_CRD_MEM, 0x400000 >> PAGE_SHIFT, 0, NOVA_CRD_MEM_R), 6);
    expect(u, "two items landing on each other", NOVA_BAD_PAR);
    msg_clear(u), msg_add_item(u, NOVA_CRD(NOVA_CRD_OBJ, CHILD_SEL_PARK, 0, 0x1f),
                               bt_sel_win + (1u << BT_SEL_WIN_ORDER));
    expect(u, "a capability outside the window", NOVA_BAD_PAR);
    msg_clear(u), msg_add_item(u, NOVA_CRD(NOVA_CRD_OBJ, 0, 1, 0x1f), bt_sel_win);
    expect(u, "two capabilities in one item", NOVA_BAD_PAR);
    msg_clear(u), msg_add_item(u, NOVA_CRD(NOVA_CRD_IO, 0x3f8, 0, 1), 0);
    expect(u, "I/O ports, the receiver has no I/O window", NOVA_BAD_PAR);
}

static void too_much(struct nova_utcb *u)
{
    msg_clear(u);
    for (unsigned k = 0; k < 17; k++)
        item(u, BT_GIFT, 32 + k);
    expect(u, "17 items", NOVA_BAD_PAR);
    u->head.untyped = NOVA_UTCB_WORDS + 1, u->head.typed = 0;
    expect(u, "505 untyped words", NOVA_BAD_PAR);
    // The item would end past the UTCB: only its descriptor word is inside.
    u->head.untyped = NOVA_UTCB_WORDS - 1, u->head.typed = 1;
    u->msg[NOVA_UTCB_WORDS - 1] = BT_GIFT;
    expect(u, "503 untyped words and an item", NOVA_BAD_PAR);
}

static void valid_calls(struct nova_utcb *u)
{
    uint64_t words[3] = {BT_CASE_ONE, 0x1111, 0x2222};
    msg_set_words(u, words, 3), item(u, BT_GIFT, 2);
    expect(u, "one valid item", NOVA_OK);
    CHECK(u->head.untyped == 0 && u->head.typed == 0);
    msg_clear(u);
    u->msg[0] = BT_CASE_WORDS, u->msg[NOVA_UTCB_WORDS - 1] = BT_LAST_MAGIC;
    u->head.untyped = NOVA_UTCB_WORDS;
    expect(u, "504 untyped words", NOVA_OK);
    words[0] = BT_CASE_16;
    msg_set_words(u, words, 1);
    for (unsigned k = 0; k < 16; k++)
        item(u, BT_GIFT, 16 + k);
    expect(u, "16 items", NOVA_OK);
    words[0] = BT_CASE_CAP;
    msg_set_words(u, words, 1);
    msg_add_item(u, NOVA_CRD(NOVA_CRD_OBJ, CHILD_SEL_PARK, 0, NOVA_PERM_SM_UP), bt_sel_win + 3);
    expect(u, "a capability", NOVA_OK);
}

static void lookup_is(uint64_t va, nova_crd want_crd, bool mapped)
{
    nova_crd crd = ~0ull;
    uint64_t phys = ~0ull;
    CHECK_STATUS(nova_lookup_mem(va, &crd, &phys), NOVA_OK);
    if (!CHECK(crd == want_crd && (phys != 0) == mapped))
        con_printf("  (lookup_mem %#lx: crd %#lx, phys %#lx)\n", va, crd, phys);
}

static void replies(struct nova_utcb *u)
{
    uint64_t cmd = BT_CMD_REPLY_BAD;
    nova_crd arrived = NOVA_CRD(NOVA_CRD_MEM, BT_CHILD_VPN, 0, 0x3);
    msg_set_words(u, &cmd, 1);
    expect(u, "reply with an item outside the window", NOVA_OK);
    CHECK(u->head.untyped == 1 && u->head.typed == 0 && u->msg[0] == NOVA_BAD_PAR);
    lookup_is(BT_CHILD_WIN_VA + 4 * PAGE_SIZE, 0, false);
    cmd = BT_CMD_REPLY_GOOD;
    msg_set_words(u, &cmd, 1);
    expect(u, "reply with a valid item", NOVA_OK);
    CHECK(u->head.untyped == 1 && u->msg[0] == BT_REPLY_MAGIC && u->head.typed == 2);
    CHECK(msg_items(u)[0].crd == arrived);
    CHECK(msg_items(u)[1].crd == NOVA_CRD(NOVA_CRD_IO, BT_PORT, 0, 1));
    lookup_is(BT_CHILD_WIN_VA, arrived, true);
    CHECK(*(volatile uint64_t *)BT_CHILD_WIN_VA == BT_REPLY_MAGIC);
    io_inb(BT_PORT); // without the port this would end the thread (#GP, no portal)
    bt_port_read = true;
}

static _Noreturn void bt_child(struct nova_utcb *u)
{
    *(volatile uint64_t *)BT_GIFT_VA = BT_GIFT_MAGIC;
    u->head.recv_mem = NOVA_CRD(NOVA_CRD_MEM, BT_CHILD_VPN, 2, 0x7);
    u->head.recv_io = NOVA_CRD(NOVA_CRD_IO, BT_PORT, 0, 1);
    invalid_items(u);
    too_much(u);
    valid_calls(u);
    replies(u);
    bt_child_done = 1;
    child_park();
}

// Root code from here on.
static bool mapped(uint64_t win_page)
{
    uint64_t phys = 0;
    CHECK_STATUS(nova_lookup_mem(BT_WIN_VA + win_page * PAGE_SIZE, 0, &phys), NOVA_OK);
    return phys != 0;
}

// Exactly the valid items arrived: the mapped pages of the window are 1, 2 and 16 to 31.
static void window_pages(void)
{
    unsigned wrong = 0;
    for (unsigned p = 0; p <= 1u << BT_WIN_ORDER; p++) {
        bool want = p == 1 || p == 2 || (p >= 16 && p < 32);
        if (mapped(p) != want && ++wrong)
            con_printf("  (badtyped: window page %u %s)\n", p, want ? "not mapped" : "mapped");
    }
    if (CHECK(wrong == 0))
        con_printf("badtyped: invalid items left the receiver's window empty\n");
}

static void handler_saw(void)
{
    const struct bt_seen *one = &seen[BT_CASE_ONE], *w = &seen[BT_CASE_WORDS];
    const struct bt_seen *sixteen = &seen[BT_CASE_16];
    if (CHECK(bt_runs == BT_VALID_CALLS))
        con_printf("badtyped: the handler ran for the %u valid calls only\n", bt_runs);
    CHECK(one->runs == 1 && one->untyped == 3 && one->typed == 1 && one->last == 0x2222);
    if (CHECK(one->base0 == BT_WIN_VPN + 2 && one->in_order))
        con_printf("badtyped: the item's descriptor follows the 3 untyped words\n");
    CHECK(*(volatile uint64_t *)(BT_WIN_VA + 2 * PAGE_SIZE) == BT_GIFT_MAGIC);
    CHECK(w->runs == 1 && w->untyped == NOVA_UTCB_WORDS && w->typed == 0);
    CHECK(w->last == BT_LAST_MAGIC);
    CHECK(sixteen->runs == 1 && sixteen->typed == 16);
    CHECK(sixteen->base0 == BT_WIN_VPN + 16 && sixteen->in_order);
    CHECK(seen[BT_CASE_CAP].runs == 1 && seen[BT_CASE_CAP].typed == 1);
    CHECK(seen[BT_CASE_CAP].crd0 == NOVA_CRD(NOVA_CRD_OBJ, bt_sel_win + 3, 0, NOVA_PERM_SM_UP));
    if (CHECK_STATUS(bt_reply_status, NOVA_BAD_PAR))
        con_printf("badtyped: a reply item outside the caller's window: BAD_PAR\n");
}

// Only the valid capability item arrived, with the permission it was sent with.
static void capability_window(void)
{
    unsigned wrong = 0;
    for (unsigned i = 0; i < 1u << BT_SEL_WIN_ORDER; i++) {
        unsigned type = ~0u;
        CHECK_STATUS(nova_lookup(bt_sel_win + i, &type, 0), NOVA_OK);
        wrong += type != (i == 3 ? NOVA_OBJ_SM : NOVA_OBJ_NULL);
    }
    CHECK_OBJECT(bt_sel_win + 3, NOVA_OBJ_SM, NOVA_PERM_SM_UP);
    if (CHECK(wrong == 0))
        con_printf("badtyped: a capability arrived in the window, with UP only\n");
}

// The handler's window, with page 1 mapped already (a page delegated by the root to itself).
static bool setup(struct child *c)
{
    uint64_t premapped = pages_alloc(1);
    reply_page = pages_alloc(1);
    park_sm = sel_alloc();
    bt_sel_win = sel_alloc_block(1u << BT_SEL_WIN_ORDER);
    if (!CHECK(premapped && reply_page))
        return false;
    *(volatile uint64_t *)pages_virt(reply_page) = BT_REPLY_MAGIC;
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, pages_vpn(premapped), 0, 0x3);
    if (!CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, crd, BT_WIN_VPN + 1), NOVA_OK) ||
        !CHECK_STATUS(nova_create_sm(park_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) ||
        !CHECK_STATUS(portal_create(&bt, bt_handler, handler_stack, THREAD_STACK_WORDS, 0),
                      NOVA_OK))
        return false;
    bt.utcb->head.recv_mem = NOVA_CRD(NOVA_CRD_MEM, BT_WIN_VPN, BT_WIN_ORDER, 0x7);
    bt.utcb->head.recv_obj = NOVA_CRD(NOVA_CRD_OBJ, bt_sel_win, BT_SEL_WIN_ORDER, 0x1f);
    CHILD_SET(c, bt_sel_win, bt_sel_win);
    return CHECK_STATUS(child_give_cap(c, bt.pt, BT_SEL_PT), NOVA_OK) &&
           child_map_fresh(c, BT_GIFT_VA, 0x3);
}

void test_badtyped(const struct nova_hip *hip)
{
    struct child c;
    if (!child_create(&c, CHILD_CONSOLE) || !setup(&c))
        return;
    if (!CHECK_STATUS(child_thread(&c, bt_child, CHILD_SEL_EVT_BASE), NOVA_OK))
        return;
    CHECK(CHILD_GET(&c, bt_child_done) == 1);
    if (CHECK(CHILD_GET(&c, bt_port_read)))
        con_printf("badtyped: a reply delegated memory and an I/O port in one message\n");
    child_collect_failures(&c);
    handler_saw();
    window_pages();
    capability_window();
}
