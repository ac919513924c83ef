// SPDX-License-Identifier: MIT
// Runtime start-up: the runtime's own options, read before main runs.
#include "nova-user/cmdline.h"
#include "nova-user/exit.h"
#include "nova-user/start.h"

// The root task's command line is that of boot module 0, its own image.
void nova_runtime_init(const struct nova_hip *hip)
{
    if (hip->signature != NOVA_HIP_SIGNATURE || hip->mod_count == 0)
        return;
    const char *line = hip->mod[0].cmdline;
    size_t max = sizeof(hip->mod[0].cmdline);
    if (cmdline_has_word(line, max, "exit=qemu"))
        nova_exit_use(NOVA_EXIT_QEMU);
    else if (cmdline_has_word(line, max, "exit=bochs"))
        nova_exit_use(NOVA_EXIT_BOCHS);
}
