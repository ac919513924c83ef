// SPDX-License-Identifier: MIT
// The program loader: ELF image, stack, start info and objects of a new program PD.
#include "loader.h"
#include "check.h"
#include "modules.h"
#include "nova-user/console.h"
#include "nova-user/elf.h"
#include "nova-user/start_info.h"
#include "nova-user/string.h"
#include "pool.h"
#include "service.h"

#define PAGE_SHIFT 12
#define PAGE_SIZE  4096ull
#define COM1       0x3f8
#define COM1_LAST  0x3ff
#define MEM_R      NOVA_CRD_MEM_R
#define MEM_RW     (NOVA_CRD_MEM_R | NOVA_CRD_MEM_W)
#define MEM_RX     (NOVA_CRD_MEM_R | NOVA_CRD_MEM_X)

// A program may make semaphores in its own PD. Its ECs and portals the root makes for it
// (handlers.h), so that they go with it; it makes no scheduling contexts (its priority is
// the configuration's) and no child PDs.
#define PROG_PD_PERMS NOVA_PERM_PD_SM

extern const char park_stub_start[], park_stub_end[];
_Static_assert(NOVA_HC_SM_CTRL == 12 && NOVA_SM_DOWN == 1 && NOVA_PROG_SEL_PARK == 6,
               "park_stub.S encodes these numbers");

static bool fail(const struct program *p, const char *what)
{
    con_printf("root: program %s: %s\n", p->cfg->name, what);
    return false;
}

static bool fail_status(const struct program *p, const char *what, enum nova_status st)
{
    con_printf("root: program %s: %s: %s\n", p->cfg->name, what, status_name(st));
    return false;
}

/*
 * A fresh zeroed frame with n bytes of src at offset off, delegated to p at va through its
 * alias. The frame enters the ledger first, so that loader_release finds it whatever step
 * fails (revoking an alias that was never made skips an empty range).
 */
static bool give_page(struct program *p, uint64_t va, unsigned perms, const void *src, size_t off,
                      size_t n)
{
    uint64_t ppn;
    if (!pool_alloc(0, &ppn))
        return fail(p, "out of memory");
    memcpy((char *)pool_ptr(ppn) + off, src, n);
    if (!ledger_add(&p->image, ppn, 1)) {
        pool_free(ppn, 1);
        return fail(p, "its pages are too scattered for the ledger");
    }
    enum nova_status st = pool_alias(ppn, 0);
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, pool_alias_vpn(ppn), 0, perms);
    if (st == NOVA_OK)
        st = nova_delegate(prog_sel(p, PSEL_PD), crd, va >> PAGE_SHIFT);
    return st == NOVA_OK || fail_status(p, "delegating a page", st);
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
    return a < b ? a : b;
}

// Page by page: the file bytes that fall into each page, zeros elsewhere (.bss).
static bool load_segment(struct program *p, const struct module *m, const struct elf_segment *s)
{
    unsigned perms = MEM_R | (s->write ? NOVA_CRD_MEM_W : 0) | (s->exec ? NOVA_CRD_MEM_X : 0);
    for (uint64_t va = s->vaddr & ~(PAGE_SIZE - 1); va < s->vaddr + s->memsz; va += PAGE_SIZE) {
        uint64_t lo = va > s->vaddr ? va : s->vaddr;
        uint64_t hi = min_u64(va + PAGE_SIZE, s->vaddr + s->filesz);
        const char *src = (const char *)m->data + s->offset + (lo - s->vaddr);
        if (!give_page(p, va, perms, src, lo - va, lo < hi ? hi - lo : 0))
            return false;
    }
    return true;
}

static void fill_info(const struct program *p, struct nova_start_info *si)
{
    const struct cfg_program *c = p->cfg;
    *si = (struct nova_start_info){
        .magic = NOVA_START_MAGIC,
        .pd = NOVA_PROG_SEL_PD,
        .ec = NOVA_PROG_SEL_EC,
        .sc = NOVA_PROG_SEL_SC,
        .mem_portal = NOVA_PROG_SEL_MEM,
        .name_portal = NOVA_PROG_SEL_NAMES,
        .sys_portal = NOVA_PROG_SEL_SYS,
        .park_sm = NOVA_PROG_SEL_PARK,
        .console_sm = NOVA_PROG_SEL_CONSOLE,
        .evt_base = NOVA_PROG_SEL_EVT_BASE,
        .free_sel = NOVA_PROG_SEL_FREE,
        .name_landing = prog_landing(p),
        .name_landing_count = c->provides_count,
        .quota_pages = p->quota.limit,
        .cpu = c->cpu,
        .tsc_khz = system_hip->tsc_khz,
        .heap = NOVA_PROG_HEAP,
        .heap_order = NOVA_PROG_HEAP_ORDER,
        .utcb = NOVA_PROG_UTCB,
        .stack_top = NOVA_PROG_STACK_TOP,
        .restarts = p->restarts,
        .irq_count = c->irq_count,
    };
    for (unsigned i = 0; i < c->irq_count && i < NOVA_PROG_IRQ_MAX; i++)
        si->irq[i] = c->irq[i];
    memcpy(si->name, c->name,
           sizeof(c->name) < NOVA_START_NAME ? sizeof(c->name) : NOVA_START_NAME);
    memcpy(si->args, c->args,
           sizeof(c->args) < NOVA_START_ARGS ? sizeof(c->args) : NOVA_START_ARGS);
    si->name[NOVA_START_NAME - 1] = si->args[NOVA_START_ARGS - 1] = 0;
}

