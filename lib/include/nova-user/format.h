// SPDX-License-Identifier: MIT
// The printf engine shared with the kernel (fmt_vformat, fmt_snprintf, ...).
#pragma once

// Reached by a relative path so that user code sees this one kernel header, not the others.
#include "../../../hypervisor/lib/format.h"
