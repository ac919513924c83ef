// SPDX-License-Identifier: MIT
// The root task's test scenarios, chosen by the "test=NAME" word of its command line.
#pragma once

#include "nova/hip.h"

// Each scenario reports problems through the checks of check.h.
void test_objects(const struct nova_hip *hip);
void test_badargs(const struct nova_hip *hip);
void test_fault(const struct nova_hip *hip);
