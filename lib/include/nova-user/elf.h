// SPDX-License-Identifier: MIT
// The kernel's ELF validator (elf_parse), shared with the root task's program loader.
#pragma once

// Reached by a relative path so that user code sees this one kernel header, not the others.
#include "../../../hypervisor/lib/elf.h"
