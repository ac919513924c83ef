// SPDX-License-Identifier: MIT
// Creates the root PD from the first boot module and makes its EC ready to run.
#include "kernel/root.h"
#include "arch/x86/paging.h"
#include "boot/multiboot.h"
#include "kernel/ec.h"
#include "kernel/hip.h"
#include "kernel/pd.h"
#include "kernel/printk.h"
#include "kernel/sc.h"
#include "arch/x86/tsc.h"
#include "kernel/xfer.h"
#include "lib/elf.h"
#include "lib/string.h"
#include "mm/memory.h"
#include "nova/caps.h"
#include "nova/crd.h"
#include "nova/hip.h"

#define ROOT_PRIO       32
#define ROOT_QUANTUM_US 10000

static struct pd *root;

struct pd *root_pd(void) { return root; }

static uint64_t min(uint64_t a, uint64_t b) { return a < b ? a : b; }

// One page of a segment: the file bytes that fall into it, zeros elsewhere.
static const char *load_page(const uint8_t *img, const struct elf_segment *s, uint64_t va)
{
    uint8_t *page = page_alloc_zeroed();
    if (!page)
        return "out of memory";
    uint64_t lo = va > s->vaddr ? va : s->vaddr;
    uint64_t hi = min(va + PAGE_SIZE, s->vaddr + s->filesz);
    if (lo < hi)
        memcpy(page + (lo - va), img + s->offset + (lo - s->vaddr), hi - lo);
    uint64_t flags = (s->write ? PTE_W : 0) | (s->exec ? 0 : PTE_NX);
    if (pd_map(root, va, virt_to_phys(page), flags, 0) != NOVA_OK) {
        page_free(page);
        return "out of memory";
    }
    uint32_t perms = NOVA_CRD_MEM_R | (s->write ? NOVA_CRD_MEM_W : 0) | (s->exec ? NOVA_CRD_MEM_X : 0);
    return xfer_grant(root, NOVA_CRD_MEM, va >> PAGE_SHIFT, 0, perms) == NOVA_OK ? 0 : "out of memory";
}

static const char *load_image(const uint8_t *img, uint64_t size, uint64_t *entry)
{
    struct elf_image elf;
    const char *err = elf_parse(img, size, ROOT_PHYS_WINDOW, &elf);
    for (unsigned i = 0; !err && i < elf.count; i++) {
        const struct elf_segment *s = &elf.seg[i];
        uint64_t end = s->vaddr + s->memsz;
        for (uint64_t va = s->vaddr & ~(PAGE_SIZE - 1); !err && va < end; va += PAGE_SIZE)
            err = load_page(img, s, va);
    }
    *entry = elf.entry;
    return err;
}

static const char *map_fixed(uint64_t va, void *page, uint64_t flags)
{
    if (!page)
        return "out of memory";
    return pd_map(root, va, virt_to_phys(page), flags, 0) == NOVA_OK ? 0 : "out of memory";
}

static const char *map_stack_and_hip(struct nova_hip *hip)
{
    const char *err = 0;
    for (unsigned i = 1; !err && i <= NOVA_ROOT_STACK_PAGES; i++) {
        uint64_t va = NOVA_ROOT_STACK - i * PAGE_SIZE;
        err = map_fixed(va, page_alloc_zeroed(), PTE_W | PTE_NX);
        if (!err && xfer_grant(root, NOVA_CRD_MEM, va >> PAGE_SHIFT, 0,
                               NOVA_CRD_MEM_R | NOVA_CRD_MEM_W) != NOVA_OK)
            err = "out of memory";
    }
    return err ? err : map_fixed(NOVA_ROOT_HIP, hip, PTE_NX);
}

// The root task may delegate its memory onwards: one mapping-database node per naturally
// aligned block of [va, va + size).
static const char *grant_blocks(uint64_t va, uint64_t size)
{
    uint64_t vpn = va >> PAGE_SHIFT, left = size >> PAGE_SHIFT;
    while (left) {
        unsigned order = 63 - __builtin_clzll(left);
        if (vpn && (unsigned)__builtin_ctzll(vpn) < order)
            order = __builtin_ctzll(vpn);
        if (xfer_grant(root, NOVA_CRD_MEM, vpn, order, NOVA_CRD_MEM_R | NOVA_CRD_MEM_W | NOVA_CRD_MEM_X) != NOVA_OK)
            return "out of memory for the mapping database";
        vpn += 1ull << order, left -= 1ull << order;
    }
    return 0;
}

