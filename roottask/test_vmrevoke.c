// SPDX-License-Identifier: MIT
// Scenario "vmrevoke": guest memory revoked from the VMM disappears from the guest.
//
// The VMM gives the guest one page of its own at TESTGUEST_REVOKED, beyond the guest's RAM,
// through a per-page alias: the root's window of physical memory is a few large blocks, and a
// block is revoked whole (docs/abi.md, delegation rules). The guest fills the page with its
// pattern and says so; the root revokes the alias without SELF (the guest's mapping, derived
// from it, goes; the alias stays), then lets the guest read again. That read must be a nested
// page fault at exactly the page, after which the VMM maps a fresh page there: the guest finds
// zeros, not its pattern, while the VMM still reads the pattern through its alias.
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "pages.h"
#include "test_vm_common.h"
#include "tests.h"

#define VM_PRIO_LOW 16                // below the root's 32: the root's timer wakes it
#define VM_QUANTUM  1000000           // no end of a quantum makes the guest exit meanwhile
#define ALIAS_VA    0x7d0000000000ull // unused: below the UTCB area, above the image
#define MEM_RW      (NOVA_CRD_MEM_R | NOVA_CRD_MEM_W)
#define PAGE_WORDS  (PAGE_SIZE / sizeof(uint64_t))

// What happened so far, in this order only: a step is taken only right after the one before.
enum step { STEP_NONE, STEP_MAPPED, STEP_WRITTEN, STEP_REVOKED, STEP_LOST, STEP_FRESH };

static struct vm vm;
static uint64_t page_phys;
static volatile enum step step;
static volatile uint64_t stray_npf;

static void advance(enum step from, enum step to)
{
    if (step == from)
        step = to;
    else
        vm.errors++, con_printf("vmrevoke: step %u came at step %u\n", to, step);
}

static volatile uint64_t *alias_words(void)
{
    return (volatile uint64_t *)(uintptr_t)ALIAS_VA;
}

static bool alias_holds_pattern(void)
{
    for (unsigned i = 0; i < PAGE_WORDS; i++)
        if (alias_words()[i] != TESTGUEST_PATTERN)
            return false;
    return true;
}

// The physical address the root's mapping at va has: 0 if none, ~0 if the lookup failed.
static uint64_t phys_at(uint64_t va)
{
    nova_crd crd = 0;
    uint64_t pa = 0;
    return CHECK_STATUS(nova_lookup_mem(va, &crd, &pa), NOVA_OK) ? pa : ~0ull;
}

// A page of the window delegated to the root itself at ALIAS_VA: the guest's page comes
// from there, so that revoking the alias takes back this page and nothing else.
static bool make_alias(void)
{
    page_phys = pages_alloc(1);
    if (!CHECK(page_phys != 0) || !CHECK(phys_at(ALIAS_VA) == 0))
        return false;
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, pages_vpn(page_phys), 0, MEM_RW);
    return CHECK_STATUS(nova_delegate(NOVA_SEL_ROOT_PD, crd, ALIAS_VA >> PAGE_SHIFT), NOVA_OK) &&
           CHECK(phys_at(ALIAS_VA) == page_phys);
}

// Before the guest's first instruction: the alias page at TESTGUEST_REVOKED in the guest.
static void map_guest_page(struct vm *v)
{
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, ALIAS_VA >> PAGE_SHIFT, 0, MEM_RW);
    uint64_t dest = (TESTGUEST_REVOKED >> PAGE_SHIFT) | NOVA_DEST_GUEST;
    enum nova_status st = nova_delegate(v->pd, crd, dest);
    if (st != NOVA_OK)
        v->errors++, con_printf("vmrevoke: delegating the page failed with status %u\n", st);
    else
        advance(STEP_NONE, STEP_MAPPED);
}

