// SPDX-License-Identifier: MIT
// Test "pingpong": 10,000 calls from the root to a server in a child PD, every word checked.
#include <stdint.h>

#include "alloc.h"
#include "check.h"
#include "child.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "tests.h"

#define PP_ROUNDS    10000
#define PP_WORDS     8              // request: the counter, then 7 pattern words
#define PP_REPLY     (PP_WORDS + 2) // the counter, each word + 1, the portal id, server errors
#define PP_ID        0x5eed
#define PP_SELF_CALL UINT64_MAX           // request: the server calls its own portal
#define PP_WAKE      (UINT64_MAX - 1)     // request: the server wakes the helper thread
#define PP_DIE       (UINT64_MAX - 2)     // request: the server raises #UD (it has no portal)
#define PP_SEL_PT    CHILD_SEL_FREE       // the server's portal, in the child's object space
#define PP_SEL_WAKE  (CHILD_SEL_FREE + 1) // the helper waits on this SM

// The server's state, in the child's copy of the globals.
static struct nova_utcb *pp_server_utcb;
static uint64_t pp_next;   // the counter the next request carries
static uint64_t pp_served; // requests answered
static uint64_t pp_errors; // requests that were not what the root sent
static volatile bool helper_calling, helper_done, helper_ok;

static uint64_t pattern(uint64_t i, unsigned k)
{
    return (i + 1) * 0x9e3779b97f4a7c15ull ^ ((uint64_t)k << 56 | k);
}

// The request must be the next counter and its pattern; the reply transforms it.
static void serve(struct nova_utcb *u, uint64_t id)
{
    uint64_t i = u->msg[0];
    bool ok = u->head.untyped == PP_WORDS && u->head.typed == 0 && i == pp_next;
    for (unsigned k = 1; k < PP_WORDS; k++) {
        ok = ok && u->msg[k] == pattern(i, k);
        u->msg[k]++;
    }
    pp_errors += !ok;
    pp_next = i + 1;
    u->msg[PP_WORDS] = id;
    u->msg[PP_WORDS + 1] = pp_errors;
    u->head.untyped = PP_REPLY;
}

// The helper calls while the server serves the root: its call waits, the server answers the
// root first.
static void wake_helper(struct nova_utcb *u)
{
    u->msg[0] = nova_sm_up(PP_SEL_WAKE);
    u->msg[1] = helper_calling;
    u->msg[2] = helper_done;
    u->head.untyped = 3;
}

// Child code: the portal's entry, RDI = the portal id.
static _Noreturn void pp_server(uint64_t id)
{
    struct nova_utcb *u = pp_server_utcb;
    uint64_t cmd = u->head.untyped == 1 ? u->msg[0] : 0;
    pp_served++;
    if (cmd == PP_SELF_CALL) {
        // The server serves the root's call: calling itself would wait for itself.
        u->msg[0] = nova_call(PP_SEL_PT);
        u->head.untyped = 1;
    } else if (cmd == PP_WAKE) {
        wake_helper(u);
    } else if (cmd == PP_DIE) {
        __asm__ volatile("ud2");
    } else {
        serve(u, id);
    }
    u->head.typed = 0;
    reply_or_park(CHILD_SEL_PARK);
}

// One round trip through the caller's UTCB u; false if anything in the reply is off.
static bool round_trip(struct nova_utcb *u, nova_sel pt, uint64_t i, uint64_t id)
{
    uint64_t words[PP_WORDS] = {i};
    for (unsigned k = 1; k < PP_WORDS; k++)
        words[k] = pattern(i, k);
    msg_set_words(u, words, PP_WORDS);
    enum nova_status st = nova_call(pt);
    bool ok = st == NOVA_OK && u->head.untyped == PP_REPLY && u->head.typed == 0;
    ok = ok && u->msg[0] == i && u->msg[PP_WORDS] == id && u->msg[PP_WORDS + 1] == 0;
    for (unsigned k = 1; k < PP_WORDS; k++)
        ok = ok && u->msg[k] == pattern(i, k) + 1;
    if (!ok)
        con_printf("pingpong: round %#lx: status %s, %u words, word 0 %#lx, id %#lx, errors %lu\n",
                   i, status_name(st), u->head.untyped, u->msg[0], u->msg[PP_WORDS],
                   u->msg[PP_WORDS + 1]);
    return ok;
}

