// SPDX-License-Identifier: MIT
// The memory and string functions shared with the kernel (memset, memcpy, strlen, ...).
#pragma once

// Reached by a relative path so that user code sees this one kernel header, not the others.
#include "../../../hypervisor/lib/string.h"
