// SPDX-License-Identifier: MIT
// User thread control block: the page through which an EC sends and receives messages.
#ifndef NOVA_UTCB_H
#define NOVA_UTCB_H

#include <stdint.h>

#include "nova/crd.h"

#define NOVA_UTCB_SIZE  4096
#define NOVA_UTCB_WORDS 500 // message words after the header

struct nova_utcb_head {
    uint32_t untyped;    // number of untyped words in the message
    uint32_t typed;      // number of typed items (capability range descriptors)
    nova_crd recv_mem;   // receive window for memory delegations
    nova_crd recv_obj;   // receive window for object and I/O delegations
    uint64_t tls;        // free for the user runtime
    uint64_t reserved[4];
};

struct nova_utcb {
    struct nova_utcb_head head;
    uint64_t msg[NOVA_UTCB_WORDS];
    uint64_t pad[(NOVA_UTCB_SIZE - sizeof(struct nova_utcb_head)) / 8 - NOVA_UTCB_WORDS];
};

_Static_assert(sizeof(struct nova_utcb_head) == 64, "UTCB header layout");
_Static_assert(sizeof(struct nova_utcb) == NOVA_UTCB_SIZE, "UTCB is one page");

#endif
