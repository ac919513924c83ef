// SPDX-License-Identifier: MIT
// Interrupts as semaphores: one semaphore per global system interrupt, routed by assign_gsi.
#include "kernel/gsi.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "kernel/cpus.h"
#include "kernel/pd.h"
#include "kernel/sm.h"
#include "kernel/xfer.h"
#include "nova/caps.h"
#include "nova/hypercall.h"

#define MSI_ADDRESS 0xfee00000ull

static struct sm *gsi_sm[GSI_MAX];

enum nova_status gsi_init(struct pd *root)
{
    for (unsigned g = 0; g < ioapic_gsi_count(); g++) {
        struct sm *sm;
        enum nova_status st = sm_create(&sm, 0);
        if (st != NOVA_OK)
            return st;
        sm->gsi = g;
        gsi_sm[g] = sm; // the kernel keeps the creator's reference for the interrupt path
        st = xfer_new_cap(root, NOVA_SEL_ROOT_GSI + g, &sm->obj, NOVA_PERM_SM_ALL);
        if (st != NOVA_OK)
            return st;
    }
    return NOVA_OK;
}

enum nova_status gsi_assign(struct sm *sm, unsigned cpu, unsigned flags, uint64_t *msi_addr,
                            uint64_t *msi_data)
{
    if (sm->gsi == SM_NO_GSI)
        return NOVA_BAD_CAP;
    if (flags & ~(NOVA_GSI_LEVEL | NOVA_GSI_ACTIVE_LOW))
        return NOVA_BAD_PAR;
    if (!cpu_online(cpu))
        return NOVA_BAD_CPU;
    unsigned apic = cpu_apic_id(cpu), vector = VEC_GSI_BASE + sm->gsi;
    sm->level = flags & NOVA_GSI_LEVEL;
    if (!ioapic_route(sm->gsi, apic, vector, sm->level, flags & NOVA_GSI_ACTIVE_LOW))
        return NOVA_BAD_DEV;
    sm->bound = true;
    sm_note_bound();
    *msi_addr = MSI_ADDRESS | (uint64_t)apic << 12;
    *msi_data = vector;
    return NOVA_OK;
}

void gsi_irq(unsigned vector)
{
    unsigned g = vector - VEC_GSI_BASE;
    struct sm *sm = g < GSI_MAX ? gsi_sm[g] : 0;
    if (sm && sm->level)
        ioapic_mask(g, true); // quiet until the driver's next down
    lapic_eoi();
    if (sm)
        sm_up(sm);
}

void gsi_unmask(unsigned gsi)
{
    if (gsi < GSI_MAX)
        ioapic_mask(gsi, false);
}