// Maps [base, end) at ROOT_PHYS_WINDOW + base, with 2 MiB pages where alignment allows.
static void map_window(void *ctx, uint64_t base, uint64_t end)
{
    const char **err = ctx;
    if (!*err)
        *err = grant_blocks(ROOT_PHYS_WINDOW + base, end - base);
    while (!*err && base < end) {
        bool large = !(base & (LARGE_SIZE - 1)) && end - base >= LARGE_SIZE;
        if (pd_map(root, ROOT_PHYS_WINDOW + base, base, PTE_W | PTE_NX, large) != NOVA_OK)
            *err = "out of memory for the root task's page tables";
        base += large ? LARGE_SIZE : PAGE_SIZE;
    }
}

static void give_memory(void *ctx, uint64_t base, uint64_t end)
{
    struct nova_hip *hip = ((void **)ctx)[0];
    const char **err = ((void **)ctx)[1];
    if (!hip_add_mem(hip, base, end - base, NOVA_HIP_MEM_FREE)) {
        printk("root: HIP memory table full; %lu KiB at %#lx left out\n", (end - base) >> 10,
               base);
        return;
    }
    map_window(err, base, end);
}

static void note_pool(void *ctx, uint64_t base, uint64_t end)
{
    hip_add_mem(ctx, base, end - base, NOVA_HIP_MEM_KERNEL);
}

static const char *give_modules(const struct boot_info *bi)
{
    const char *err = 0;
    for (unsigned i = 0; i < bi->mod_count && !err; i++)
        map_window(&err, bi->mod[i].start & ~(PAGE_SIZE - 1), bi->mod[i].end);
    return err;
}

static const char *make_root_objects(uint64_t entry)
{
    struct ec *ec;
    struct sc *sc;
    if (ec_create(&ec, root, true, 0, NOVA_ROOT_UTCB, NOVA_ROOT_STACK, entry, 0) != NOVA_OK)
        return "out of memory";
    ec->regs.rdi = NOVA_ROOT_HIP;
    ec->regs.rsi = NOVA_ROOT_UTCB;
    if (sc_create(&sc, ec, ROOT_PRIO, ROOT_QUANTUM_US * tsc_khz() / 1000) != NOVA_OK)
        return "out of memory";
    bool ok = xfer_new_cap(root, NOVA_SEL_ROOT_PD, &root->obj, NOVA_PERM_PD_ALL) == NOVA_OK &&
              xfer_new_cap(root, NOVA_SEL_ROOT_EC, &ec->obj, NOVA_PERM_EC_ALL) == NOVA_OK &&
              xfer_new_cap(root, NOVA_SEL_ROOT_SC, &sc->obj, NOVA_PERM_SC_ALL) == NOVA_OK;
    kobj_put(&sc->obj);
    kobj_put(&ec->obj);
    return ok ? 0 : "out of memory";
}

const char *root_create(const struct boot_info *bi, struct nova_hip *hip)
{
    if (!bi->mod_count)
        return "no boot module: the first module must be the root task";
    const struct boot_module *m = &bi->mod[0];
    uint64_t entry;
    if (pd_create(&root, "root") != NOVA_OK || xfer_grant(root, NOVA_CRD_IO, 0, 16, 1) != NOVA_OK)
        return "out of memory";
    const char *err = load_image(phys_to_virt(m->start), m->end - m->start, &entry);
    if (!err)
        err = map_stack_and_hip(hip);
    memory_for_each_pool_range(note_pool, hip);
    void *ctx[2] = {hip, &err};
    if (!err)
        memory_for_each_root_range(give_memory, ctx);
    if (!err)
        err = give_modules(bi);
    hip->phys_window = ROOT_PHYS_WINDOW;
    if (!err)
        err = make_root_objects(entry);
    kobj_put(&root->obj); // the root PD now lives through its capabilities and its EC
    return err;
}
