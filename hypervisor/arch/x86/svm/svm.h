// SPDX-License-Identifier: MIT
// The AMD SVM backend of the vCPU interface.
#pragma once

#include <stdbool.h>

#include "kernel/vcpu.h"

bool svm_usable(void);
extern const struct vcpu_ops svm_ops;
