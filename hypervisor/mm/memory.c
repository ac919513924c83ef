// SPDX-License-Identifier: MIT
// Physical memory of the kernel: the page allocator, the direct map, the kernel address space.
#include "mm/memory.h"
#include "arch/x86/cpu.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/paging.h"
#include "boot/multiboot.h"
#include "kernel/assert.h"
#include "kernel/printk.h"
#include "lib/string.h"
#include "mm/buddy.h"

extern char _text_start[], _rodata_start[], _data_start[], _kernel_end[];

#define MAX_RANGES     32
#define POOL_PIECE_MIN 0x100000 // smaller gaps between modules are not worth a range

struct ranges {
    unsigned n;
    struct phys_range r[MAX_RANGES];
};

static struct buddy buddy;
static uint64_t top;      // end of the highest usable RAM
static uint64_t dmap_off; // KERNEL_VMA while on the boot tables, DMAP_BASE after
static uint64_t *kpml4;
static struct ranges kept; // never handed out: image, modules, real-mode area
static struct ranges pool; // the kernel's own memory, managed by the buddy allocator
static const struct boot_info *boot;
static uint64_t meta_phys; // the buddy allocator's metadata

void *phys_to_virt(uint64_t phys) { return (void *)(phys + dmap_off); }

uint64_t virt_to_phys(const void *virt)
{
    uint64_t v = (uint64_t)virt;
    return v >= KERNEL_VMA ? v - KERNEL_VMA : v - dmap_off;
}

void *pages_alloc(unsigned order)
{
    uint64_t pfn = buddy_alloc(&buddy, order);
    if (pfn == BUDDY_NONE)
        return 0;
    void *p = phys_to_virt(pfn << PAGE_SHIFT);
    memset(p, 0, PAGE_SIZE << order);
    return p;
}

void pages_free(void *pages, unsigned order)
{
    bool ok = buddy_free(&buddy, virt_to_phys(pages) >> PAGE_SHIFT, order);
    assert(ok);
}

void *page_alloc_zeroed(void) { return pages_alloc(0); }
void page_free(void *page) { pages_free(page, 0); }
uint64_t memory_free_pages(void) { return buddy_free_pages(&buddy); }
uint64_t mem_top(void) { return top; }
uint64_t *kernel_pml4(void) { return kpml4; }

static uint64_t align_up(uint64_t v) { return (v + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1); }

static void add_range(struct ranges *rs, uint64_t base, uint64_t end)
{
    if (rs->n == MAX_RANGES)
        panic("memory: more than %u ranges", MAX_RANGES);
    rs->r[rs->n++] = (struct phys_range){base, end};
}

typedef void (*range_fn)(void *ctx, uint64_t base, uint64_t end);

// Calls fn for the page-aligned pieces of [base, end) outside every range of rs[0..nrs).
static void subtract(uint64_t base, uint64_t end, const struct ranges *const *rs, unsigned nrs,
                     range_fn fn, void *ctx)
{
    for (unsigned k = 0; k < nrs; k++)
        for (unsigned i = 0; i < rs[k]->n && base < end; i++) {
            const struct phys_range *r = &rs[k]->r[i];
            if (r->end <= base || r->base >= end)
                continue;
            subtract(base, r->base, rs, nrs, fn, ctx);
            base = r->end;
        }
    base = align_up(base);
    end &= ~(PAGE_SIZE - 1);
    if (base < end)
        fn(ctx, base, end);
}

static void for_each_usable(const struct ranges *const *rs, unsigned nrs, range_fn fn, void *ctx)
{
    for (unsigned i = 0; i < boot->mem_count; i++) {
        const struct boot_mem *m = &boot->mem[i];
        if (m->type == BOOT_MEM_USABLE)
            subtract(m->base, m->base + m->size, rs, nrs, fn, ctx);
    }
}

// Takes pieces for the kernel pool, lowest first and inside the boot mapping, until enough.
static void take_pool(void *ctx, uint64_t base, uint64_t end)
{
    uint64_t *want = ctx;
    if (end > BOOT_MAP_SIZE)
        end = BOOT_MAP_SIZE;
    if (!*want || base >= end || end - base < POOL_PIECE_MIN)
        return;
    if (end - base > *want)
        end = base + *want;
    add_range(&pool, base, end);
    *want -= end - base;
}

static void give_pool(void *ctx, uint64_t base, uint64_t end)
{
    (void)ctx;
    buddy_add_free(&buddy, base >> PAGE_SHIFT, (end - base) >> PAGE_SHIFT);
}

