// SPDX-License-Identifier: MIT
// Scenarios "vmbad" and "vmbadstate": start-up replies with state the hardware refuses.
#include "check.h"
#include "nova-user/console.h"
#include "test_vm_common.h"
#include "tests.h"

#define CR0_PE         0x1ull
#define CR0_NW         (1ull << 29)
#define CR0_CD         (1ull << 30)
#define CR0_PG         (1ull << 31)
#define CR4_PAE        0x20ull
#define EFER_LME       0x100ull
#define EFER_LMA       0x400ull
#define SEG_CODE64_L_D 0x69b // a 64-bit code segment with D set as well

struct bad_state {
    const char *name;
    void (*spoil)(struct nova_vcpu_state *s);
};

static void nw_without_cd(struct nova_vcpu_state *s)
{
    s->cr0 = (s->cr0 | CR0_NW) & ~CR0_CD;
}

static void long_mode(struct nova_vcpu_state *s)
{
    s->cr0 |= CR0_PE | CR0_PG;
    s->cr3 = TESTGUEST_PML4;
    s->efer |= EFER_LME | EFER_LMA;
}

static void long_mode_without_pae(struct nova_vcpu_state *s)
{
    long_mode(s);
    s->cr4 &= ~CR4_PAE;
}

static void cs_l_and_d(struct nova_vcpu_state *s)
{
    long_mode(s);
    s->cr4 |= CR4_PAE;
    s->cs.attr = SEG_CODE64_L_D;
}

static const struct bad_state bad_states[] = {
    {"CR0.NW without CD", nw_without_cd},
    {"EFER.LME with CR0.PG and no PAE", long_mode_without_pae},
    {"CS.L and CS.D both set", cs_l_and_d},
};
#define BAD_STATES (sizeof(bad_states) / sizeof(bad_states[0]))

static struct vm vms[BAD_STATES + 1];
static struct nova_vcpu_state supplied[BAD_STATES], refused[BAD_STATES];

// Spoils the start-up reply of the first VMs; keeps what went out and what came back.
static void spoil_startup(struct vm *vm, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (vm->id >= BAD_STATES)
        return;
    if (exit == NOVA_EVT_STARTUP)
        bad_states[vm->id].spoil(s), supplied[vm->id] = *s;
    if (exit == NOVA_VMEXIT_INVALID)
        refused[vm->id] = *s;
}

// Intel VM entry accepts CR0.NW without CD (only AMD's VMRUN refuses it): under VMX (and not
// SVM) that case is skipped.
static bool vmx_only;

static bool nw_accepted(unsigned i)
{
    return vmx_only && bad_states[i].spoil == nw_without_cd;
}

static void run_bad(unsigned i)
{
    struct vm *vm = &vms[i];
    if (nw_accepted(i)) {
        con_printf("vmbad: skipping %s: Intel VM entry accepts it, only AMD's VMRUN refuses it\n",
                   bad_states[i].name);
        return;
    }
    struct vm *const one[] = {vm};
    if (!vmt_boot(vm, i, TESTGUEST_NORMAL, vmt_last_cpu(), spoil_startup))
        return;
    vmt_wait(one, 1);
    if (vmt_check(vm, VM_INVALID, 0) & CHECK(vm->exits[NOVA_VMEXIT_INVALID] == 1) &
        CHECK(vmt_stages(vm) == 0))
        con_printf("vmbad: invalid state refused (%s)\n", bad_states[i].name);
}

static bool same_seg(const struct nova_seg *a, const struct nova_seg *b)
{
    return a->sel == b->sel && a->attr == b->attr && a->base == b->base;
}

// The INVALID event reports the state the VMM supplied, not what the failed VMRUN left in
// the hardware's save area (under QEMU: the host's, with a kernel RIP).
static bool same_state(const struct nova_vcpu_state *a, const struct nova_vcpu_state *b)
{
    const uint64_t efer_svme = 0x1000;
    return a->rip == b->rip && a->cr0 == b->cr0 && a->cr4 == b->cr4 &&
           (a->efer & ~efer_svme) == (b->efer & ~efer_svme) && same_seg(&a->cs, &b->cs);
}

static void check_refused(unsigned i)
{
    const struct nova_vcpu_state *s = &supplied[i], *r = &refused[i];
    if (CHECK(same_state(s, r))) {
        con_printf("vmbadstate: the event carried the refused state (%s)\n", bad_states[i].name);
        return;
    }
    con_printf("vmbadstate: supplied rip %#lx cr0 %#lx cr4 %#lx efer %#lx cs %#x/%#x/%#lx\n",
               s->rip, s->cr0, s->cr4, s->efer, s->cs.sel, s->cs.attr, s->cs.base);
    con_printf("vmbadstate: reported rip %#lx cr0 %#lx cr4 %#lx efer %#lx cs %#x/%#x/%#lx\n",
               r->rip, r->cr0, r->cr4, r->efer, r->cs.sel, r->cs.attr, r->cs.base);
}

// Scenario "vmbadstate": what the INVALID event says about the refused state.
void test_vmbadstate(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip))
        return;
    for (unsigned i = 0; i < BAD_STATES; i++) {
        run_bad(i);
        if (vms[i].end == VM_INVALID)
            check_refused(i);
    }
}

void test_vmbad(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip))
        return;
    vmx_only = (hip->features & NOVA_HIP_FTR_VMX) && !(hip->features & NOVA_HIP_FTR_SVM);
    for (unsigned i = 0; i < BAD_STATES; i++)
        run_bad(i);
    struct vm *good = &vms[BAD_STATES];
    struct vm *const one[] = {good};
    if (!vmt_boot(good, BAD_STATES, TESTGUEST_NORMAL, vmt_last_cpu(), spoil_startup))
        return;
    vmt_wait(one, 1);
    if (vmt_check(good, VM_FINISHED, VMT_NORMAL))
        con_printf("vmbad: a good VM after them ran to the end\n");
}
