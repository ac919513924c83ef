// SPDX-License-Identifier: MIT
// Virtual memory layout of the kernel, shared by C, assembly and the linker script.
#pragma once

// The kernel image runs in the top 2 GiB (-mcmodel=kernel), at KERNEL_VMA + physical.
#define KERNEL_VMA  0xffffffff80000000
#define KERNEL_PHYS 0x100000

// Boot page tables map this much physical memory at 0 and at KERNEL_VMA.
#define BOOT_MAP_SIZE 0x40000000

#define BOOT_STACK_SIZE 0x4000

// Selectors; the order kernel code, kernel data, user data, user code is what SYSRET needs.
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA 0x1b
#define SEL_UCODE 0x23
#define SEL_TSS   0x28