// The buddy allocator's metadata sits at the start of the pool; the rest becomes free pages.
static void init_pool(uint64_t pool_bytes)
{
    const struct ranges *k[] = {&kept};
    uint64_t want = pool_bytes;
    for_each_usable(k, 1, take_pool, &want);
    if (!pool.n || want)
        panic("memory: cannot find %lu MiB for the kernel below %u MiB", pool_bytes >> 20,
              (unsigned)(BOOT_MAP_SIZE >> 20));
    uint64_t lo = pool.r[0].base, hi = pool.r[pool.n - 1].end;
    uint64_t npages = (hi - lo) >> PAGE_SHIFT;
    uint64_t msize = align_up(buddy_meta_size(npages));
    unsigned m = 0;
    while (m < pool.n && pool.r[m].end - pool.r[m].base < 2 * msize)
        m++;
    if (m == pool.n)
        panic("memory: no kernel memory range holds the allocator's %lu KiB", msize >> 10);
    buddy_init(&buddy, lo >> PAGE_SHIFT, npages, phys_to_virt(pool.r[m].base));
    meta_phys = pool.r[m].base;
    pool.r[m].base += msize;
    for (unsigned i = 0; i < pool.n; i++)
        give_pool(0, pool.r[i].base, pool.r[i].end);
    pool.r[m].base -= msize;
}

static void map_or_panic(uint64_t va, uint64_t pa, uint64_t flags, unsigned level)
{
    if (pt_map(kpml4, va, pa, flags, level) != NOVA_OK)
        panic("memory: out of memory while building the kernel page tables");
}

// The kernel image with 4 KiB pages: text read-only and executable, the rest never executable.
static void map_image(void)
{
    for (uint64_t va = (uint64_t)_text_start; va < (uint64_t)_kernel_end; va += PAGE_SIZE) {
        uint64_t flags = PTE_G;
        if (va >= (uint64_t)_rodata_start)
            flags |= PTE_NX;
        if (va >= (uint64_t)_data_start)
            flags |= PTE_W;
        map_or_panic(va, va - KERNEL_VMA, flags, 0);
    }
}

static void build_kernel_space(void)
{
    kpml4 = page_alloc_zeroed();
    if (!kpml4)
        panic("memory: no page for the kernel page table");
    for (uint64_t pa = 0; pa < top; pa += LARGE_SIZE)
        map_or_panic(DMAP_BASE + pa, pa, PTE_W | PTE_G | PTE_NX, 1);
    map_image();
    // Every PD copies the upper half of the PML4: all its entries exist from now on, so
    // later kernel mappings reach every address space.
    for (unsigned i = 256; i < 512; i++)
        if (!(kpml4[i] & PTE_P)) {
            void *t = page_alloc_zeroed();
            if (!t)
                panic("memory: no page for the kernel page tables");
            kpml4[i] = virt_to_phys(t) | PTE_P | PTE_W;
        }
}

void memory_init(const struct boot_info *bi, const struct phys_range *keep, unsigned nkeep,
                 uint64_t pool_bytes)
{
    boot = bi;
    dmap_off = KERNEL_VMA;
    add_range(&kept, 0, 0x100000); // real-mode area, for starting other CPUs later
    for (unsigned i = 0; i < nkeep; i++)
        add_range(&kept, keep[i].base, keep[i].end);
    for (unsigned i = 0; i < bi->mem_count; i++)
        if (bi->mem[i].type == BOOT_MEM_USABLE && bi->mem[i].base + bi->mem[i].size > top)
            top = bi->mem[i].base + bi->mem[i].size;
    top = (top + LARGE_SIZE - 1) & ~(LARGE_SIZE - 1);
    init_pool(pool_bytes);
    build_kernel_space();
    uint64_t kpml4_phys = virt_to_phys(kpml4);
    write_cr4(read_cr4() | CR4_PGE);
    write_cr3(kpml4_phys);
    dmap_off = DMAP_BASE;
    // Pointers into the boot window now go through the direct map instead.
    kpml4 = phys_to_virt(kpml4_phys);
    buddy.frames = phys_to_virt(meta_phys);
}

void memory_for_each_root_range(range_fn fn, void *ctx)
{
    const struct ranges *rs[] = {&kept, &pool};
    for_each_usable(rs, 2, fn, ctx);
}

void memory_for_each_pool_range(range_fn fn, void *ctx)
{
    for (unsigned i = 0; i < pool.n; i++)
        fn(ctx, pool.r[i].base, pool.r[i].end);
}
