// SPDX-License-Identifier: MIT
// Uses "echo": looks it up by name and checks 100 calls; tries the heap on the way.
#include <stdbool.h>
#include <stdint.h>

#include "nova-user/cmdline.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/log.h"
#include "nova-user/malloc.h"
#include "nova-user/names.h"
#include "nova-user/program.h"
#include "nova-user/string.h"

#define CALLS       100
#define WORDS       3
#define WAIT_MS     5000 // echo may not have registered yet
#define HEAP_BLOCKS 8

enum { SEL_ECHO = NOVA_PROG_SEL_FREE };

static uint64_t word(unsigned call, unsigned i)
{
    return 0xc0de000000000000ull + (uint64_t)call * 16 + i;
}

// One call: WORDS words out, each must come back + 1.
static bool call_once(struct nova_utcb *u, unsigned call)
{
    for (unsigned i = 0; i < WORDS; i++)
        u->msg[i] = word(call, i);
    u->head.untyped = WORDS;
    u->head.typed = 0;
    enum nova_status st = nova_call(SEL_ECHO);
    if (st == NOVA_ABORTED && cmdline_has_word(prog_info()->args, NOVA_START_ARGS, "until-abort")) {
        con_printf("client: call %u: ABORTED\n", call);
        return false;
    }
    if (st != NOVA_OK || u->head.untyped != WORDS) {
        con_printf("client: check failed: call %u: status %u, %u words\n", call, st,
                   u->head.untyped);
        return false;
    }
    for (unsigned i = 0; i < WORDS; i++)
        if (u->msg[i] != word(call, i) + 1)
            return false;
    return true;
}

// malloc over the memory service: blocks that do not overlap, freed again.
static bool heap_works(void)
{
    char *b[HEAP_BLOCKS];
    for (unsigned i = 0; i < HEAP_BLOCKS; i++) {
        b[i] = malloc(100 + i * 300);
        if (!b[i])
            return false;
        memset(b[i], 'a' + i, 100 + i * 300);
    }
    bool ok = true;
    for (unsigned i = 0; i < HEAP_BLOCKS; i++) {
        for (unsigned k = 0; k < 100 + i * 300; k++)
            ok = ok && b[i][k] == (char)('a' + i);
        free(b[i]);
    }
    return ok;
}

/*
 * With "until-abort" in its args the client expects echo to die under it: it calls until a
 * call is ABORTED, then finds the name gone and its capability to the portal revoked.
 */
static int until_abort(void)
{
    unsigned calls = 0;
    while (calls < 100 * CALLS && call_once(prog_utcb(), calls))
        calls++;
    unsigned type = NOVA_OBJ_PT;
    enum svc_status svc = name_lookup("echo", SEL_ECHO + 1);
    if (nova_lookup(SEL_ECHO, &type, 0) != NOVA_OK || type != NOVA_OBJ_NULL ||
        svc != SVC_NOT_FOUND) {
        con_printf("client: check failed: after echo died: lookup %s, object type %u\n",
                   svc_status_name(svc), type);
        return 1;
    }
    con_printf("client: echo went away after %u calls, its portal with it\n", calls);
    return 0;
}

int main(const struct nova_start_info *info)
{
    enum svc_status svc = name_lookup_wait("echo", SEL_ECHO, WAIT_MS);
    if (svc != SVC_OK) {
        con_printf("client: check failed: lookup of echo: %s\n", svc_status_name(svc));
        return 1;
    }
    if (cmdline_has_word(info->args, NOVA_START_ARGS, "until-abort"))
        return until_abort();
    unsigned good = 0;
    for (unsigned call = 0; call < CALLS; call++)
        good += call_once(prog_utcb(), call);
    if (good != CALLS) {
        con_printf("client: check failed: %u of %u answers right\n", good, CALLS);
        return 1;
    }
    log_info("echo answered %u calls", good);
    if (!heap_works()) {
        con_printf("client: check failed: malloc\n");
        return 1;
    }
    con_printf("client: malloc and free work\n");
    return 0;
}
