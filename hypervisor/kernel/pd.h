// SPDX-License-Identifier: MIT
// Protection domain: an object space, a memory space and an I/O-port space.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "kernel/capspace.h"
#include "kernel/kobj.h"
#include "kernel/mdb.h"

#define IO_BITMAP_SIZE 8192 // one bit per port, set = denied (Intel SDM Vol. 1, 19.5.2)

struct pd {
    struct kobj obj;
    unsigned id;
    char name[16];
    uint64_t *pml4;    // memory space: the user half is this PD's, the upper half the kernel's
    uint64_t cr3;      // physical address of pml4
    uint64_t *npt;     // guest-physical space (nested page table), once the PD has a guest
    uint8_t *io_bitmap; // NULL: no I/O ports
    unsigned long cpus; // CPUs that have this PD's page table loaded
    struct mdb_space mdb; // what this PD holds, and from whom it was derived
    struct cap_space caps;
};

enum nova_status pd_create(struct pd **out, const char *name) __attribute__((warn_unused_result));
// Grants the PD the I/O ports [base, base + count).
enum nova_status pd_grant_io(struct pd *pd, unsigned base, unsigned count)
    __attribute__((warn_unused_result));
// Takes the I/O ports [base, base + count) away again.
void pd_revoke_io(struct pd *pd, unsigned base, unsigned count);
// Maps one user page; NOVA_BAD_PAR when va is taken or not user space, NOVA_NO_MEM.
enum nova_status pd_map(struct pd *pd, uint64_t va, uint64_t pa, uint64_t pte_flags,
                        unsigned level) __attribute__((warn_unused_result));
bool pd_is_mapped(const struct pd *pd, uint64_t va);
// The guest-physical space: created on demand; pages mapped by guest page number.
enum nova_status pd_guest_space(struct pd *pd) __attribute__((warn_unused_result));
enum nova_status pd_map_guest(struct pd *pd, uint64_t gpn, uint64_t pa, uint32_t perms)
    __attribute__((warn_unused_result));
// Set by the VMX backend: guest-physical spaces use EPT entries instead of nested page entries.
extern bool pd_guest_ept;
bool pd_guest_mapped(const struct pd *pd, uint64_t gpn);
void pd_unmap_guest(struct pd *pd, uint64_t gpn);
void pd_unmap(struct pd *pd, uint64_t va);
// Makes pd's memory and I/O space the current ones on this CPU.
void pd_activate(struct pd *pd);