// The image, a stack below a guard page, the start info, and the park stub.
static bool give_memory(struct program *p, const struct module *m, const struct elf_image *img)
{
    static struct nova_start_info si; // under the lock: one start at a time
    for (unsigned i = 0; i < img->count; i++)
        if (!load_segment(p, m, &img->seg[i]))
            return false;
    for (unsigned i = 1; i <= NOVA_PROG_STACK_PAGES; i++)
        if (!give_page(p, NOVA_PROG_STACK_TOP - i * PAGE_SIZE, MEM_RW, "", 0, 0))
            return false;
    fill_info(p, &si);
    return give_page(p, NOVA_PROG_INFO, MEM_R, &si, 0, sizeof(si)) &&
           give_page(p, NOVA_PROG_PARK_STUB, MEM_RX, park_stub_start, 0,
                     (size_t)(park_stub_end - park_stub_start));
}

// Ports [base, last] as naturally aligned blocks (I/O ports keep their numbers).
static bool give_ports(struct program *p, uint64_t base, uint64_t last)
{
    for (uint64_t port = base; port <= last;) {
        unsigned order = 63 - (unsigned)__builtin_clzll(last - port + 1);
        if (port && (unsigned)__builtin_ctzll(port) < order)
            order = (unsigned)__builtin_ctzll(port);
        nova_crd crd = NOVA_CRD(NOVA_CRD_IO, port, order, 1);
        enum nova_status st = nova_delegate(prog_sel(p, PSEL_PD), crd, 0);
        if (st != NOVA_OK)
            return fail_status(p, "delegating I/O ports", st);
        port += 1ull << order;
    }
    return true;
}

static bool overlaps_console(const struct cfg_program *c)
{
    for (unsigned i = 0; i < c->io_count; i++)
        if (c->io[i].base <= COM1_LAST && c->io[i].last >= COM1)
            return true;
    return false;
}

// The console (COM1) for con_printf, until a console server exists, unless ioports= claims
// the UART itself; then the ports of ioports=.
static bool give_io(struct program *p)
{
    const struct cfg_program *c = p->cfg;
    bool ok = overlaps_console(c) || give_ports(p, COM1, COM1_LAST);
    for (unsigned i = 0; ok && i < c->io_count; i++)
        ok = give_ports(p, c->io[i].base, c->io[i].last);
    return ok;
}

// The semaphores of the GSIs of irqs=, to wait on and to route with assign_gsi.
static bool give_irqs(struct program *p)
{
    const struct cfg_program *c = p->cfg;
    for (unsigned i = 0; i < c->irq_count && i < NOVA_PROG_IRQ_MAX; i++) {
        if (c->irq[i] >= system_hip->gsi_count) {
            con_printf("root: program %s: no GSI %u\n", c->name, c->irq[i]);
            return false;
        }
        nova_crd crd = NOVA_CRD(NOVA_CRD_OBJ, NOVA_SEL_ROOT_GSI + c->irq[i], 0, NOVA_PERM_SM_DOWN);
        enum nova_status st = nova_delegate(prog_sel(p, PSEL_PD), crd, NOVA_PROG_SEL_IRQ + i);
        if (st != NOVA_OK)
            return fail_status(p, "delegating a GSI semaphore", st);
    }
    return true;
}

// Revoking a GSI semaphore or ports takes them from everyone the root gave them to.
static void take_irqs(struct program *p)
{
    const struct cfg_program *c = p->cfg;
    for (unsigned i = 0; i < c->irq_count && c->irq[i] < system_hip->gsi_count; i++)
        CHECK_STATUS(
            nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, NOVA_SEL_ROOT_GSI + c->irq[i], 0, 0x1f), false),
            NOVA_OK);
}

