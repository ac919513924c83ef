// SPDX-License-Identifier: MIT
// Scenario "vmrecall": ec_ctrl recall of a spinning vCPU, answered with an injected interrupt.
//
// The guest counts in guest memory for ever and takes no exit. Every few milliseconds the
// root wakes from a timed down (its timer interrupt forces the vCPU out: the root runs at a
// higher priority), checks that the guest went on counting without an exit, and recalls the
// vCPU; the VMM's recall handler injects TESTGUEST_IRQ_RECALL, and the guest says so. After
// ROUNDS of these a last recall stops the VM.
//
// With the vCPU on another CPU than the root, ec_ctrl from the root returns BAD_CPU (it
// reaches only ECs of the caller's CPU, docs/abi.md): a helper thread on the vCPU's CPU, of
// a priority above the VM's, does the recalls. The root wakes it with an up: the kernel's IPI
// to that CPU forces the vCPU out so that the helper runs at once.
#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "test_vm_common.h"
#include "tests.h"
#include "thread.h"

#define VM_PRIO_LOW    16 // below the root's 32
#define HELPER_PRIO    40 // above the VM's
#define HELPER_QUANTUM 10000
#define ROUNDS         3
#define TICK_US        3000
#define TICKS_MAX      1000
#define RFLAGS_IF      0x200ull

enum request { REQ_IRQ, REQ_HALT };

static struct vm vm;
static nova_sel kick_sm, ack_sm;
static uint64_t helper_stack[THREAD_STACK_WORDS] __attribute__((aligned(16)));
static volatile enum request req;
static volatile bool req_ok;
static volatile unsigned injected, recalls_if_off, want_recalled;

static bool carry_out(enum request r)
{
    return r == REQ_HALT ? vm_halt(&vm) : vm_interrupt(&vm, TESTGUEST_IRQ_RECALL);
}

// Serves the root's requests on the vCPU's CPU; its checks are the root's, by req_ok.
static void helper(struct nova_utcb *utcb)
{
    for (;;) {
        bool ok = nova_sm_down(kick_sm) == NOVA_OK;
        req_ok = ok && carry_out(req);
        if (nova_sm_up(ack_sm) != NOVA_OK)
            thread_park(kick_sm);
    }
}

