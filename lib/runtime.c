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
    nova_exit_use_qemu(cmdline_has_word(line, sizeof(hip->mod[0].cmdline), "exit=qemu"));
}
