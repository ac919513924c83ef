// SPDX-License-Identifier: MIT
// The root's free memory as a pool of page frames, and the aliases it hands frames out through.
#include "pool.h"
#include "check.h"
#include "frames.h"
#include "nova-user/console.h"
#include "nova-user/string.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ull
#define MEM_RWX    (NOVA_CRD_MEM_R | NOVA_CRD_MEM_W | NOVA_CRD_MEM_X)

static struct frames pool;
static uint64_t window_vpn; // the root's page number of physical page 0

void *pool_ptr(uint64_t ppn)
{
    return (void *)(uintptr_t)((window_vpn + ppn) << PAGE_SHIFT);
}

uint64_t pool_alias_vpn(uint64_t ppn)
{
    return (POOL_ALIAS >> PAGE_SHIFT) + ppn;
}

// Whole pages only: a partial page at either end may be shared with something else.
static bool region_pages(const struct nova_hip_mem *m, uint64_t *base, uint64_t *count)
{
    uint64_t lo = (m->base + PAGE_SIZE - 1) >> PAGE_SHIFT, hi = (m->base + m->size) >> PAGE_SHIFT;
    *base = lo;
    *count = hi > lo ? hi - lo : 0;
    return m->type == NOVA_HIP_MEM_FREE && *count > 0;
}

// The pages the bitmaps of all regions take, and the region big enough to hold them.
static bool bitmap_home(const struct nova_hip *hip, uint64_t *home, uint64_t *pages)
{
    uint64_t words = 0, base, count;
    for (unsigned i = 0; i < hip->mem_count && i < NOVA_HIP_MAX_MEM; i++)
        if (region_pages(&hip->mem[i], &base, &count))
            words += frames_bitmap_words(count);
    *pages = (words * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
    for (unsigned i = 0; i < hip->mem_count && i < NOVA_HIP_MAX_MEM; i++) {
        if (region_pages(&hip->mem[i], &base, &count) && count > *pages && base > 0) {
            *home = base;
            return true;
        }
    }
    return false;
}

bool pool_init(const struct nova_hip *hip)
{
    uint64_t home, pages, base, count;
    window_vpn = hip->phys_window >> PAGE_SHIFT;
    frames_init(&pool);
    if (!bitmap_home(hip, &home, &pages)) {
        con_printf("root: no free memory to manage\n");
        return false;
    }
    uint64_t *bits = pool_ptr(home);
    for (unsigned i = 0; i < hip->mem_count && i < NOVA_HIP_MAX_MEM; i++) {
        if (!region_pages(&hip->mem[i], &base, &count))
            continue;
        if (!frames_add(&pool, base, count, bits))
            con_printf("root: free memory at frame %#lx left out of the pool\n", base);
        else
            bits += frames_bitmap_words(count);
    }
    CHECK(frames_reserve(&pool, home, pages));
    frames_reserve(&pool, 0, 1); // page 0 cannot be delegated: it reads as "not mapped"
    return true;
}

bool pool_alloc(unsigned order, uint64_t *ppn)
{
    if (!frames_alloc(&pool, order, ppn))
        return false;
    memset(pool_ptr(*ppn), 0, PAGE_SIZE << order);
    return true;
}

void pool_free(uint64_t ppn, uint64_t count)
{
    CHECK(frames_free(&pool, ppn, count));
}

uint64_t pool_free_pages(void)
{
    return frames_free_count(&pool);
}

enum nova_status pool_alias(uint64_t ppn, unsigned order)
{
    nova_crd src = NOVA_CRD(NOVA_CRD_MEM, window_vpn + ppn, order, MEM_RWX);
    return nova_delegate(NOVA_SEL_ROOT_PD, src, pool_alias_vpn(ppn));
}

// Largest aligned blocks first, as a range is revoked block by block.
void pool_unalias(uint64_t ppn, uint64_t count)
{
    uint64_t vpn = pool_alias_vpn(ppn), left = count;
    while (left) {
        unsigned order = 63 - (unsigned)__builtin_clzll(left);
        if ((unsigned)__builtin_ctzll(vpn) < order)
            order = (unsigned)__builtin_ctzll(vpn);
        if (order > 31)
            order = 31;
        CHECK_STATUS(nova_revoke(NOVA_CRD(NOVA_CRD_MEM, vpn, order, 0x1f), true), NOVA_OK);
        vpn += 1ull << order;
        left -= 1ull << order;
    }
}
