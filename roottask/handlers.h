// SPDX-License-Identifier: MIT
// Handler ECs for programs: local ECs and portals the root creates in a program's PD.
#pragma once

#include "nova/utcb.h"
#include "nova-user/services.h"
#include "programs.h"

/*
 * A program cannot create ECs or portals itself (its PD capability allows semaphores
 * only): their capabilities in its own object space would keep its PD alive after the root
 * revoked everything it handed out, and a client calling such a portal would wait for ever.
 * Created by the root, they sit in the program's selector block and go with the teardown;
 * a client in a call to them gets ABORTED.
 */
enum svc_status handlers_create(struct program *p, const struct nova_utcb *u, uint64_t *kernel_st);
