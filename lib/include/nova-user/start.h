// SPDX-License-Identifier: MIT
// Program start-up: what _start (start.S) calls, in order.
#pragma once

#include "nova/hip.h"
#include "nova/utcb.h"

// Reads the runtime's own options from the root task's command line (HIP module 0).
void nova_runtime_init(const struct nova_hip *hip);

// The program; if it returns, _start ends it with nova_exit(return value == 0).
int main(const struct nova_hip *hip, struct nova_utcb *utcb);