// Child code: a thread that calls the server once it is woken, while the server is busy.
static _Noreturn void helper(struct nova_utcb *u)
{
    CHECK_STATUS(nova_sm_down(PP_SEL_WAKE), NOVA_OK);
    helper_calling = true;
    helper_ok = round_trip(u, PP_SEL_PT, PP_ROUNDS + 1, PP_ID);
    helper_done = true;
    child_park();
}

static struct nova_utcb *root_utcb(void)
{
    return (struct nova_utcb *)NOVA_ROOT_UTCB;
}

// A request of one word; the server's reply is in the root's UTCB.
static enum nova_status command(nova_sel pt, uint64_t cmd)
{
    msg_set_words(root_utcb(), &cmd, 1);
    return nova_call(pt);
}

static void rounds(nova_sel pt)
{
    unsigned bad = 0;
    // The portal id starts at 0; pt_ctrl sets what the server finds in RDI from then on.
    CHECK(round_trip(root_utcb(), pt, 0, 0));
    CHECK_STATUS(nova_pt_ctrl(pt, PP_ID), NOVA_OK);
    for (uint64_t i = 1; i <= PP_ROUNDS && bad < 5; i++)
        bad += !round_trip(root_utcb(), pt, i, PP_ID);
    if (CHECK(bad == 0))
        con_printf("pingpong: %u round trips, every reply checked\n", PP_ROUNDS);
}

static void self_call(nova_sel pt)
{
    struct nova_utcb *u = root_utcb();
    if (CHECK_STATUS(command(pt, PP_SELF_CALL), NOVA_OK) && CHECK(u->head.untyped == 1) &&
        CHECK_STATUS(u->msg[0], NOVA_BUSY))
        con_printf("pingpong: the server calling its own portal got BUSY\n");
}

// When the root's call returns, the helper's call (made while the server was busy) is over.
static void queued_call(const struct child *c, nova_sel pt)
{
    struct nova_utcb *u = root_utcb();
    if (!CHECK_STATUS(command(pt, PP_WAKE), NOVA_OK) || !CHECK(u->head.untyped == 3))
        return;
    CHECK_STATUS(u->msg[0], NOVA_OK);
    CHECK(u->msg[1] == 1 && u->msg[2] == 0); // the helper had called, its call had to wait
    if (CHECK(CHILD_GET(c, helper_done)) && CHECK(CHILD_GET(c, helper_ok)))
        con_printf("pingpong: a call to the busy server waited and then went through\n");
}

// A handler that ends during the call: the caller gets ABORTED, and so does every later call.
static void server_dies(nova_sel pt)
{
    CHECK_STATUS(command(pt, PP_DIE), NOVA_ABORTED);
    if (CHECK_STATUS(command(pt, 0), NOVA_ABORTED))
        con_printf("pingpong: the server ended during a call: ABORTED, then ABORTED again\n");
}

static bool start_helper(struct child *c)
{
    nova_sel wake = sel_alloc();
    return CHECK_STATUS(nova_create_sm(wake, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(child_give_cap(c, wake, PP_SEL_WAKE), NOVA_OK) &&
           CHECK_STATUS(child_thread(c, helper, CHILD_SEL_EVT_BASE), NOVA_OK);
}

void test_pingpong(const struct nova_hip *hip)
{
    struct child c;
    nova_sel ec = sel_alloc(), pt = sel_alloc();
    uint64_t utcb;
    if (!child_create(&c, CHILD_CONSOLE))
        return;
    if (!CHECK_STATUS(child_ec(&c, ec, (void *)pp_server, 0, false, &utcb), NOVA_OK) ||
        !CHECK_STATUS(nova_create_pt(pt, c.pd, ec, 0, (uint64_t)(uintptr_t)pp_server), NOVA_OK) ||
        !CHECK_STATUS(child_give_cap(&c, pt, PP_SEL_PT), NOVA_OK))
        return;
    CHILD_SET(&c, pp_server_utcb, (struct nova_utcb *)(uintptr_t)utcb);
    con_printf("pingpong: server EC in child PD, portal at sel %lu\n", pt);
    rounds(pt);
    self_call(pt);
    if (start_helper(&c))
        queued_call(&c, pt);
    CHECK(CHILD_GET(&c, pp_served) == PP_ROUNDS + 4);
    CHECK(CHILD_GET(&c, pp_errors) == 0);
    server_dies(pt);
    child_collect_failures(&c);
}