static bool held(const struct program *q)
{
    return q->state == PROG_RUNNING || q->state == PROG_FAULTED || q->state == PROG_EXITED;
}

// Ports and GSIs of the configuration belong to one running program at a time.
static bool conflicts(const struct program *p, const struct program *q)
{
    const struct cfg_program *a = p->cfg, *b = q->cfg;
    for (unsigned i = 0; i < a->io_count; i++)
        for (unsigned j = 0; j < b->io_count; j++)
            if (a->io[i].base <= b->io[j].last && b->io[j].base <= a->io[i].last)
                return true;
    for (unsigned i = 0; i < a->irq_count; i++)
        for (unsigned j = 0; j < b->irq_count; j++)
            if (a->irq[i] == b->irq[j])
                return true;
    return false;
}

static bool devices_free(const struct program *p)
{
    for (unsigned i = 0; i < program_count; i++) {
        const struct program *q = &programs[i];
        if (q != p && held(q) && conflicts(p, q)) {
            con_printf("root: program %s: ports or GSIs held by %s\n", p->cfg->name, q->cfg->name);
            return false;
        }
    }
    return true;
}

static bool give_cap(struct program *p, enum prog_sel which, nova_sel dest, unsigned perms)
{
    nova_crd crd = NOVA_CRD(NOVA_CRD_OBJ, prog_sel(p, which), 0, perms);
    enum nova_status st = nova_delegate(prog_sel(p, PSEL_PD), crd, dest);
    return st == NOVA_OK || fail_status(p, "delegating a capability", st);
}

static bool make_portal(struct program *p, enum prog_sel which, enum service_kind kind)
{
    enum nova_status st = service_portal(prog_sel(p, which), p, kind);
    return st == NOVA_OK || fail_status(p, "creating a portal", st);
}

// The console lock goes through a copy in p's selector block: revoking that copy takes
// p's from it, and the root's own lock stays.
static bool give_console(struct program *p)
{
    nova_crd crd = NOVA_CRD(NOVA_CRD_OBJ, console_lock(), 0, NOVA_PERM_SM_ALL);
    enum nova_status st = nova_delegate(NOVA_SEL_ROOT_PD, crd, prog_sel(p, PSEL_CONSOLE));
    if (st != NOVA_OK)
        return fail_status(p, "copying the console lock", st);
    return give_cap(p, PSEL_CONSOLE, NOVA_PROG_SEL_CONSOLE, NOVA_PERM_SM_ALL);
}

// Portals to the root's services, one event portal behind every exception and the
// start-up event, and the parking semaphore.
static bool give_portals(struct program *p)
{
    bool ok = make_portal(p, PSEL_MEM, SERVICE_MEM) && make_portal(p, PSEL_NAMES, SERVICE_NAMES) &&
              make_portal(p, PSEL_SYS, SERVICE_SYS) && make_portal(p, PSEL_EVT, SERVICE_EVT) &&
              give_cap(p, PSEL_MEM, NOVA_PROG_SEL_MEM, NOVA_PERM_PT_CALL) &&
              give_cap(p, PSEL_NAMES, NOVA_PROG_SEL_NAMES, NOVA_PERM_PT_CALL) &&
              give_cap(p, PSEL_SYS, NOVA_PROG_SEL_SYS, NOVA_PERM_PT_CALL);
    for (unsigned v = 0; ok && v <= NOVA_EVT_STARTUP; v++)
        ok = give_cap(p, PSEL_EVT, NOVA_PROG_SEL_EVT_BASE + v, NOVA_PERM_PT_CALL);
    enum nova_status st =
        ok ? nova_create_sm(prog_sel(p, PSEL_PARK), NOVA_SEL_ROOT_PD, 0) : NOVA_OK;
    if (st != NOVA_OK)
        return fail_status(p, "creating its semaphore", st);
    return ok && give_cap(p, PSEL_PARK, NOVA_PROG_SEL_PARK, NOVA_PERM_SM_ALL) && give_console(p) &&
           give_cap(p, PSEL_PD, NOVA_PROG_SEL_PD, PROG_PD_PERMS);
}

