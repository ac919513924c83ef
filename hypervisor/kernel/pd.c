// SPDX-License-Identifier: MIT
// Protection domain: an object space, a memory space and an I/O-port space.
#include "kernel/pd.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "kernel/assert.h"
#include "kernel/kmem.h"
#include "kernel/tlb.h"
#include "kernel/xfer.h"
#include "lib/string.h"
#include "mm/memory.h"
#include "nova/crd.h"

// A PD carries its object space's root table, so it takes two pages rather than a slab slot.
#define PD_ORDER 1
_Static_assert(sizeof(struct pd) <= (4096 << PD_ORDER), "struct pd fits its allocation");

// EPT leaf bits; intermediate entries (P, W, U) read as read, write, execute.
#define EPT_W  0x2ull
#define EPT_X  0x4ull
#define EPT_WB (6ull << 3)

static unsigned next_id;

static bool active_here(const struct pd *pd) { return this_cpu()->active_pd == pd; }

static void pd_destroy(struct kobj *o)
{
    struct pd *pd = (struct pd *)o;
    if (active_here(pd)) { // its last EC ended on this CPU
        write_cr3(virt_to_phys(kernel_pml4()));
        this_cpu()->active_pd = 0;
    }
    assert(!(pd->cpus & ~(1ul << this_cpu()->id))); // a running EC would hold a reference
    xfer_pd_teardown(pd);
    tss_forget_io_bitmap(pd->io_bitmap);
    cap_space_destroy(&pd->caps);
    pt_free_user(pd->pml4);
    page_free(pd->pml4);
    if (pd->npt) {
        pt_free_user(pd->npt);
        page_free(pd->npt);
    }
    if (pd->io_bitmap)
        pages_free(pd->io_bitmap, 1);
    pages_free(pd, PD_ORDER);
}

enum nova_status pd_create(struct pd **out, const char *name)
{
    struct pd *pd = pages_alloc(PD_ORDER);
    uint64_t *pml4 = page_alloc_zeroed();
    if (!pd || !pml4) {
        if (pd)
            pages_free(pd, PD_ORDER);
        if (pml4)
            page_free(pml4);
        return NOVA_NO_MEM;
    }
    kobj_init(&pd->obj, NOVA_OBJ_PD, pd_destroy);
    pd->id = next_id++;
    for (unsigned i = 0; name[i] && i < sizeof(pd->name) - 1; i++)
        pd->name[i] = name[i];
    memcpy(pml4 + 256, kernel_pml4() + 256, 256 * sizeof(*pml4));
    pd->pml4 = pml4;
    pd->cr3 = virt_to_phys(pml4);
    struct cap_pages pages = {kmem_pages.alloc, kmem_pages.free, 0};
    cap_space_init(&pd->caps, &pages);
    mdb_space_init(&pd->mdb, pd);
    *out = pd;
    return NOVA_OK;
}

enum nova_status pd_grant_io(struct pd *pd, unsigned base, unsigned count)
{
    if (base + count > 65536)
        return NOVA_BAD_PAR;
    if (!pd->io_bitmap) {
        pd->io_bitmap = pages_alloc(1);
        if (!pd->io_bitmap)
            return NOVA_NO_MEM;
        memset(pd->io_bitmap, 0xff, IO_BITMAP_SIZE);
    }
    for (unsigned p = base; p < base + count; p++)
        pd->io_bitmap[p / 8] &= (uint8_t)~(1u << p % 8);
    tss_forget_io_bitmap(pd->io_bitmap);
    if (active_here(pd))
        tss_load_io_bitmap(pd->io_bitmap);
    return NOVA_OK;
}

void pd_revoke_io(struct pd *pd, unsigned base, unsigned count)
{
    if (!pd->io_bitmap)
        return;
    for (unsigned p = base; p < base + count && p < 65536; p++)
        pd->io_bitmap[p / 8] |= (uint8_t)(1u << p % 8);
    tss_forget_io_bitmap(pd->io_bitmap);
    if (active_here(pd))
        tss_load_io_bitmap(pd->io_bitmap);
    tlb_note_stale(pd->cpus); // other CPUs reload the bitmap with their flush
}

bool pd_is_mapped(const struct pd *pd, uint64_t va) { return pt_lookup(pd->pml4, va, 0) != 0; }

enum nova_status pd_map(struct pd *pd, uint64_t va, uint64_t pa, uint64_t pte_flags,
                        unsigned level)
{
    uint64_t size = level ? LARGE_SIZE : PAGE_SIZE;
    if (va & (size - 1) || !pt_is_user_range(va, size) || pd_is_mapped(pd, va))
        return NOVA_BAD_PAR;
    return pt_map(pd->pml4, va, pa, pte_flags | PTE_U, level);
}

void pd_unmap(struct pd *pd, uint64_t va)
{
    if (!pt_unmap(pd->pml4, va))
        return;
    if (active_here(pd))
        invlpg(va);
    tlb_note_stale(pd->cpus);
}

void pd_activate(struct pd *pd)
{
    struct percpu *cpu = this_cpu();
    struct pd *prev = cpu->active_pd;
    if (pd == prev)
        return;
    unsigned long bit = 1ul << cpu->id;
    if (prev)
        prev->cpus &= ~bit; // switching CR3 drops its translations here
    write_cr3(pd->cr3);
    tss_load_io_bitmap(pd->io_bitmap);
    pd->cpus |= bit;
    cpu->active_pd = pd;
}

enum nova_status pd_guest_space(struct pd *pd)
{
    if (!pd->npt)
        pd->npt = page_alloc_zeroed();
    return pd->npt ? NOVA_OK : NOVA_NO_MEM;
}

bool pd_guest_ept;

// Nested page entries are user entries and follow the host's paging mode (AMD APM Vol. 2,
// 15.25.5). The guest's TLB is flushed on every entry; a vCPU of this PD that runs on
// another CPU right now is made to exit by the shootdown of pd_unmap_guest.
enum nova_status pd_map_guest(struct pd *pd, uint64_t gpn, uint64_t pa, uint32_t perms)
{
    enum nova_status st = pd_guest_space(pd);
    if (st != NOVA_OK)
        return st;
    uint64_t flags = PTE_U | (perms & NOVA_CRD_MEM_W ? PTE_W : 0) | (perms & NOVA_CRD_MEM_X ? 0 : PTE_NX);
    // EPT: read (as PTE_P), write, execute, write-back memory type (Intel SDM Vol. 3, 29.3.2).
    if (pd_guest_ept)
        flags = (perms & NOVA_CRD_MEM_W ? EPT_W : 0) | (perms & NOVA_CRD_MEM_X ? EPT_X : 0) |
                EPT_WB;
    return pt_map(pd->npt, gpn << PAGE_SHIFT, pa, flags, 0);
}

bool pd_guest_mapped(const struct pd *pd, uint64_t gpn)
{
    return pd->npt && pt_lookup(pd->npt, gpn << PAGE_SHIFT, 0);
}

void pd_unmap_guest(struct pd *pd, uint64_t gpn)
{
    if (pd->npt && pt_unmap(pd->npt, gpn << PAGE_SHIFT))
        tlb_note_stale(pd->cpus); // its vCPUs run with this PD loaded
}
