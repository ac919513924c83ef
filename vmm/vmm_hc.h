// SPDX-License-Identifier: MIT
// The VMM's paravirtual calls: VMMCALL with the request in RAX (macros only, for C and assembly).
#pragma once

// RAX = VMM_HC_PING: the VMM answers with RAX = VMM_HC_PONG.
#define VMM_HC_PING 0x1
#define VMM_HC_PONG 0x706e

// RAX = VMM_HC_DONE: the guest has finished its work; the VMM stops the VM.
#define VMM_HC_DONE 0x600d

// RAX = VMM_HC_BENCH, RBX = a measured figure, RCX = its index (below VMM_BENCH_MAX): the
// VMM records it and resumes the guest.
#define VMM_HC_BENCH  0xbe4c
#define VMM_BENCH_MAX 4

// RAX = VMM_HC_MARK, RBX = a mark: the VMM records it; the VM's hook may act on it (tests
// let the guest tell the root how far it got this way).
#define VMM_HC_MARK 0x3a7c
