// SPDX-License-Identifier: MIT
// The root task's test scenarios, chosen by the "test=NAME" word of its command line.
#pragma once

#include "nova/hip.h"

// Each scenario reports problems through the checks of check.h.
void test_objects(const struct nova_hip *hip);
void test_badargs(const struct nova_hip *hip);
void test_fault(const struct nova_hip *hip);
void test_pingpong(const struct nova_hip *hip);
void test_revoke(const struct nova_hip *hip);
void test_pager(const struct nova_hip *hip);
void test_badtyped(const struct nova_hip *hip);
void test_events(const struct nova_hip *hip);
void test_bench(const struct nova_hip *hip);
void test_eventutcb(const struct nova_hip *hip);
void test_system(const struct nova_hip *hip);

// Scheduling, timeouts, interrupts and SMP.
void test_cpus(const struct nova_hip *hip);
void test_rr(const struct nova_hip *hip);
void test_preempt(const struct nova_hip *hip);
void test_timeout(const struct nova_hip *hip);
void test_xcpu(const struct nova_hip *hip);
void test_irq(const struct nova_hip *hip);
void test_shootdown(const struct nova_hip *hip);
void test_bench5(const struct nova_hip *hip);
void test_vm(const struct nova_hip *hip);
void test_vm2(const struct nova_hip *hip);
void test_vmbad(const struct nova_hip *hip);
void test_vmbadstate(const struct nova_hip *hip);
void test_vmbench(const struct nova_hip *hip);
void test_vmrecall(const struct nova_hip *hip);
void test_vmwindow(const struct nova_hip *hip);
void test_vmquantum(const struct nova_hip *hip);
void test_vmrevoke(const struct nova_hip *hip);
void test_vminject(const struct nova_hip *hip);
