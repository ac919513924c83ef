// SPDX-License-Identifier: MIT
// Starting the other CPUs: INIT-SIPI-SIPI, a real-mode trampoline, and their entry to C.
#include "kernel/smp.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/tsc.h"
#include "kernel/cpus.h"
#include "kernel/lock.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/vcpu.h"
#include "lib/string.h"
#include "mm/memory.h"

#define AP_TRAMPOLINE   0x8000
#define AP_STACK_ORDER  2 // 16 KiB
#define AP_WAIT_MS      500

extern char ap_trampoline[], ap_trampoline_end[];
extern char ap_tr_cr3[], ap_tr_efer[], ap_tr_stack[], ap_tr_entry[], ap_tr_cpu[];

static volatile unsigned started;

void ap_main(unsigned cpu);

// The trampoline's data fields sit at fixed low physical addresses.
static void *low(char *sym) { return phys_to_virt((uint64_t)sym); }

__attribute__((noreturn)) void ap_main(unsigned cpu)
{
    struct percpu *p = cpu_data(cpu);
    percpu_init(cpu, p->kstack_top);
    gdt_init(cpu);
    idt_load();
    lapic_init();
    sched_init();
    if (vcpu_backend)
        vcpu_backend->cpu_init();
    printk("cpu %u: online, APIC id %u\n", cpu, lapic_id());
    // Online before the boot CPU hears of it: it reports the CPUs to the root task next.
    kernel_lock();
    cpu_set_online(cpu);
    __atomic_store_n(&started, cpu, __ATOMIC_RELEASE);
    resume_frame(kernel_exit());
}

static bool start_one(unsigned cpu)
{
    void *stack = pages_alloc(AP_STACK_ORDER);
    if (!stack)
        return false;
    uint64_t top = (uint64_t)stack + (PAGE_SIZE << AP_STACK_ORDER);
    cpu_data(cpu)->kstack_top = top;
    *(uint64_t *)low(ap_tr_stack) = top;
    *(uint32_t *)low(ap_tr_cpu) = cpu;
    lapic_send_init_sipi(cpu_apic_id(cpu), AP_TRAMPOLINE >> 12);
    for (uint64_t t = rdtsc(); rdtsc() - t < tsc_khz() * AP_WAIT_MS;)
        if (__atomic_load_n(&started, __ATOMIC_ACQUIRE) == cpu)
            return true;
    return false;
}

// The trampoline switches to paging with the kernel's page table, so that table maps the
// trampoline page where it lies while the switch happens.
static bool prepare(void)
{
    memcpy(phys_to_virt(AP_TRAMPOLINE), ap_trampoline, ap_trampoline_end - ap_trampoline);
    *(uint32_t *)low(ap_tr_cr3) = (uint32_t)virt_to_phys(kernel_pml4());
    *(uint32_t *)low(ap_tr_efer) = (uint32_t)rdmsr(MSR_EFER);
    *(uint64_t *)low(ap_tr_entry) = (uint64_t)ap_main;
    return pt_map(kernel_pml4(), AP_TRAMPOLINE, AP_TRAMPOLINE, PTE_W, 0) == NOVA_OK;
}

unsigned smp_start(void)
{
    unsigned up = 0;
    if (cpu_count() < 2 || !prepare())
        return 0;
    for (unsigned cpu = 1; cpu < cpu_count(); cpu++) {
        // The AP only takes the lock after it reported in; let it run while we wait.
        kernel_unlock();
        bool ok = start_one(cpu);
        kernel_lock();
        if (ok)
            up++;
        else
            printk("cpu %u: APIC id %u did not start\n", cpu, cpu_apic_id(cpu));
    }
    pt_unmap(kernel_pml4(), AP_TRAMPOLINE);
    return up;
}
