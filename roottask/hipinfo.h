// SPDX-License-Identifier: MIT
// The root task's greeting: what the hypervisor information page says about the machine.
#pragma once

#include <stdbool.h>

#include "nova/hip.h"

// Prints the HIP; false if it is not a HIP at all (nothing else in it can be trusted then).
bool hip_print(const struct nova_hip *hip);
