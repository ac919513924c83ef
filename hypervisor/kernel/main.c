// SPDX-License-Identifier: MIT
// Kernel entry from the boot code: bring up the CPU, read the boot information, report.
#include "arch/x86/cpu.h"
#include "arch/x86/cpuinfo.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/memlayout.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/pic.h"
#include "arch/x86/serial.h"
#include "arch/x86/tsc.h"
#include "arch/x86/ioapic.h"
#include "arch/x86/lapic.h"
#include "boot/acpi.h"
#include "boot/multiboot.h"
#include "kernel/cpus.h"
#include "kernel/gsi.h"
#include "kernel/ec.h"
#include "kernel/exit.h"
#include "kernel/hip.h"
#include "kernel/lock.h"
#include "kernel/smp.h"
#include "kernel/printk.h"
#include "kernel/pt.h"
#include "kernel/root.h"
#include "kernel/sc.h"
#include "kernel/sched.h"
#include "kernel/sm.h"
#include "kernel/vcpu.h"
#include "kernel/version.h"
#include "kernel/xfer.h"
#include "lib/string.h"
#include "mm/memory.h"

#include <stdint.h>

void kernel_main(uint32_t magic, uint32_t info_phys);

static struct boot_info boot;
static struct cpu_info cpu;
static struct acpi_info acpi;

// The boot page tables map the first BOOT_MAP_SIZE bytes at KERNEL_VMA.
static const void *boot_phys_to_ptr(void *ctx, uint64_t phys, size_t len)
{
    (void)ctx;
    if (phys >= BOOT_MAP_SIZE || len > BOOT_MAP_SIZE - phys)
        return 0;
    return (const void *)(KERNEL_VMA + phys);
}

static const char *mem_type_name(uint32_t type)
{
    static const char *const names[] = {"?", "usable", "reserved", "ACPI data", "ACPI NVS",
                                        "bad"};
    return type < sizeof(names) / sizeof(names[0]) ? names[type] : "reserved";
}

static const char *yes(bool b) { return b ? "yes" : "no"; }

static void print_cpu(void)
{
    const char *brand = cpu.brand;
    while (*brand == ' ')
        brand++;
    printk("cpu: %s family %#x model %#x stepping %u: %s\n", cpu.vendor, cpu.family, cpu.model,
           cpu.stepping, brand);
    printk("cpu: TSC %lu kHz, %u physical and %u virtual address bits, NX %s\n", tsc_khz(),
           cpu.phys_bits, cpu.virt_bits, yes(cpu.nx));
    printk("virt: SVM %s (NPT %s, %u ASIDs), VMX %s (EPT %s, VPID %s, unrestricted guest %s)\n",
           yes(cpu.svm), yes(cpu.npt), cpu.svm_asids, yes(cpu.vmx), yes(cpu.ept), yes(cpu.vpid),
           yes(cpu.unrestricted));
}

static void print_boot_info(void)
{
    printk("boot: multiboot%u from \"%s\", command line \"%s\"\n", boot.loader,
           boot.loader_name, boot.cmdline);
    for (unsigned i = 0; i < boot.mem_count; i++)
        printk("  mem 0x%016lx-0x%016lx %s\n", boot.mem[i].base,
               boot.mem[i].base + boot.mem[i].size, mem_type_name(boot.mem[i].type));
    printk("memory: %lu MiB usable\n", boot_usable_bytes(&boot) >> 20);
    printk("modules: %u\n", boot.mod_count);
    for (unsigned i = 0; i < boot.mod_count; i++)
        printk("  module %u: 0x%lx-0x%lx (%lu bytes) \"%s\"\n", i, boot.mod[i].start,
               boot.mod[i].end, boot.mod[i].end - boot.mod[i].start, boot.mod[i].cmdline);
}

// "selftest=ud" proves on a real boot that an exception is caught and reported.
static void run_selftest(void)
{
    char what[16];
    if (!boot_cmdline_value(boot.cmdline, "selftest", what, sizeof(what)))
        return;
    printk("selftest: raising %s\n", what);
    if (what[0] == 'u' && what[1] == 'd' && !what[2])
        __asm__ volatile("ud2");
    if (what[0] == 'p' && what[1] == 'f' && !what[2])
        (void)*(volatile uint64_t *)0x8000000000ull; // nothing is mapped there
    panic("selftest: unknown kind \"%s\"", what);
}

extern char _kernel_end[], boot_kstack_top[];

