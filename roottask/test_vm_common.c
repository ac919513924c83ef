// SPDX-License-Identifier: MIT
// Shared steps of the VM scenarios: the test guest, booting VMs, waiting for them to stop.
#include "test_vm_common.h"
#include "alloc.h"
#include "check.h"
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/string.h"
#include "nova/vcpu.h"
#include "pages.h"

#define SETTLE_US 2000 // lets a stopping handler reach its park before the SC goes
#define POLL_US   1000

static const struct nova_hip *hip;
static const struct nova_hip_module *guest;
static nova_sel done_sm, sleep_sm;
static volatile unsigned stages[VMM_MAX_VMS], counts[VMM_MAX_VMS][VMT_STAGES];

static const char *const stage_lines[VMT_STAGES] = {
    [VMT_REAL] = "guest: 16-bit mode",
    [VMT_CPUID] = "guest: cpuid vendor NOVAx86VMM",
    [VMT_PING] = "guest: vmmcall answered",
    [VMT_PROT] = "guest: 32-bit mode",
    [VMT_LONG] = "guest: 64-bit mode",
    [VMT_IRQ] = "guest: interrupt 0x20",
    [VMT_HOLE] = "guest: memory at 0x800000 works",
    [VMT_DONE] = "guest: done",
    [VMT_TRIPLE] = "guest: about to triple fault",
    [VMT_SPIN] = "guest: spinning",
    [VMT_RECALL] = "guest: recalled",
    [VMT_CLI] = "guest: interrupts off",
    [VMT_WINDOW] = "guest: window interrupt",
};

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t)hi << 32 | lo;
}

// An absolute TSC deadline us microseconds from now; 0 (none) if the TSC rate is unknown.
static uint64_t deadline_in(uint64_t us)
{
    return hip->tsc_khz ? rdtsc() + hip->tsc_khz * us / 1000 : 0;
}

static enum nova_status down_until(nova_sel sm, uint64_t deadline)
{
    return (enum nova_status)nova_hypercall(NOVA_HC_SM_CTRL, NOVA_SM_DOWN, sm, deadline, 0, 0, 0, 0,
                                            NULL, NULL);
}

uint64_t vmt_now_us(void)
{
    uint64_t t = rdtsc(), khz = hip->tsc_khz;
    return khz ? t / khz * 1000 + t % khz * 1000 / khz : 0;
}

uint64_t vmt_sleep_us(uint64_t us)
{
    uint64_t start = vmt_now_us(), deadline = deadline_in(us);
    if (deadline)
        CHECK_STATUS(down_until(sleep_sm, deadline), NOVA_TIMEOUT);
    return vmt_now_us() - start;
}

// Without the features a vCPU needs, the kernel refuses one with a status, not a crash.
static void report_refused_vcpu(void)
{
    nova_sel sel = sel_alloc();
    uint64_t out1, out2;
    uint64_t st = nova_hypercall(NOVA_HC_CREATE_EC, NOVA_EC_VCPU, sel, NOVA_SEL_ROOT_PD, 0, 0, 0,
                                 0, &out1, &out2);
    if (CHECK(st == NOVA_BAD_FTR))
        con_printf("vm: create_ec of a vCPU returned BAD_FTR\n");
}

bool vmt_prepare(const struct nova_hip *h)
{
    const uint32_t svm = NOVA_HIP_FTR_SVM | NOVA_HIP_FTR_NPT,
                   vmx = NOVA_HIP_FTR_VMX | NOVA_HIP_FTR_EPT;
    hip = h;
    if (!CHECK((hip->features & svm) == svm || (hip->features & vmx) == vmx)) {
        con_printf("vm: this machine offers neither AMD SVM with nested paging nor VMX with EPT\n");
        report_refused_vcpu();
        return false;
    }
    guest = vmm_find_module(hip, VMT_MODULE);
    if (!CHECK(guest != NULL)) {
        con_printf("vm: no boot module named %s\n", VMT_MODULE);
        return false;
    }
    con_printf("vm: guest image %s, %lu bytes\n", VMT_MODULE, guest->size);
    done_sm = sel_alloc(), sleep_sm = sel_alloc();
    return CHECK_STATUS(nova_create_sm(done_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK) &&
           CHECK_STATUS(nova_create_sm(sleep_sm, NOVA_SEL_ROOT_PD, 0), NOVA_OK);
}

unsigned vmt_last_cpu(void)
{
    for (unsigned i = hip->cpu_count; i-- > 1;)
        if (i < NOVA_HIP_MAX_CPUS && hip->cpu[i].present)
            return i;
    return 0;
}

static void on_line(struct vm *vm, const char *line)
{
    for (unsigned i = 0; i < VMT_STAGES; i++)
        if (strncmp(line, stage_lines[i], strlen(stage_lines[i])) == 0)
            stages[vm->id] |= 1u << i, counts[vm->id][i]++;
}

uint64_t vmt_exit_total(const struct vm *vm)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < NOVA_VMEXIT_MAX; i++)
        sum += vm->exits[i];
    return sum;
}

