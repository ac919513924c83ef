// SPDX-License-Identifier: MIT
// The kernel lock: one CPU at a time runs kernel code; TLB flush requests are served while waiting.
#pragma once

// Taken on every kernel entry that changes state, released before the return to user mode
// and while a CPU idles. A CPU waiting for it still answers TLB shootdowns.
void kernel_lock(void);
void kernel_unlock(void);
