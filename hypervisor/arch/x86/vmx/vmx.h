// SPDX-License-Identifier: MIT
// The Intel VMX backend of the vCPU interface.
#pragma once

#include <stdbool.h>

#include "kernel/vcpu.h"

bool vmx_usable(void);
extern const struct vcpu_ops vmx_ops;
