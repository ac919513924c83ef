// SPDX-License-Identifier: MIT
// The name service: NAME_REGISTER and NAME_LOOKUP on each program's name portal.
#include "namesvc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/msg.h"
#include "nova-user/services.h"
#include "nova-user/string.h"
#include "service.h"

#define NAME_BYTES (SVC_NAME_WORDS * 8)
#define ENTRIES    (CFG_MAX_PROGRAMS * CFG_MAX_NAMES)

/*
 * A registered portal stays where it landed in the root's object space: entry i describes
 * selector LANDING_BASE + i. Lookups delegate from there, so revoking the landing
 * capability takes the portal back from every client as well.
 */
struct entry {
    bool used;
    char name[NAME_BYTES];
};

static struct entry entries[ENTRIES];

// The name in msg[1..4]; false unless it is NUL-terminated and not empty.
static bool get_name(const struct nova_utcb *u, char *name)
{
    if (u->head.untyped < 1 + SVC_NAME_WORDS)
        return false;
    memcpy(name, &u->msg[1], NAME_BYTES);
    for (unsigned i = 0; i < NAME_BYTES; i++)
        if (!name[i])
            return i > 0;
    return false;
}

static struct entry *find(const char *name)
{
    for (unsigned i = 0; i < ENTRIES; i++)
        if (entries[i].used && strcmp(entries[i].name, name) == 0)
            return &entries[i];
    return NULL;
}

static bool provides(const struct cfg_program *c, const char *name)
{
    for (unsigned i = 0; i < c->provides_count; i++)
        if (strcmp(c->provides[i], name) == 0)
            return true;
    return false;
}

// The one capability that must come with a registration: a portal, in the caller's block.
static bool arrived_portal(const struct program *p, const struct nova_utcb *u, nova_sel *sel)
{
    const struct nova_typed_item *it;
    unsigned type, perms;
    if (service_items(u, &it) != 1 || NOVA_CRD_TYPE(it[0].crd) != NOVA_CRD_OBJ)
        return false;
    *sel = NOVA_CRD_BASE(it[0].crd);
    if (*sel < prog_landing(p) || *sel >= prog_landing(p) + CFG_MAX_NAMES)
        return false;
    return nova_lookup(*sel, &type, &perms) == NOVA_OK && type == NOVA_OBJ_PT &&
           (perms & NOVA_PERM_PT_CALL);
}

static enum svc_status do_register(struct program *p, const struct nova_utcb *u, const char *name)
{
    nova_sel sel;
    if (!provides(p->cfg, name))
        return SVC_DENIED;
    if (!arrived_portal(p, u, &sel))
        return SVC_BAD_ARG;
    if (find(name))
        return SVC_EXISTS;
    struct entry *e = &entries[sel - LANDING_BASE];
    e->used = true;
    memcpy(e->name, name, NAME_BYTES);
    con_printf("root: %s registered \"%s\"\n", p->cfg->name, name);
    return SVC_OK;
}

static _Noreturn void reply_status(struct nova_utcb *u, enum svc_status st)
{
    u->msg[0] = st;
    u->head.untyped = 1;
    u->head.typed = 0;
    service_reply(u);
}

static _Noreturn void registration(struct program *p, struct nova_utcb *u, const char *name)
{
    sys_lock();
    enum svc_status st = prog_alive(p) ? do_register(p, u, name) : SVC_ENDING;
    if (st != SVC_OK)
        service_drop_items(u);
    sys_unlock();
    reply_status(u, st);
}

// The grant comes first: a program not granted the name learns nothing about it.
static _Noreturn void lookup(struct program *p, struct nova_utcb *u, const char *name)
{
    uint64_t dest = u->head.untyped > 1 + SVC_NAME_WORDS ? u->msg[1 + SVC_NAME_WORDS] : 0;
    service_drop_items(u);
    sys_lock();
    const struct entry *e = cfg_may_use(p->cfg, name) ? find(name) : NULL;
    enum svc_status st = !prog_alive(p)               ? SVC_ENDING
                         : !cfg_may_use(p->cfg, name) ? SVC_DENIED
                         : e                          ? SVC_OK
                                                      : SVC_NOT_FOUND;
    sys_unlock();
    if (st == SVC_DENIED)
        con_printf("root: %s asked for \"%s\" without a grant: refused\n", p->cfg->name, name);
    if (st != SVC_OK)
        reply_status(u, st);
    u->msg[0] = SVC_OK;
    u->head.untyped = 1;
    u->head.typed = 0;
    nova_sel sel = LANDING_BASE + (nova_sel)(e - entries);
    msg_add_item(u, NOVA_CRD(NOVA_CRD_OBJ, sel, 0, NOVA_PERM_PT_CALL), dest);
    service_try_reply(); // returns only if dest was not in the caller's window, or not empty
    reply_status(u, SVC_BAD_ARG);
}

_Noreturn void namesvc_serve(struct program *p, struct nova_utcb *u)
{
    char name[NAME_BYTES];
    uint64_t op = u->head.untyped ? u->msg[0] : 0;
    if ((op != NAME_REGISTER && op != NAME_LOOKUP) || !get_name(u, name)) {
        service_drop_items(u);
        reply_status(u, op == NAME_REGISTER || op == NAME_LOOKUP ? SVC_BAD_ARG : SVC_BAD_OP);
    }
    if (op == NAME_REGISTER)
        registration(p, u, name);
    lookup(p, u, name);
}

void namesvc_release_all(struct program *p)
{
    nova_crd block = NOVA_CRD(NOVA_CRD_OBJ, prog_landing(p), 3, 0x1f);
    _Static_assert(CFG_MAX_NAMES == 1 << 3, "one landing block is one descriptor");
    CHECK_STATUS(nova_revoke(block, true), NOVA_OK);
    for (unsigned i = 0; i < CFG_MAX_NAMES; i++)
        entries[prog_landing(p) - LANDING_BASE + i].used = false;
}
