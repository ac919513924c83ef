// SPDX-License-Identifier: MIT
// Scenario "vminject": exceptions injected into the guest, with and without an error code.
//
// The guest sets up handlers for #GP and #UD and asks for each with a VMMCALL; the VMM injects
// it on the reply (inj: vector, type exception, and for #GP the error code 0x1234). Each
// handler reports the top of its frame with another VMMCALL: the #GP handler the error code and
// the return RIP above it, the #UD handler the return RIP and CS right at the top (no error
// code). Both must return to the instruction after the VMMCALL that asked.
#include "check.h"
#include "nova-user/console.h"
#include "test_vm_common.h"
#include "tests.h"

#define VEC_UD   6
#define VEC_GP   13
#define GP_ERROR 0x1234ull
#define INJ_GP   (NOVA_INJ(VEC_GP, NOVA_INJ_EXC) | NOVA_INJ_ERR_VALID | GP_ERROR << 32)
#define INJ_UD   NOVA_INJ(VEC_UD, NOVA_INJ_EXC)
#define VMCALLS  6 // the ping, two requests, two reports, done

// What happened so far, in this order only: a step is taken only right after the one before.
enum step { STEP_NONE, STEP_GP_ASKED, STEP_GP_SEEN, STEP_UD_ASKED, STEP_UD_SEEN };

static struct vm vm;
static volatile enum step step;
static volatile uint64_t gp_ret, ud_ret; // where the handlers must return to

static void advance(struct vm *v, enum step from, enum step to)
{
    if (step == from)
        step = to;
    else
        v->errors++, con_printf("vminject: step %u came at step %u\n", to, step);
}

// The reply to this VMMCALL injects the event; the guest's RIP is already past the VMMCALL.
static uint64_t ask(struct vm *v, struct nova_vcpu_state *s, uint64_t *mtd, uint64_t inj)
{
    con_printf("vminject: injecting %#lx\n", inj);
    s->inj = inj;
    *mtd |= NOVA_VMTD_INJ;
    return s->rip;
}

static void gp_seen(struct vm *v, uint64_t error, uint64_t rip)
{
    con_printf("vminject: guest saw #GP with error code %#lx\n", error);
    if (error != GP_ERROR || rip != gp_ret)
        v->errors++, con_printf("vminject: #GP frame: error %#lx, rip %#lx (want %#llx, %#lx)\n",
                                error, rip, GP_ERROR, gp_ret);
    else
        advance(v, STEP_GP_ASKED, STEP_GP_SEEN);
}

static void ud_seen(struct vm *v, uint64_t rip, uint64_t cs)
{
    con_printf("vminject: guest's #UD handler ran, rip %#lx and cs %#lx atop its stack\n", rip, cs);
    if (rip != ud_ret || cs != TESTGUEST_SEL_CODE64)
        v->errors++, con_printf("vminject: #UD frame wrong (want rip %#lx, cs %#x)\n", ud_ret,
                                TESTGUEST_SEL_CODE64);
    else
        advance(v, STEP_UD_ASKED, STEP_UD_SEEN);
}

static void on_mark(struct vm *v, struct nova_vcpu_state *s, uint64_t *mtd)
{
    switch (s->rbx) {
    case TESTGUEST_MARK_GP_PLEASE:
        gp_ret = ask(v, s, mtd, INJ_GP);
        advance(v, STEP_NONE, STEP_GP_ASKED);
        break;
    case TESTGUEST_MARK_GP_SEEN:
        gp_seen(v, s->rcx, s->rdx);
        break;
    case TESTGUEST_MARK_UD_PLEASE:
        ud_ret = ask(v, s, mtd, INJ_UD);
        advance(v, STEP_GP_SEEN, STEP_UD_ASKED);
        break;
    case TESTGUEST_MARK_UD_SEEN:
        ud_seen(v, s->rcx, s->rdx);
        break;
    default:
        v->errors++, con_printf("vminject: unknown mark %#lx\n", s->rbx);
    }
}

static void on_exit(struct vm *v, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (exit == NOVA_VMEXIT_VMCALL && s->rax == VMM_HC_MARK)
        on_mark(v, s, mtd);
}

void test_vminject(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip))
        return;
    struct vmt_opts o = {.cpu = vmt_last_cpu(), .hook = on_exit};
    if (!vmt_boot_opts(&vm, 0, TESTGUEST_INJECT, &o))
        return;
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    bool ok = vmt_check(&vm, VM_FINISHED, VMT_MODES | 1u << VMT_DONE);
    ok &= CHECK(step == STEP_UD_SEEN) & CHECK(vm.exits[NOVA_VMEXIT_VMCALL] == VMCALLS);
    ok &= CHECK(vm.exits[NOVA_VMEXIT_SHUTDOWN] == 0);
    if (ok)
        con_printf("vminject: #GP with error code %#llx and #UD without one reached their "
                   "handlers, which returned after the VMMCALLs that asked\n",
                   GP_ERROR);
}