// The main EC asks its start-up portal where to begin: RSI cannot be set otherwise.
static bool start_main(struct program *p)
{
    const struct cfg_program *c = p->cfg;
    nova_sel pd = prog_sel(p, PSEL_PD), ec = prog_sel(p, PSEL_EC);
    enum nova_status st = nova_create_ec(ec, pd, NOVA_PROG_UTCB | c->cpu, NOVA_PROG_STACK_TOP, 0,
                                         NOVA_PROG_SEL_EVT_BASE, true);
    if (st != NOVA_OK)
        return fail_status(p, "creating its EC", st);
    if (!give_cap(p, PSEL_EC, NOVA_PROG_SEL_EC, NOVA_PERM_EC_CTRL))
        return false;
    p->state = PROG_RUNNING;
    p->started = false;
    st = nova_create_sc(prog_sel(p, PSEL_SC), pd, ec, c->prio, c->quantum_us);
    if (st != NOVA_OK) {
        p->state = PROG_IDLE;
        return fail_status(p, "creating its SC", st);
    }
    return give_cap(p, PSEL_SC, NOVA_PROG_SEL_SC, NOVA_PERM_SC_CTRL);
}

static bool cpu_online(unsigned cpu)
{
    return cpu < system_hip->cpu_count && cpu < NOVA_HIP_MAX_CPUS && system_hip->cpu[cpu].present;
}

// The checks that need no resources: a message and false if the program cannot start.
static bool check_program(struct program *p, struct module *m, struct elf_image *img)
{
    if (!module_find(system_hip, p->cfg->module, m)) {
        con_printf("root: program %s: no boot module \"%s\"\n", p->cfg->name, p->cfg->module);
        return false;
    }
    const char *err = elf_parse(m->data, m->size, NOVA_PROG_IMAGE_LIMIT, img);
    if (err)
        return fail(p, err);
    if (!cpu_online(p->cfg->cpu)) {
        con_printf("root: program %s: CPU %u is not online\n", p->cfg->name, p->cfg->cpu);
        return false;
    }
    return devices_free(p);
}

bool loader_start(struct program *p)
{
    struct module m;
    struct elf_image img;
    if (!check_program(p, &m, &img))
        return false;
    p->instance++;
    p->handlers = 0;
    p->entry = img.entry;
    ledger_init(&p->image);
    ledger_init(&p->mem);
    quota_init(&p->quota, p->cfg->mem / PAGE_SIZE);
    p->free_before = pool_free_pages();
    p->others_before = programs_held(); // p holds nothing now
    con_printf("root: free memory %lu pages\n", p->free_before);
    enum nova_status st = nova_create_pd(prog_sel(p, PSEL_PD), NOVA_SEL_ROOT_PD);
    bool ok = st == NOVA_OK || fail_status(p, "creating its PD", st);
    ok = ok && give_memory(p, &m, &img) && give_io(p) && give_irqs(p) && give_portals(p) &&
         start_main(p);
    if (!ok) {
        loader_release(p);
        return false;
    }
    con_printf("root: started %s from %s (cpu %u, prio %u, %lu pages, quota %lu pages)\n",
               p->cfg->name, m.name, p->cfg->cpu, p->cfg->prio, ledger_total(&p->image),
               p->quota.limit);
    return true;
}

static void release_range(void *ctx, uint64_t base, uint64_t count)
{
    pool_unalias(base, count);
    pool_free(base, count);
}

static nova_crd one_cap(const struct program *p, enum prog_sel which)
{
    return NOVA_CRD(NOVA_CRD_OBJ, prog_sel(p, which), 0, 0x1f);
}

/*
 * A handler EC of p that serves a call lives on after its capabilities go: the call keeps
 * it (docs/abi.md, object lifetime). Parked in the stub, it would keep its caller waiting
 * for good; so the event portals go first, then every EC parked on p's semaphore is woken
 * and ends in the stub's ud2, which the kernel now answers by ending the EC.
 */
static void wake_parked(struct program *p)
{
    unsigned type;
    if (nova_lookup(prog_sel(p, PSEL_PARK), &type, 0) != NOVA_OK || type != NOVA_OBJ_SM)
        return;
    for (unsigned i = 0; i <= p->handlers; i++)
        CHECK_STATUS(nova_sm_up(prog_sel(p, PSEL_PARK)), NOVA_OK);
}

void loader_release(struct program *p)
{
    nova_crd all = NOVA_CRD(NOVA_CRD_OBJ, prog_sel(p, 0), PROG_SEL_ORDER, 0x1f);
    CHECK_STATUS(nova_revoke(one_cap(p, PSEL_SC), true), NOVA_OK); // first: the main EC stops
    CHECK_STATUS(nova_revoke(one_cap(p, PSEL_EVT), true), NOVA_OK);
    wake_parked(p);
    CHECK_STATUS(nova_revoke(all, true), NOVA_OK);
    take_irqs(p);
    ledger_for_each(&p->image, release_range, 0);
    ledger_init(&p->image);
}
