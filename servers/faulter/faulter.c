// SPDX-License-Identifier: MIT
// Prints a line, then touches an unmapped address: the root reports and tears it down.
#include <stdint.h>

#include "nova-user/console.h"
#include "nova-user/program.h"

// Between the image at 4 MiB and the heap window: nothing is mapped there.
#define UNMAPPED 0xdead0000ull

int main(const struct nova_start_info *info)
{
    con_printf("faulter: touching address %#llx\n", UNMAPPED);
    *(volatile uint64_t *)(uintptr_t)UNMAPPED = 1;
    con_printf("faulter: check failed: the write went through\n");
    return 1;
}
