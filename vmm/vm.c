// SPDX-License-Identifier: MIT
// VM creation: the VM's PD, guest RAM and image, one handler per exit, the vCPU and its SC.
#include "alloc.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/string.h"
#include "pages.h"
#include "vmm_int.h"

#define HANDLER_STACK_PAGES 2
#define MEM_RWX             (NOVA_CRD_MEM_R | NOVA_CRD_MEM_W | NOVA_CRD_MEM_X)
#define MEM_MAX_ORDER       18 // a delegation moves at most 2^18 pages
#define REAL_MODE_LIMIT     0x100000ull

static struct vm *vms[VMM_MAX_VMS];

struct vm *vm_by_slot(unsigned slot)
{
    return slot < VMM_MAX_VMS ? vms[slot] : NULL;
}

static bool hc_ok(struct vm *vm, enum nova_status st, const char *what)
{
    if (st != NOVA_OK)
        con_printf("vm%u: %s failed with status %u\n", vm->id, what, (unsigned)st);
    return st == NOVA_OK;
}

// log2 of a power of two; ~0u for anything else.
static unsigned order_of(uint64_t n)
{
    return n && !(n & (n - 1)) ? (unsigned)__builtin_ctzll(n) : ~0u;
}

static bool make_ram(struct vm *vm)
{
    unsigned n = vm->cfg.mem_pages, order = order_of(n);
    if (order > MEM_MAX_ORDER) {
        con_printf("vm%u: %u pages of RAM: not a power of two up to 2^18\n", vm->id, n);
        return false;
    }
    vm->ram_phys = pages_alloc_aligned(n, n);
    vm->extra_pool = pages_alloc(VM_EXTRA_MAX); // handlers on any CPU take pages from here
    if (!vm->ram_phys || !vm->extra_pool) {
        con_printf("vm%u: no memory for %u pages of guest RAM\n", vm->id, n);
        return false;
    }
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, pages_vpn(vm->ram_phys), order, MEM_RWX);
    return hc_ok(vm, nova_delegate(vm->pd, crd, NOVA_DEST_GUEST), "delegating guest RAM");
}

static bool load_image(struct vm *vm)
{
    const struct vm_config *c = &vm->cfg;
    if (c->entry & 0xf || c->entry >= REAL_MODE_LIMIT) {
        con_printf("vm%u: entry %#lx is no real-mode segment base\n", vm->id, c->entry);
        return false;
    }
    if (vm_write(vm, c->entry, c->image, c->image_size))
        return true;
    con_printf("vm%u: the image (%zu bytes) does not fit at %#lx\n", vm->id, c->image_size,
               c->entry);
    return false;
}

// A local EC of the VMM on the vCPU's CPU, with its own stack and UTCB, and a portal to it
// that the VM's PD finds at its event base + exit.
static bool make_handler(struct vm *vm, unsigned exit)
{
    struct vm_handler *h = &vm->handler[exit];
    uint64_t stack = pages_alloc(HANDLER_STACK_PAGES), utcb = utcb_alloc();
    uint64_t ip = (uint64_t)(uintptr_t)vmm_entry;
    if (!stack)
        return hc_ok(vm, NOVA_NO_MEM, "allocating a handler stack");
    // As if called: RSP + 8 is 16-byte aligned at a function's first instruction.
    uint64_t sp = (uint64_t)(uintptr_t)pages_virt(stack) + HANDLER_STACK_PAGES * PAGE_SIZE - 8;
    h->ec = sel_alloc(), h->pt = sel_alloc();
    h->utcb = (struct nova_utcb *)(uintptr_t)utcb;
    nova_crd pt = NOVA_CRD(NOVA_CRD_OBJ, h->pt, 0, NOVA_PERM_PT_CALL);
    return hc_ok(vm, nova_create_ec(h->ec, NOVA_SEL_ROOT_PD, utcb | vm->cfg.cpu, sp, ip, 0, false),
                 "creating a handler EC") &&
           hc_ok(vm, nova_create_pt(h->pt, NOVA_SEL_ROOT_PD, h->ec, exit_mtd(exit), ip),
                 "creating a portal") &&
           hc_ok(vm, nova_pt_ctrl(h->pt, VMM_ID(vm->id, exit)), "setting the portal id") &&
           hc_ok(vm, nova_delegate(vm->pd, pt, VM_EVT_BASE + exit), "delegating a portal");
}

static bool make_handlers(struct vm *vm)
{
    for (unsigned exit = 0; exit < NOVA_VMEXIT_MAX; exit++)
        if (exit_has_handler(exit) && !make_handler(vm, exit))
            return false;
    return true;
}

static bool make_vcpu(struct vm *vm)
{
    vm->vcpu = sel_alloc();
    return hc_ok(
        vm,
        nova_hc(NOVA_HC_CREATE_EC, NOVA_EC_VCPU, vm->vcpu, vm->pd, vm->cfg.cpu, 0, 0, VM_EVT_BASE),
        "creating the vCPU");
}