// Memory the kernel keeps for its objects and page tables: "kmem=<MiB>", by default an
// eighth of RAM, at least 8 MiB.
static uint64_t kernel_pool_bytes(void)
{
    char val[16];
    uint64_t mib = 0;
    if (boot_cmdline_value(boot.cmdline, "kmem", val, sizeof(val)))
        for (const char *c = val; *c >= '0' && *c <= '9'; c++)
            mib = mib * 10 + (uint64_t)(*c - '0');
    if (!mib) {
        mib = (boot_usable_bytes(&boot) >> 20) / 8;
        if (mib < 8)
            mib = 8;
    }
    return mib << 20;
}

static void init_memory(void)
{
    struct phys_range keep[BOOT_MAX_MODULES + 1];
    unsigned n = 0;
    keep[n++] = (struct phys_range){KERNEL_PHYS, (uint64_t)_kernel_end - KERNEL_VMA};
    for (unsigned i = 0; i < boot.mod_count; i++)
        keep[n++] = (struct phys_range){boot.mod[i].start, boot.mod[i].end};
    memory_init(&boot, keep, n, kernel_pool_bytes());
    printk("memory: kernel pool %lu KiB free, direct map of %lu MiB\n",
           memory_free_pages() * 4, mem_top() >> 20);
    ec_cache_init();
    sc_cache_init();
    pt_cache_init();
    sm_cache_init();
    xfer_init();
}

// ACPI tables lie in RAM below the top of the direct map (or the BIOS area).
static const void *acpi_phys(void *ctx, uint64_t pa, size_t len)
{
    (void)ctx;
    if (pa >= mem_top() || len > mem_top() - pa)
        return 0;
    return phys_to_virt(pa);
}

// Interrupt controllers and CPUs from the ACPI MADT; without it, the boot CPU alone.
static void init_platform(void)
{
    const char *err = acpi_parse(&acpi, boot.rsdp_len ? boot.rsdp : 0, boot.rsdp_len, acpi_phys, 0);
    if (err) {
        printk("acpi: %s; running on the boot CPU without I/O APIC\n", err);
        acpi = (struct acpi_info){0};
    }
    lapic_init();
    cpu_set_online(cpu_add(lapic_id()));
    for (unsigned i = 0; i < acpi.cpu_count; i++)
        if (acpi.cpu[i].enabled)
            cpu_add(acpi.cpu[i].apic_id);
    for (unsigned i = 0; i < acpi.ioapic_count; i++)
        ioapic_add(acpi.ioapic[i].address, acpi.ioapic[i].gsi_base);
    sched_init();
    vcpu_select_backend();
    if (vcpu_backend)
        vcpu_backend->cpu_init();
    printk("platform: %u CPUs, %u I/O APICs with %u GSIs, local APIC timer %lu kHz\n",
           cpu_count(), acpi.ioapic_count, ioapic_gsi_count(), lapic_timer_khz());
}

void kernel_main(uint32_t magic, uint32_t info_phys)
{
    serial_init();
    percpu_init(0, (uint64_t)boot_kstack_top);
    gdt_init(0);
    idt_init();
    pic_disable();
    kernel_lock(); // held while this CPU runs kernel code, released before user mode
    printk("\n%s %s (x86_64)\n", NOVA_NAME, NOVA_VERSION);

    const void *info = boot_phys_to_ptr(0, info_phys, 8);
    const char *err = info ? mb_parse(&boot, magic, info, BOOT_MAP_SIZE - info_phys,
                                      boot_phys_to_ptr, 0)
                           : "multiboot: boot information outside the boot mapping";
    if (err)
        panic("boot: %s", err);
    char exit_mode[8];
    if (boot_cmdline_value(boot.cmdline, "exit", exit_mode, sizeof(exit_mode)))
        exit_select(exit_mode);

    cpuinfo_probe(&cpu);
    if (cpu.nx)
        paging_enable_nx();
    tsc_calibrate();
    print_cpu();
    print_boot_info();
    init_memory();
    run_selftest();

    init_platform();
    struct nova_hip *hip = hip_build(&boot, &cpu);
    hip_add_platform(hip, &acpi);
    err = root_create(&boot, hip);
    if (err)
        panic("root task: %s", err);
    if (gsi_init(root_pd()) != NOVA_OK)
        panic("root task: out of memory for the interrupt semaphores");
    unsigned aps = smp_start();
    hip_add_platform(hip, &acpi);
    printk("boot: %u of %u CPUs online; starting the root task\n", aps + 1, cpu_count());
    resume_frame(kernel_exit());
}
