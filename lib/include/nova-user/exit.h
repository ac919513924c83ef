// SPDX-License-Identifier: MIT
// Ending a user program: report pass or fail to QEMU if asked to, then park for good.
#pragma once

#include <stdbool.h>

// Whether nova_exit writes to QEMU's isa-debug-exit device (the "exit=qemu" word).
void nova_exit_use_qemu(bool on);

// ok != 0: pass (QEMU exits with 33), ok == 0: fail (35). Never returns.
_Noreturn void nova_exit(int ok);