bool vm_create(struct vm *vm, unsigned id, const struct vm_config *cfg)
{
    if (id >= VMM_MAX_VMS || vms[id]) {
        con_printf("vm%u: no free VM slot\n", id);
        return false;
    }
    memset(vm, 0, sizeof(*vm));
    vm->id = id, vm->cfg = *cfg, vm->irq_pending = cfg->irq_on_hlt;
    vm->pd = sel_alloc(), vm->park_sm = sel_alloc();
    vms[id] = vm;
    return hc_ok(vm, nova_create_pd(vm->pd, NOVA_SEL_ROOT_PD), "creating the VM's PD") &&
           hc_ok(vm, nova_create_sm(vm->park_sm, NOVA_SEL_ROOT_PD, 0), "creating a semaphore") &&
           make_ram(vm) && load_image(vm) && make_handlers(vm) && make_vcpu(vm);
}

bool vm_start(struct vm *vm)
{
    nova_sel sc = sel_alloc();
    unsigned prio = vm->cfg.prio ? vm->cfg.prio : VM_PRIO;
    unsigned quantum = vm->cfg.quantum_us ? vm->cfg.quantum_us : VM_QUANTUM_US;
    if (!hc_ok(vm, nova_create_sc(sc, vm->pd, vm->vcpu, prio, quantum), "binding an SC"))
        return false;
    vm->sc = sc;
    return true;
}

bool vm_stop(struct vm *vm)
{
    if (vm->reaped || !vm->sc)
        return true;
    vm->reaped = true;
    return hc_ok(vm, nova_revoke(NOVA_CRD(NOVA_CRD_OBJ, vm->sc, 0, 0x1f), true),
                 "revoking the vCPU's SC");
}

bool vm_interrupt(struct vm *vm, uint8_t vector)
{
    vm->irq_pending = vector;
    return hc_ok(vm, nova_ec_recall(vm->vcpu), "recalling the vCPU");
}

bool vm_halt(struct vm *vm)
{
    vm->halt_req = true;
    return hc_ok(vm, nova_ec_recall(vm->vcpu), "recalling the vCPU");
}

void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, size_t size)
{
    uint64_t ram = (uint64_t)vm->cfg.mem_pages * PAGE_SIZE;
    if (gpa < ram && size <= ram - gpa)
        return pages_virt(vm->ram_phys + gpa);
    uint64_t off = gpa & (PAGE_SIZE - 1);
    for (unsigned i = 0; i < vm->extra_count; i++)
        if (vm->extra_gpn[i] == gpa >> PAGE_SHIFT && size <= PAGE_SIZE - off)
            return pages_virt(vm->extra_phys[i] + off);
    return NULL;
}

bool vm_write(struct vm *vm, uint64_t gpa, const void *src, size_t size)
{
    void *dst = vm_gpa_ptr(vm, gpa, size);
    if (dst)
        memcpy(dst, src, size);
    return dst != NULL;
}

bool vm_gpa_mapped(struct vm *vm, uint64_t gpa)
{
    return vm_gpa_ptr(vm, gpa, 1) != NULL;
}

bool vm_map_page(struct vm *vm, uint64_t gpa)
{
    if (vm->extra_count == VM_EXTRA_MAX)
        return false;
    uint64_t phys = vm->extra_pool + vm->extra_count * PAGE_SIZE, gpn = gpa >> PAGE_SHIFT;
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, pages_vpn(phys), 0, MEM_RWX);
    if (!hc_ok(vm, nova_delegate(vm->pd, crd, gpn | NOVA_DEST_GUEST), "mapping a page"))
        return false;
    vm->extra_gpn[vm->extra_count] = gpn, vm->extra_phys[vm->extra_count] = phys;
    vm->extra_count++;
    return true;
}

// The first word of a module's command line is its file name.
static bool file_name_ends_in(const char *cmdline, const char *name)
{
    size_t n = 0, len = strlen(name);
    while (n < NOVA_HIP_CMDLINE && cmdline[n] && cmdline[n] != ' ')
        n++;
    return n >= len && memcmp(cmdline + n - len, name, len) == 0;
}

const struct nova_hip_module *vmm_find_module(const struct nova_hip *hip, const char *name)
{
    for (unsigned i = 0; i < hip->mod_count && i < NOVA_HIP_MAX_MODS; i++)
        if (file_name_ends_in(hip->mod[i].cmdline, name))
            return &hip->mod[i];
    return NULL;
}

const char *vm_end_name(enum vm_end end)
{
    static const char *const names[] = {"running", "finished", "triple fault", "invalid state",
                                        "halted",  "error",    "stopped"};
    return end <= VM_STOPPED ? names[end] : "?";
}
