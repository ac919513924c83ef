// SPDX-License-Identifier: MIT
// Allocates pages until the memory service refuses, then frees them all and exits.
#include <stdbool.h>
#include <stdint.h>

#include "nova-user/console.h"
#include "nova-user/mem.h"
#include "nova-user/program.h"

#define MAX_PAGES 4096

static uint64_t page[MAX_PAGES];

static int fail(const char *what, enum svc_status st)
{
    con_printf("hog: check failed: %s: %s\n", what, svc_status_name(st));
    return 1;
}

// Each page is written and read back: the memory is really there, and really ours.
static bool pages_hold(unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (*(volatile uint64_t *)(uintptr_t)page[i] != page[i] + i)
            return false;
    return true;
}

int main(const struct nova_start_info *info)
{
    enum svc_status st = SVC_OK;
    unsigned n = 0;
    while (n < MAX_PAGES && (st = mem_alloc(1, &page[n])) == SVC_OK) {
        *(volatile uint64_t *)(uintptr_t)page[n] = page[n] + n;
        n++;
    }
    if (st != SVC_QUOTA)
        return fail("the service did not refuse with QUOTA", st);
    con_printf("hog: quota reached after %u pages\n", n);
    if (n != info->quota_pages || !pages_hold(n))
        return fail("pages lost or quota miscounted", st);
    for (unsigned i = 0; i < n; i++)
        if ((st = mem_free(page[i], 1)) != SVC_OK)
            return fail("mem_free", st);
    uint64_t quota, held;
    if ((st = mem_info(&quota, &held)) != SVC_OK || held != 0)
        return fail("pages still held after freeing", st);
    con_printf("hog: freed all %u pages, exiting\n", n);
    return 0;
}
