// SPDX-License-Identifier: MIT
// User thread control block: the page through which an EC sends and receives messages.
#ifndef NOVA_UTCB_H
#define NOVA_UTCB_H

#include <stdint.h>

#include "nova/crd.h"

#define NOVA_UTCB_SIZE  4096
#define NOVA_UTCB_WORDS 504 // message words after the header

struct nova_utcb_head {
    uint32_t untyped;  // untyped words at msg[0, untyped)
    uint32_t typed;    // typed items after them: 2 words each, see struct nova_typed_item
    nova_crd recv_mem; // where delegated memory may land in this EC's PD
    nova_crd recv_io;  // which I/O ports may be delegated to this EC's PD
    nova_crd recv_obj; // where delegated capabilities may land
    uint64_t mtd;      // event messages: the state groups present; on reply, those written back
    uint64_t tls;      // free for the user runtime
    uint64_t reserved[2];
};

// A typed item delegates the sender's range crd to the receiver, at base dest (a page
// number for memory, a selector for objects; I/O ports keep their numbers).
struct nova_typed_item {
    nova_crd crd;
    uint64_t dest;
};

struct nova_utcb {
    struct nova_utcb_head head;
    uint64_t msg[NOVA_UTCB_WORDS];
};

// Event numbers, relative to an EC's event base: exceptions by vector, then these.
#define NOVA_EVT_STARTUP 32
#define NOVA_EVT_RECALL  33

// Message transfer descriptor: the groups of architectural state an event message carries
// (set in a portal at creation) and a reply writes back (set by the handler in head.mtd).
#define NOVA_MTD_GPR_ACDB  0x01u // rax, rcx, rdx, rbx
#define NOVA_MTD_GPR_BSD   0x02u // rbp, rsi, rdi
#define NOVA_MTD_RSP       0x04u
#define NOVA_MTD_RIP       0x08u
#define NOVA_MTD_RFLAGS    0x10u
#define NOVA_MTD_GPR_R8_15 0x20u
#define NOVA_MTD_QUAL      0x40u // vector, error code, fault address: read only
#define NOVA_MTD_ALL       0x7fu

// The layout of an event message in msg[]: every field is at its place whether or not
// its group is selected.
struct nova_evt_state {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t vector, error, fault_addr;
};

#define NOVA_EVT_WORDS (sizeof(struct nova_evt_state) / 8)

_Static_assert(sizeof(struct nova_utcb_head) == 64, "UTCB header layout");
_Static_assert(sizeof(struct nova_typed_item) == 16, "typed item layout");
_Static_assert(sizeof(struct nova_utcb) == NOVA_UTCB_SIZE, "UTCB is one page");
_Static_assert(sizeof(struct nova_evt_state) == 21 * 8, "event state layout");

#endif
