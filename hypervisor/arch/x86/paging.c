// SPDX-License-Identifier: MIT
// 4-level x86_64 page tables: map, look up and unmap pages in one address space.
#include "arch/x86/paging.h"
#include "mm/memory.h"

// PTE bits the CPU accepts: NX is a reserved bit, and faults, unless EFER.NXE is on.
static uint64_t pte_mask = ~PTE_NX;

void paging_enable_nx(void) { pte_mask = ~0ull; }

static unsigned index_at(uint64_t va, unsigned level) { return va >> (12 + 9 * level) & 0x1ff; }

// Intermediate entries grant everything; the leaf entry decides the access rights.
static uint64_t table_flags(uint64_t va)
{
    return va < USER_END ? PTE_P | PTE_W | PTE_U : PTE_P | PTE_W;
}

// The table at `level` (3 = PML4) covering va, creating missing ones when create is set.
static uint64_t *walk(uint64_t *pml4, uint64_t va, unsigned level, bool create)
{
    uint64_t *table = pml4;
    for (unsigned l = 3; l > level; l--) {
        uint64_t *e = &table[index_at(va, l)];
        if (*e & PTE_PS)
            return 0; // a large page is in the way
        if (!(*e & PTE_P)) {
            if (!create)
                return 0;
            void *next = page_alloc_zeroed();
            if (!next)
                return 0;
            *e = virt_to_phys(next) | table_flags(va);
        }
        table = phys_to_virt(*e & PTE_ADDR);
    }
    return table;
}

enum nova_status pt_map(uint64_t *pml4, uint64_t va, uint64_t pa, uint64_t flags, unsigned level)
{
    uint64_t *table = walk(pml4, va, level, true);
    if (!table)
        return NOVA_NO_MEM;
    table[index_at(va, level)] = ((pa & PTE_ADDR) | flags | PTE_P | (level ? PTE_PS : 0)) & pte_mask;
    return NOVA_OK;
}

uint64_t pt_lookup(const uint64_t *pml4, uint64_t va, unsigned *level)
{
    const uint64_t *table = pml4;
    for (unsigned l = 3;; l--) {
        uint64_t e = table[index_at(va, l)];
        if (!(e & PTE_P))
            return 0;
        if (l == 0 || (e & PTE_PS)) {
            if (level)
                *level = l;
            return e;
        }
        table = phys_to_virt(e & PTE_ADDR);
    }
}

uint64_t pt_unmap(uint64_t *pml4, uint64_t va)
{
    uint64_t *table = walk(pml4, va, 0, false);
    if (!table)
        return 0;
    uint64_t old = table[index_at(va, 0)];
    table[index_at(va, 0)] = 0;
    return old;
}

static void free_table(uint64_t *table, unsigned level)
{
    if (level > 0)
        for (unsigned i = 0; i < 512; i++)
            if ((table[i] & PTE_P) && !(table[i] & PTE_PS))
                free_table(phys_to_virt(table[i] & PTE_ADDR), level - 1);
    page_free(table);
}

void pt_free_user(uint64_t *pml4)
{
    for (unsigned i = 0; i < 256; i++)
        if (pml4[i] & PTE_P) {
            free_table(phys_to_virt(pml4[i] & PTE_ADDR), 2);
            pml4[i] = 0;
        }
}
