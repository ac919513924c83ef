// SPDX-License-Identifier: MIT
// Faults at once: the root restarts it as often as the configuration says.
#include "nova-user/console.h"
#include "nova-user/program.h"

int main(const struct nova_start_info *info)
{
    con_printf("crasher: start %lu, faulting\n", info->restarts + 1);
    __builtin_trap();
}
