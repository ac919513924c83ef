// SPDX-License-Identifier: MIT
// Resource transfer: delegation of memory, I/O ports and capabilities, and their revocation.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/crd.h"
#include "nova/status.h"
#include "nova/utcb.h"

struct pd;
struct kobj;
struct nova_utcb;

#define XFER_MEM_ORDER_MAX 18 // one item delegates at most 1 GiB of memory

void xfer_init(void);

// The first capability to a new object, a root of the mapping database.
enum nova_status xfer_new_cap(struct pd *pd, uint64_t sel, struct kobj *obj, uint32_t perms)
    __attribute__((warn_unused_result));
// Records memory (pages [vpn, vpn + 2^order), already mapped) or I/O ports the kernel gave pd.
enum nova_status xfer_grant(struct pd *pd, unsigned type, uint64_t base, unsigned order,
                            uint32_t perms) __attribute__((warn_unused_result));
// The typed items of the sender's UTCB into dst, within the windows of the receiver's UTCB;
// with report_items the receiver's UTCB tells what arrived. Every item is checked before any
// is performed; on failure nothing changed.
enum nova_status xfer_typed_items(struct pd *src, const struct nova_utcb *su, struct pd *dst,
                                  struct nova_utcb *du, bool report_items)
    __attribute__((warn_unused_result));

// Most messages carry no items: that case stays inline on the IPC path.
static inline __attribute__((warn_unused_result)) enum nova_status
xfer_items(struct pd *src, const struct nova_utcb *su, struct pd *dst, struct nova_utcb *du,
           bool report_items)
{
    if (su->head.typed)
        return xfer_typed_items(src, su, dst, du, report_items);
    if (report_items)
        du->head.typed = 0;
    return NOVA_OK;
}
// One range of src, described by crd, into dst at dest, without a receive window.
enum nova_status xfer_delegate(struct pd *src, nova_crd crd, uint64_t dest, struct pd *dst)
    __attribute__((warn_unused_result));
// Removes everything derived from pd's range, in every PD; with self pd's own range too.
void xfer_revoke(struct pd *pd, unsigned type, uint64_t base, unsigned order, bool self);
// pd goes away: everything it holds, and everything derived from it, is revoked.
void xfer_pd_teardown(struct pd *pd);
