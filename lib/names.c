// SPDX-License-Identifier: MIT
// Client of the root's name service: names travel as four NUL-padded words.
#include "nova-user/names.h"
#include "nova-user/hypercall.h"
#include "nova-user/msg.h"
#include "nova-user/program.h"
#include "nova-user/string.h"

#define RETRY_MS 2

// Registrations so far: each lands at the next selector of the program's landing block.
static unsigned registered;

// False if the name does not fit (31 characters and the NUL).
static bool put_name(struct nova_utcb *u, const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n >= SVC_NAME_WORDS * 8)
        return false;
    memset(&u->msg[1], 0, SVC_NAME_WORDS * 8);
    memcpy(&u->msg[1], name, n);
    return true;
}

static enum svc_status call_names(struct nova_utcb *u)
{
    enum nova_status st = nova_call(NOVA_PROG_SEL_NAMES);
    u->head.recv_obj = 0;
    return st == NOVA_OK ? (enum svc_status)u->msg[0] : SVC_BAD_OP;
}

enum svc_status name_register(const char *name, nova_sel portal_sel)
{
    struct nova_utcb *u = prog_utcb();
    const struct nova_start_info *info = prog_info();
    if (!put_name(u, name) || registered >= info->name_landing_count)
        return SVC_BAD_ARG;
    u->msg[0] = NAME_REGISTER;
    u->head.untyped = 1 + SVC_NAME_WORDS;
    u->head.typed = 0;
    msg_add_item(u, NOVA_CRD(NOVA_CRD_OBJ, portal_sel, 0, NOVA_PERM_PT_CALL),
                 info->name_landing + registered);
    enum svc_status st = call_names(u);
    if (st == SVC_OK)
        registered++;
    return st;
}

enum svc_status name_lookup(const char *name, nova_sel dest_sel)
{
    struct nova_utcb *u = prog_utcb();
    if (!put_name(u, name))
        return SVC_BAD_ARG;
    u->msg[0] = NAME_LOOKUP;
    u->msg[1 + SVC_NAME_WORDS] = dest_sel;
    u->head.untyped = 2 + SVC_NAME_WORDS;
    u->head.typed = 0;
    u->head.recv_obj = NOVA_CRD(NOVA_CRD_OBJ, dest_sel, 0, 0);
    return call_names(u);
}

enum svc_status name_lookup_wait(const char *name, nova_sel dest_sel, unsigned timeout_ms)
{
    enum svc_status st = name_lookup(name, dest_sel);
    for (unsigned waited = 0; st == SVC_NOT_FOUND && waited < timeout_ms; waited += RETRY_MS) {
        prog_sleep_ms(RETRY_MS);
        st = name_lookup(name, dest_sel);
    }
    return st;
}
