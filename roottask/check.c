// SPDX-License-Identifier: MIT
// Test checks: failure messages and the failure count.
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"

unsigned check_failures;

const char *status_name(uint64_t st)
{
    static const char *const names[] = {
        [NOVA_OK] = "OK",           [NOVA_TIMEOUT] = "TIMEOUT",
        [NOVA_ABORTED] = "ABORTED", [NOVA_BAD_HYPERCALL] = "BAD_HYPERCALL",
        [NOVA_BAD_CAP] = "BAD_CAP", [NOVA_BAD_PAR] = "BAD_PAR",
        [NOVA_BAD_FTR] = "BAD_FTR", [NOVA_BAD_CPU] = "BAD_CPU",
        [NOVA_BAD_DEV] = "BAD_DEV", [NOVA_NO_MEM] = "NO_MEM",
        [NOVA_BUSY] = "BUSY",       [NOVA_PERM] = "PERM",
    };
    return st < sizeof(names) / sizeof(names[0]) ? names[st] : "unknown status";
}

bool check_status_at(const char *file, int line, const char *expr, uint64_t got,
                     enum nova_status want)
{
    if (got == (uint64_t)want)
        return true;
    check_failures++;
    con_printf("check failed: %s:%d: %s returned %s (%lu), expected %s\n", file, line, expr,
               status_name(got), got, status_name(want));
    return false;
}

bool check_true_at(const char *file, int line, const char *expr, bool ok)
{
    if (ok)
        return true;
    check_failures++;
    con_printf("check failed: %s:%d: %s\n", file, line, expr);
    return false;
}

bool check_object_at(const char *file, int line, nova_sel sel, unsigned type, unsigned perms)
{
    unsigned t = ~0u, p = ~0u;
    enum nova_status st = nova_lookup(sel, &t, &p);
    if (st == NOVA_OK && t == type && p == perms)
        return true;
    check_failures++;
    con_printf("check failed: %s:%d: lookup(%lu) returned %s (%u), type %u, perms %#x; "
               "expected OK, type %u, perms %#x\n",
               file, line, sel, status_name(st), st, t, p, type, perms);
    return false;
}