// The guest's first access since the revoke: the VMM's NPF handler mapped a fresh page.
static void on_npf(struct vm *v, uint64_t gpa)
{
    if (gpa != TESTGUEST_REVOKED || step != STEP_REVOKED) {
        stray_npf++, v->errors++;
        con_printf("vmrevoke: unexpected nested page fault at %#lx\n", gpa);
        return;
    }
    con_printf("vmrevoke: guest lost the page at %#lx\n", gpa);
    if (!vm_gpa_ptr(v, gpa, 1) || !alias_holds_pattern())
        v->errors++, con_printf("vmrevoke: no fresh page, or the VMM's copy changed\n");
    advance(STEP_REVOKED, STEP_LOST);
}

static void on_mark(struct vm *v, uint64_t mark)
{
    if (mark == TESTGUEST_MARK_WRITTEN) {
        if (!alias_holds_pattern())
            v->errors++, con_printf("vmrevoke: the VMM does not see the guest's pattern\n");
        advance(STEP_MAPPED, STEP_WRITTEN);
    } else if (mark == TESTGUEST_MARK_FRESH) {
        advance(STEP_LOST, STEP_FRESH);
    } else {
        v->errors++, con_printf("vmrevoke: mark %lu at step %u\n", mark, step);
    }
}

static void on_exit(struct vm *v, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (exit == NOVA_EVT_STARTUP)
        map_guest_page(v);
    else if (exit == NOVA_VMEXIT_NPF)
        on_npf(v, s->qual[1]);
    else if (exit == NOVA_VMEXIT_VMCALL && s->rax == VMM_HC_MARK)
        on_mark(v, s->rbx);
}

// The guest said it wrote the pattern, read it back since, and spins.
static bool ready(struct vm *v)
{
    return (step >= STEP_WRITTEN && *vmt_word(v, TESTGUEST_REVOKE_READY)) || v->end != VM_RUNNING;
}

// Without SELF: the guest's mapping goes, the VMM's alias and its contents stay.
static bool revoke_page(void)
{
    nova_crd crd = NOVA_CRD(NOVA_CRD_MEM, ALIAS_VA >> PAGE_SHIFT, 0, 0x1f);
    if (!CHECK(step == STEP_WRITTEN) || !CHECK_STATUS(nova_revoke(crd, false), NOVA_OK))
        return false;
    step = STEP_REVOKED;
    bool ok = CHECK(phys_at(ALIAS_VA) == page_phys) & CHECK(alias_holds_pattern());
    if (ok)
        con_printf("vmrevoke: revoked the page at %#x from the guest; the VMM's alias stays\n",
                   TESTGUEST_REVOKED);
    return ok;
}

// The guest went on without the nested page fault: it still reached the revoked page.
static void explain_no_fault(void)
{
    if (vm.exits[NOVA_VMEXIT_NPF] == 0 && step == STEP_REVOKED)
        con_printf("vmrevoke: no nested page fault after the revoke: the guest on CPU %u still "
                   "reached the revoked page\n",
                   vm.cfg.cpu);
}

static void check_end(void)
{
    explain_no_fault();
    bool ok = vmt_check(&vm, VM_FINISHED, VMT_MODES | 1u << VMT_DONE);
    ok &= CHECK(step == STEP_FRESH) & CHECK(stray_npf == 0);
    ok &= CHECK(vm.exits[NOVA_VMEXIT_NPF] == 1) & CHECK(vm.last_npf == TESTGUEST_REVOKED);
    ok &= CHECK(vm.extra_count == 1) & CHECK(vm.extra_phys[0] != page_phys);
    ok &= CHECK(phys_at(ALIAS_VA) == page_phys) & CHECK(alias_holds_pattern());
    if (ok)
        con_printf("vmrevoke: the revoke took the page from the guest, which found a fresh one "
                   "in its place; the VMM's copy kept the pattern\n");
}

void test_vmrevoke(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip) || !make_alias())
        return;
    struct vmt_opts o = {
        .cpu = vmt_last_cpu(), .hook = on_exit, .prio = VM_PRIO_LOW, .quantum_us = VM_QUANTUM};
    if (!vmt_boot_opts(&vm, 0, TESTGUEST_REVOKE, &o))
        return;
    bool ok = vmt_poll(&vm, ready) && revoke_page();
    *vmt_word(&vm, TESTGUEST_REVOKE_GO) = 1; // even after a failure: the guest must get on
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    if (ok)
        check_end();
}
