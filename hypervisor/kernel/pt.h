// SPDX-License-Identifier: MIT
// Portal: an entry point into a PD, bound to a local EC, with an id and a transfer descriptor.
#pragma once

#include <stdint.h>

#include "kernel/kobj.h"

struct ec;

struct pt {
    struct kobj obj;
    struct ec *ec; // the handler; holds a reference
    uint64_t id;   // set by pt_ctrl, delivered to the handler
    uint64_t mtd;  // which state an exception or VM exit transfers
    uint64_t ip;   // where the handler starts
};

void pt_cache_init(void);
enum nova_status pt_create(struct pt **out, struct ec *ec, uint64_t mtd, uint64_t ip)
    __attribute__((warn_unused_result));
