// SPDX-License-Identifier: MIT
// Hypervisor information page: what the kernel tells the root PD about the machine.
#ifndef NOVA_HIP_H
#define NOVA_HIP_H

#include <stdint.h>

#define NOVA_HIP_SIGNATURE 0x4150494841564f4eull // "NOVAHIPA" in memory order
#define NOVA_HIP_MAX_CPUS  64
#define NOVA_HIP_MAX_MEM   64
#define NOVA_HIP_MAX_MODS  16
#define NOVA_HIP_CMDLINE   96

// Feature bits.
#define NOVA_HIP_FTR_SVM   0x01u
#define NOVA_HIP_FTR_NPT   0x02u
#define NOVA_HIP_FTR_VMX   0x04u
#define NOVA_HIP_FTR_EPT   0x08u
#define NOVA_HIP_FTR_IOMMU 0x10u
#define NOVA_HIP_FTR_VPID  0x20u

// Memory descriptor types.
enum nova_hip_mem_type {
    NOVA_HIP_MEM_FREE = 1,     // usable RAM the kernel does not use: the root PD's to manage
    NOVA_HIP_MEM_RESERVED = 2, // firmware, ACPI, device memory
    NOVA_HIP_MEM_KERNEL = 3,   // used by the kernel (image, page tables, object memory)
    NOVA_HIP_MEM_ROOT = 4,     // the root task's image, stack, UTCB, as the kernel loaded them
};

struct nova_hip_cpu {
    uint8_t present, apic_id, package, core;
    uint32_t reserved;
};

struct nova_hip_mem {
    uint64_t base, size; // physical bytes
    uint32_t type;       // enum nova_hip_mem_type
    uint32_t reserved;
};

struct nova_hip_module {
    uint64_t base, size; // physical bytes
    char cmdline[NOVA_HIP_CMDLINE];
};

struct nova_hip {
    uint64_t signature;
    uint32_t abi_version, length; // length of the whole HIP in bytes
    uint32_t features;            // NOVA_HIP_FTR_*
    uint32_t cpu_count;
    uint32_t mem_count, mod_count;
    uint64_t tsc_khz;             // 0 if unknown
    uint64_t phys_window;         // root virtual address = phys_window + physical address
    uint32_t sel_max;             // object-space size
    uint32_t svm_asids;
    uint8_t phys_bits, virt_bits;
    uint16_t gsi_count;  // GSIs the I/O APICs provide; semaphores at NOVA_SEL_ROOT_GSI
    uint8_t reserved[4];
    struct nova_hip_cpu cpu[NOVA_HIP_MAX_CPUS];
    struct nova_hip_mem mem[NOVA_HIP_MAX_MEM];
    struct nova_hip_module mod[NOVA_HIP_MAX_MODS];
    uint8_t isa_gsi[16];   // the GSI ISA interrupt i arrives on
    uint8_t isa_flags[16]; // its NOVA_GSI_LEVEL / NOVA_GSI_ACTIVE_LOW flags for assign_gsi
};

_Static_assert(sizeof(struct nova_hip_cpu) == 8, "HIP CPU descriptor");
_Static_assert(sizeof(struct nova_hip_mem) == 24, "HIP memory descriptor");
_Static_assert(sizeof(struct nova_hip_module) == 112, "HIP module descriptor");
_Static_assert(__builtin_offsetof(struct nova_hip, cpu) == 64, "HIP header");
_Static_assert(sizeof(struct nova_hip) <= 4096, "the HIP fits one page");

// Where the kernel maps things into the root PD.
#define NOVA_ROOT_HIP   0x7fffffffe000ull // the HIP, read-only
#define NOVA_ROOT_UTCB  0x7fffffffd000ull // the root EC's UTCB
#define NOVA_ROOT_STACK 0x7fffffff0000ull // top of the root EC's stack
#define NOVA_ROOT_STACK_PAGES 16

#endif