static bool start_helper(unsigned cpu)
{
    nova_sel ec = sel_alloc(), sc = sel_alloc();
    uint64_t sp = thread_stack_top(helper_stack, THREAD_STACK_WORDS);
    kick_sm = sel_alloc(), ack_sm = sel_alloc();
    return CHECK_STATUS(nova_create_sm(kick_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_sm(ack_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_ec(ec, NOVA_SEL_ROOT_PD, utcb_alloc() | cpu, sp,
                                       (uint64_t)(uintptr_t)helper, 0, true),
                        NOVA_OK) &&
           CHECK_STATUS(nova_create_sc(sc, NOVA_SEL_ROOT_PD, ec, HELPER_PRIO, HELPER_QUANTUM),
                        NOVA_OK);
}

static uint64_t spun(void)
{
    return *vmt_word(&vm, TESTGUEST_SPUN);
}

// The root got the CPU at a host interrupt, not because the guest made its safety exit.
static bool no_safety_exit(uint64_t spun0, const char *what, uint64_t us)
{
    uint64_t safety_exits = spun() - spun0;
    if (safety_exits == 0)
        return true;
    con_printf("vmrecall: %s took %lu us and ended at the guest's safety exit: the interrupt did "
               "not make the vCPU exit\n",
               what, us);
    return CHECK(safety_exits == 0);
}

// On the root's CPU the root recalls the vCPU itself, elsewhere the helper does: the kernel
// must send an IPI to make the vCPU there exit for it.
static bool request(enum request r)
{
    if (vm.cfg.cpu == 0)
        return CHECK(carry_out(r));
    req = r;
    return CHECK_STATUS(nova_sm_up(kick_sm), NOVA_OK) &&
           CHECK_STATUS(nova_sm_down(ack_sm), NOVA_OK) && CHECK(req_ok);
}

static void on_exit(struct vm *v, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd)
{
    if (exit != NOVA_EVT_RECALL || v->halt_req)
        return;
    injected += (*mtd & NOVA_VMTD_INJ) && (s->inj & 0xff) == TESTGUEST_IRQ_RECALL;
    recalls_if_off += !(s->rflags & RFLAGS_IF);
}

static volatile uint64_t *counter(void)
{
    return vmt_word(&vm, TESTGUEST_COUNTER);
}

static bool spinning(struct vm *v)
{
    return *counter() > 0;
}

static bool recalled(struct vm *v)
{
    return vmt_stage_count(v, VMT_RECALL) >= want_recalled;
}

// The guest counts on without an exit while the root sleeps, and the root wakes by its timer.
// The root sleeps a few times if need be: the host may hold the thread of a CPU of QEMU's.
static bool counts_alone(uint64_t *counted)
{
    uint64_t c0 = *counter(), e0 = vmt_exit_total(&vm), spun0 = spun(), slept = 0;
    for (unsigned n = 0; n < TICKS_MAX && *counter() == c0 && spun() == spun0; n++)
        slept += vmt_sleep_us(TICK_US);
    *counted = *counter() - c0;
    return no_safety_exit(spun0, "the root's timed down", slept) &&
           CHECK(*counted > 0) & CHECK(vmt_exit_total(&vm) == e0);
}

// A recall, answered with the interrupt that the guest reports.
static bool recall_once(unsigned i)
{
    uint64_t spun0 = spun(), t0 = vmt_now_us();
    want_recalled = i + 1;
    bool ok = request(REQ_IRQ) && vmt_poll(&vm, recalled);
    // Checked once the guest's line is out: nothing else prints now.
    return no_safety_exit(spun0, "the recall and its interrupt", vmt_now_us() - t0) & ok;
}

static bool one_round(unsigned i)
{
    uint64_t counted;
    if (!counts_alone(&counted) || !recall_once(i))
        return false;
    con_printf("vmrecall: round %u: the guest counted %lu without an exit, then the recall "
               "injected vector %#x\n",
               i + 1, counted, TESTGUEST_IRQ_RECALL);
    return true;
}

// docs/abi.md, ec_ctrl: an EC on another CPU than the caller's gives BAD_CPU.
static void recall_from_afar(void)
{
    if (CHECK_STATUS(nova_ec_recall(vm.vcpu), NOVA_BAD_CPU))
        con_printf("vmrecall: ec_ctrl from CPU 0 on the vCPU on CPU %u: BAD_CPU; a helper "
                   "there recalls it\n",
                   vm.cfg.cpu);
}

static void check_end(void)
{
    bool ok = vmt_check(&vm, VM_STOPPED, VMT_MODES | 1u << VMT_SPIN | 1u << VMT_RECALL);
    ok &= CHECK(vmt_stage_count(&vm, VMT_RECALL) == ROUNDS);
    ok &= CHECK(vm.exits[NOVA_EVT_RECALL] == ROUNDS + 1) & CHECK(injected == ROUNDS);
    ok &= CHECK(recalls_if_off == 0) & CHECK(vm.irq_pending == 0);
    if (ok)
        con_printf("vmrecall: %u recalls of the spinning guest, each answered with an "
                   "interrupt; a last one stopped the VM\n",
                   ROUNDS);
}

void test_vmrecall(const struct nova_hip *hip)
{
    if (!vmt_prepare(hip))
        return;
    struct vmt_opts o = {.cpu = vmt_last_cpu(), .hook = on_exit, .prio = VM_PRIO_LOW};
    if ((o.cpu != 0 && !start_helper(o.cpu)) || !vmt_boot_opts(&vm, 0, TESTGUEST_SPIN, &o))
        return;
    bool ok = vmt_poll(&vm, spinning);
    if (o.cpu != 0) // now that the guest is quiet: the root's line stays whole
        recall_from_afar();
    for (unsigned i = 0; ok && i < ROUNDS; i++)
        ok = one_round(i);
    request(REQ_HALT);
    struct vm *const vms[] = {&vm};
    vmt_wait(vms, 1);
    check_end();
}
