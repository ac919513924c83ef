// SPDX-License-Identifier: MIT
// The root's service ECs: one local EC per CPU serves every portal of the programs there.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova-user/hypercall.h"
#include "nova/utcb.h"
#include "programs.h"

// What a portal of a program is for; with the slot it makes the portal id.
enum service_kind {
    SERVICE_MEM,   // memory service (memsvc.c)
    SERVICE_NAMES, // name service (namesvc.c)
    SERVICE_SYS,   // supervisor requests (supervise.c)
    SERVICE_EVT,   // the main EC's events: start-up and exceptions (supervise.c)
};

// Creates the portal sel in the root's object space for program p, bound to the service EC
// of p's CPU (created on first use), with portal id (slot, kind).
NOVA_MUST_CHECK enum nova_status service_portal(nova_sel sel, const struct program *p,
                                                enum service_kind kind);

// Every call arrives through one of these, a handler per kind, which ends the call with a
// reply and never returns.
typedef void service_fn(struct program *p, struct nova_utcb *u);
_Noreturn void memsvc_serve(struct program *p, struct nova_utcb *u);
_Noreturn void namesvc_serve(struct program *p, struct nova_utcb *u);
_Noreturn void supervise_sys(struct program *p, struct nova_utcb *u);
_Noreturn void supervise_event(struct program *p, struct nova_utcb *u);

// Ends a call with the message in u; only returns if the kernel refused the reply (its
// status), so that the caller can take back what the reply was to deliver.
enum nova_status service_try_reply(void);

// Ends a call: a refused reply is a failed check, then an empty reply is sent instead.
_Noreturn void service_reply(struct nova_utcb *u);

// The capability items that arrived with a call, from a message as received.
unsigned service_items(const struct nova_utcb *u, const struct nova_typed_item **items);

// Revokes the capabilities that arrived with a call and nobody took (see service.c).
void service_drop_items(const struct nova_utcb *u);
