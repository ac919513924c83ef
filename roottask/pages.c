// SPDX-License-Identifier: MIT
// The root task's page allocator: a bump pointer through the HIP's free memory regions.
#include "pages.h"
#include "nova-user/string.h"

static const struct nova_hip *hip;
static unsigned region; // the free region pages come from now
static uint64_t next;   // its next free physical address

void pages_init(const struct nova_hip *h)
{
    if (!hip)
        hip = h;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
    return (v + a - 1) & ~(a - 1);
}

// The pages at the bump pointer of the current region, if they fit there.
static uint64_t take(const struct nova_hip_mem *m, uint64_t size, uint64_t align)
{
    uint64_t base = align_up(next > m->base ? next : m->base, align);
    if (base == 0) // physical page 0 would read as "no memory"
        base = align;
    if (base < m->base || base + size > m->base + m->size)
        return 0;
    next = base + size;
    return base;
}

uint64_t pages_alloc_aligned(unsigned count, unsigned align)
{
    uint64_t size = count * PAGE_SIZE;
    for (; hip && region < hip->mem_count; region++, next = 0) {
        const struct nova_hip_mem *m = &hip->mem[region];
        uint64_t phys = m->type == NOVA_HIP_MEM_FREE ? take(m, size, align * PAGE_SIZE) : 0;
        if (phys) {
            memset(pages_virt(phys), 0, size);
            return phys;
        }
    }
    return 0;
}

uint64_t pages_alloc(unsigned count)
{
    return pages_alloc_aligned(count, 1);
}

void *pages_virt(uint64_t phys)
{
    return (void *)(uintptr_t)(hip->phys_window + phys);
}

uint64_t pages_vpn(uint64_t phys)
{
    return (hip->phys_window + phys) >> PAGE_SHIFT;
}
