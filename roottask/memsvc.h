// SPDX-License-Identifier: MIT
// The memory service: pages for programs on request, within their quota, taken back on death.
#pragma once

#include "programs.h"

// Takes back every allocation of p (its supervisor tears it down): aliases revoked, frames
// back in the pool, ledger empty, quota unused.
void memsvc_release_all(struct program *p);
