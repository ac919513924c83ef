// SPDX-License-Identifier: MIT
// The root task's services: operations, message layouts and reply statuses.
#pragma once

#include <stdint.h>

/*
 * Every request is a call with the operation in msg[0]; every reply carries a status
 * (enum svc_status) in msg[0]. docs/roottask.md describes each message.
 *
 * Memory service (NOVA_PROG_SEL_MEM):
 *   MEM_ALLOC  [op, pages, address]  -> [status, pages] + typed memory items into the
 *              caller's recv_mem window at address (page-aligned, aligned to the largest
 *              power of two <= pages, or to 2^MEM_MAX_ORDER pages)
 *   MEM_FREE   [op, address, pages]  -> [status, pages freed]
 *   MEM_INFO   [op]                  -> [status, quota pages, pages held]
 * Name service (NOVA_PROG_SEL_NAMES):
 *   NAME_REGISTER [op, name (4 words)] + one typed item: the portal capability, to a
 *              selector of the caller's landing block (start info) -> [status]
 *   NAME_LOOKUP   [op, name (4 words), selector] -> [status] + the portal (CALL permission)
 *              at selector, which must lie inside the caller's recv_obj window
 * Supervisor (NOVA_PROG_SEL_SYS):
 *   SYS_EXIT   [op, exit status]     -> [status]; the program parks, the root tears it down
 *   SYS_HANDLER [op, utcb, stack pointer, entry, mtd, ec selector, portal selector]
 *              -> [status, kernel status]: a local EC of the caller's PD on its CPU (event
 *              base NOVA_PROG_SEL_EVT_BASE) and a portal to it, made by the root so that it
 *              can destroy them with the program; capabilities at the two selectors
 */
enum svc_op {
    MEM_ALLOC = 1,
    MEM_FREE = 2,
    MEM_INFO = 3,
    NAME_REGISTER = 16,
    NAME_LOOKUP = 17,
    SYS_EXIT = 32,
    SYS_HANDLER = 33,
};

enum svc_status {
    SVC_OK = 0,
    SVC_BAD_OP = 1,    // no such operation on this portal
    SVC_BAD_ARG = 2,   // malformed request (address, size, name, item)
    SVC_QUOTA = 3,     // the request would exceed the caller's quota
    SVC_NO_MEM = 4,    // the root has no free memory left for it
    SVC_DENIED = 5,    // the configuration does not grant this name to the caller
    SVC_NOT_FOUND = 6, // nobody registered the name (yet)
    SVC_EXISTS = 7,    // the name is registered already
    SVC_FULL = 8,      // a table of the root is full (ledger, blocks)
    SVC_ENDING = 9,    // the caller's program has faulted or exited: it gets nothing more
};

#define SVC_NAME_WORDS 4  // names travel as 32 bytes, NUL-padded
#define MEM_MAX_ORDER  10 // the largest block one item of MEM_ALLOC delegates: 4 MiB
#define MEM_MAX_ITEMS  16 // items in one reply (the kernel's limit)

static inline const char *svc_status_name(uint64_t st)
{
    static const char *const names[] = {
        "OK",     "BAD_OP",    "BAD_ARG", "QUOTA", "NO_MEM",
        "DENIED", "NOT_FOUND", "EXISTS",  "FULL",  "ENDING",
    };
    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown status";
}
