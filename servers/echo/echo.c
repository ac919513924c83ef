// SPDX-License-Identifier: MIT
// A server: provides "echo", a portal that answers every call with its words + 1.
#include <stdint.h>

#include "nova-user/cmdline.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/log.h"
#include "nova-user/names.h"
#include "nova-user/program.h"

#define HANDLER_STACK_WORDS 1024
#define HANDLER_UTCB        NOVA_PROG_UTCB_AREA

enum { SEL_HANDLER = NOVA_PROG_SEL_FREE, SEL_PORTAL };

static uint64_t handler_stack[HANDLER_STACK_WORDS] __attribute__((aligned(16)));

// With "fault-after=N" in its args, the handler faults in call N + 1: a server dying under
// its clients (the root tears it down, a client in the call gets ABORTED).
static uint64_t fault_after, served;

static uint64_t parse_number(const char *s)
{
    uint64_t v = 0;
    while (*s >= '0' && *s <= '9')
        v = v * 10 + (uint64_t)(*s++ - '0');
    return v;
}

// Runs on the caller's time, afresh for every call: the words come back incremented.
static _Noreturn void serve(uint64_t id)
{
    struct nova_utcb *u = (struct nova_utcb *)HANDLER_UTCB;
    if (fault_after && served++ == fault_after) {
        con_printf("echo: faulting in call %lu, as asked\n", served);
        __builtin_trap();
    }
    for (unsigned i = 0; i < u->head.untyped; i++)
        u->msg[i] += 1;
    u->head.typed = 0;
    if (nova_reply() != NOVA_OK) // a reply without items cannot fail: give up loudly
        __builtin_trap();
    __builtin_unreachable();
}

static int fail(const char *what, enum svc_status st)
{
    log_error("check failed: %s: %s", what, svc_status_name(st));
    return 1;
}

int main(const struct nova_start_info *info)
{
    char value[24];
    if (cmdline_value(info->args, NOVA_START_ARGS, "fault-after", value, sizeof(value)))
        fault_after = parse_number(value);
    uint64_t sp = prog_stack_top(handler_stack, HANDLER_STACK_WORDS);
    enum svc_status st = prog_handler(HANDLER_UTCB, sp, serve, 0, SEL_HANDLER, SEL_PORTAL);
    if (st != SVC_OK)
        return fail("creating the handler", st);
    if ((st = name_register("echo", SEL_PORTAL)) != SVC_OK)
        return fail("registering echo", st);
    con_printf("echo: serving \"echo\"\n");
    prog_park();
}
