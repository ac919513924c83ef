// SPDX-License-Identifier: MIT
// Ending a user program: report pass or fail to the emulator if asked to, then park for good.
#pragma once

// How nova_exit ends the emulator: not at all, by QEMU's isa-debug-exit device ("exit=qemu"),
// or by Bochs's shutdown port ("exit=bochs").
enum nova_exit_way { NOVA_EXIT_NONE, NOVA_EXIT_QEMU, NOVA_EXIT_BOCHS };

void nova_exit_use(enum nova_exit_way way);

// ok != 0: pass (QEMU exits with 33), ok == 0: fail (35). With a way selected, the last line
// printed is "exit: pass" or "exit: fail": Bochs exits with status 1 either way. Never returns.
_Noreturn void nova_exit(int ok);
