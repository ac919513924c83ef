// SPDX-License-Identifier: MIT
// Client of the root's memory service: a bump pointer through the heap window.
#include "nova-user/mem.h"
#include "nova-user/hypercall.h"
#include "nova-user/program.h"

#define PAGE_SHIFT 12

// Heap addresses are never reused: the window is 4 TiB, far more than any quota.
static uint64_t next_vpn = NOVA_PROG_HEAP >> PAGE_SHIFT;

// The largest block the service delegates for pages: the alignment the address needs.
static uint64_t block_pages(uint64_t pages)
{
    uint64_t b = 1;
    while (b * 2 <= pages && b < (1ull << MEM_MAX_ORDER))
        b *= 2;
    return b;
}

static enum svc_status call_mem(struct nova_utcb *u, unsigned words)
{
    u->head.untyped = words;
    u->head.typed = 0;
    if (nova_call(NOVA_PROG_SEL_MEM) != NOVA_OK)
        return SVC_BAD_OP;
    return (enum svc_status)u->msg[0];
}

enum svc_status mem_alloc(uint64_t pages, uint64_t *addr)
{
    struct nova_utcb *u = prog_utcb();
    uint64_t align = block_pages(pages);
    uint64_t vpn = (next_vpn + align - 1) & ~(align - 1);
    if (!pages)
        return SVC_BAD_ARG;
    u->head.recv_mem =
        NOVA_CRD(NOVA_CRD_MEM, NOVA_PROG_HEAP >> PAGE_SHIFT, NOVA_PROG_HEAP_ORDER, 0);
    u->msg[0] = MEM_ALLOC;
    u->msg[1] = pages;
    u->msg[2] = vpn << PAGE_SHIFT;
    enum svc_status st = call_mem(u, 3);
    u->head.recv_mem = 0; // nothing else may map memory into us behind our back
    if (st == SVC_OK) {
        next_vpn = vpn + pages;
        *addr = vpn << PAGE_SHIFT;
    }
    return st;
}

enum svc_status mem_free(uint64_t addr, uint64_t pages)
{
    struct nova_utcb *u = prog_utcb();
    u->msg[0] = MEM_FREE;
    u->msg[1] = addr;
    u->msg[2] = pages;
    return call_mem(u, 3);
}

enum svc_status mem_info(uint64_t *quota_pages, uint64_t *held_pages)
{
    struct nova_utcb *u = prog_utcb();
    u->msg[0] = MEM_INFO;
    enum svc_status st = call_mem(u, 1);
    if (st == SVC_OK) {
        *quota_pages = u->msg[1];
        *held_pages = u->msg[2];
    }
    return st;
}
