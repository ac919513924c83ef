// SPDX-License-Identifier: MIT
// Portal calls and replies, message transfer, and events delivered as calls.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/status.h"

struct ec;
struct pt;
struct cpu_regs;

// The current EC calls pt. NOVA_OK means the call is under way (or queued): the caller's
// status is written when it resumes. Other values fail the call at once.
enum nova_status ipc_call(struct ec *caller, struct pt *pt);
// The current EC replies to its caller; returns only on error.
enum nova_status ipc_reply(struct ec *handler);
// Delivers exception `vector` of ec (the current EC) to its event portal; false if there
// is none, and the caller ends the EC.
bool ipc_exception(struct ec *ec, const struct cpu_regs *r);
// Delivers VM exit evt of the vCPU ec to its portal; false if there is none.
bool ipc_vcpu_event(struct ec *ec, unsigned evt);
// Delivers one pending start-up or recall event of ec; false when nothing changed.
bool ipc_deliver_pending(struct ec *ec);
// ec is going away or ended: callers and waiters it leaves behind are released.
void ipc_detach(struct ec *ec);
