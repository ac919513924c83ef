// SPDX-License-Identifier: MIT
// Scenario "vmwindow": an interrupt for a guest with interrupts off waits for its window exit.
//
// The guest turns interrupts off and counts until the root's word in guest memory. Meanwhile
// the root raises TESTGUEST_IRQ_WINDOW (vm_interrupt: a recall); the recall handler finds
// RFLAGS.IF clear and replies with ctrl = NOVA_CTRL_INTR_WIN. The window must stay shut while
// the guest keeps interrupts off, through the host interrupts of the root's sleep; after the
// root's word the guest marks the end of its CLI phase and executes STI, and only then may the
// NOVA_VMEXIT_INTR_WIN event come, with IF set: the VMM injects and the guest says so.
#include "check.h"
#include "nova-user/console.h"
#include "test_vm_common.h"
#include "tests.h"

#define VM_PRIO_LOW 16 // below the root's 32: the root's timer wakes it at once
#define SHUT_US     10000
#define SHUT_MAX    100
#define SHUT_ROUNDS 100 // CPUID exits with interrupts off, at least
#define RFLAGS_IF   0x200ull

static struct vm vm;
static volatile bool recall_seen, win_seen;
static volatile uint64_t recall_rflags, recall_ctrl, win_rflags, win_cli_done, win_shadow, win_inj;

static void on_exit(struct vm *v, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (exit == NOVA_EVT_RECALL) {
        recall_rflags = s->rflags, recall_ctrl = *mtd & NOVA_VMTD_CTRL ? s->ctrl : 0;
        recall_seen = true;
    } else if (exit == NOVA_VMEXIT_INTR_WIN && !win_seen) {
        win_rflags = s->rflags, win_shadow = s->intr_shadow;
        win_cli_done = *vmt_word(v, TESTGUEST_CLI_DONE);
        win_inj = *mtd & NOVA_VMTD_INJ ? s->inj : 0;
        win_seen = true;
    }
}

static bool cli_started(struct vm *v)
{
    return *vmt_word(v, TESTGUEST_CLI_START) != 0;
}

static bool recall_done(struct vm *v)
{
    return recall_seen;
}

// The recall found interrupts off and asked for the window instead of injecting.
static bool raise_while_off(void)
{
    if (!vmt_poll(&vm, cli_started) || !CHECK(vm_interrupt(&vm, TESTGUEST_IRQ_WINDOW)) ||
        !vmt_poll(&vm, recall_done))
        return false;
    bool ok = CHECK(!(recall_rflags & RFLAGS_IF)) & CHECK(recall_ctrl == NOVA_CTRL_INTR_WIN);
    if (ok)
        con_printf("vmwindow: the recall found interrupts off and asked for the window\n");
    return ok;
}

// The guest runs on with interrupts off; exits and host interrupts come and go, the window
// stays shut. The root sleeps again until the guest went some rounds: the host may hold QEMU.
static bool stays_shut(void)
{
    volatile uint64_t *counter = vmt_word(&vm, TESTGUEST_COUNTER);
    uint64_t c0 = *counter, slept = 0;
    for (unsigned n = 0; n < SHUT_MAX && *counter < c0 + SHUT_ROUNDS; n++)
        slept += vmt_sleep_us(SHUT_US);
    uint64_t c1 = *counter;
    bool ok = CHECK(c1 > c0) & CHECK(vm.exits[NOVA_VMEXIT_INTR_WIN] == 0) &
              CHECK(*vmt_word(&vm, TESTGUEST_CLI_DONE) == 0);
    if (ok)
        con_printf("vmwindow: %lu us with interrupts off: the guest counted %lu, no window exit\n",
                   slept, c1 - c0);
    return ok;
}

static void check_window(void)
{
    bool ok =
        vmt_check(&vm, VM_FINISHED, VMT_MODES | 1u << VMT_CLI | 1u << VMT_WINDOW | 1u << VMT_DONE);
    ok &= CHECK(vm.exits[NOVA_VMEXIT_INTR_WIN] == 1) & CHECK(win_seen);
    ok &= CHECK(win_rflags & RFLAGS_IF) & CHECK(win_cli_done == 1) & CHECK(win_shadow == 0);
    ok &= CHECK(win_inj == NOVA_INJ(TESTGUEST_IRQ_WINDOW, NOVA_INJ_EXTINT));
    if (ok)
        con_printf("vmwindow: the window exit came after the STI (IF set, the CLI phase done); "
                   "vector %#x went in there\n",
                   TESTGUEST_IRQ_WINDOW);
}

void test_vmwindow(const struct nova_hip *hip)
{
    struct vmt_opts o = {.cpu = 0, .hook = on_exit, .prio = VM_PRIO_LOW};
    if (!vmt_prepare(hip) || !vmt_boot_opts(&vm, 0, TESTGUEST_WINDOW, &o))
        return;
    bool ok = raise_while_off() && stays_shut();
    *vmt_word(&vm, TESTGUEST_CLI_GO) = 1; // even after a failure: the guest must get on
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    if (ok)
        check_window();
}