unsigned vmt_stages(const struct vm *vm)
{
    return stages[vm->id];
}

unsigned vmt_stage_count(const struct vm *vm, enum vmt_stage stage)
{
    return counts[vm->id][stage];
}

volatile uint64_t *vmt_word(struct vm *vm, uint64_t gpa)
{
    return (volatile uint64_t *)vm_gpa_ptr(vm, gpa, sizeof(uint64_t));
}

static struct vm_config config(unsigned cpu, vm_exit_hook *hook)
{
    return (struct vm_config){
        .cpu = cpu,
        .mem_pages = VMT_MEM_PAGES,
        .image = pages_virt(guest->base),
        .image_size = guest->size,
        .entry = TESTGUEST_LOAD,
        .irq_on_hlt = 0x20,
        .done_sm = done_sm,
        .on_line = on_line,
        .hook = hook,
    };
}

static bool boot(struct vm *vm, unsigned id, uint32_t flavour, const struct vm_config *cfg)
{
    con_printf("vm: starting vm%u on CPU %u, flavour %u\n", id, cfg->cpu, flavour);
    return CHECK(vm_create(vm, id, cfg)) &&
           CHECK(vm_write(vm, TESTGUEST_LOAD + TESTGUEST_FLAVOUR, &flavour, sizeof(flavour))) &&
           CHECK(vm_start(vm));
}

bool vmt_boot(struct vm *vm, unsigned id, uint32_t flavour, unsigned cpu, vm_exit_hook *hook)
{
    struct vm_config cfg = config(cpu, hook);
    return boot(vm, id, flavour, &cfg);
}

bool vmt_boot_opts(struct vm *vm, unsigned id, uint32_t flavour, const struct vmt_opts *o)
{
    struct vm_config cfg = config(o->cpu, o->hook);
    cfg.irq_on_hlt = 0, cfg.prio = o->prio, cfg.quantum_us = o->quantum_us;
    return boot(vm, id, flavour, &cfg);
}

// Revokes the SC of every VM that stopped since; returns how many still run.
static unsigned reap(struct vm *const *vms, unsigned n)
{
    unsigned running = 0;
    for (unsigned i = 0; i < n; i++) {
        if (vms[i]->end == VM_RUNNING) {
            running++;
        } else if (!vms[i]->reaped) {
            vmt_sleep_us(SETTLE_US);
            CHECK(vm_stop(vms[i]));
            con_printf("vm: vm%u stopped (%s), its SC revoked\n", vms[i]->id,
                       vm_end_name(vms[i]->end));
        }
    }
    return running;
}

bool vmt_wait(struct vm *const *vms, unsigned n)
{
    uint64_t deadline = deadline_in(VMT_TIMEOUT_S * 1000000ull);
    while (reap(vms, n)) {
        enum nova_status st = down_until(done_sm, deadline);
        if (st == NOVA_TIMEOUT)
            break;
        CHECK_STATUS(st, NOVA_OK);
    }
    for (unsigned i = 0; i < n; i++) {
        if (CHECK(vms[i]->end != VM_RUNNING))
            continue;
        con_printf("vm: vm%u did not stop within %u s; revoking its SC\n", vms[i]->id,
                   VMT_TIMEOUT_S);
        vm_stop(vms[i]);
    }
    return reap(vms, n) == 0;
}

bool vmt_poll(struct vm *vm, bool (*cond)(struct vm *vm))
{
    for (unsigned i = 0; i < VMT_TIMEOUT_S * 1000000ull / POLL_US; i++) {
        if (cond(vm))
            return true;
        vmt_sleep_us(POLL_US);
    }
    return CHECK(cond(vm));
}

bool vmt_check(const struct vm *vm, enum vm_end end, unsigned want)
{
    unsigned missing = want & ~vmt_stages(vm);
    for (unsigned i = 0; i < VMT_STAGES; i++)
        if (missing & (1u << i))
            con_printf("vm: vm%u never said \"%s\"\n", vm->id, stage_lines[i]);
    if (vm->end != end)
        con_printf("vm: vm%u ended as \"%s\", not \"%s\"\n", vm->id, vm_end_name(vm->end),
                   vm_end_name(end));
    return CHECK(vm->end == end) & CHECK(missing == 0) & CHECK(vm->errors == 0);
}
