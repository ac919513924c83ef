// SPDX-License-Identifier: MIT
// VMCS encodings, controls and exit reasons the VMX backend uses (Intel SDM Vol. 3, App. B, C).
#pragma once

#include <stdint.h>

// Capability MSRs (Intel SDM Vol. 3, A.1-A.10).
#define MSR_FEATURE_CONTROL  0x3au
#define MSR_SYSENTER_CS      0x174u
#define MSR_SYSENTER_ESP     0x175u
#define MSR_SYSENTER_EIP     0x176u
#define MSR_VMX_PINBASED     0x481u
#define MSR_VMX_EXIT         0x483u
#define MSR_VMX_ENTRY        0x484u
#define MSR_VMX_CR0_FIXED0   0x486u
#define MSR_VMX_CR0_FIXED1   0x487u
#define MSR_VMX_CR4_FIXED0   0x488u
#define MSR_VMX_CR4_FIXED1   0x489u
#define MSR_VMX_EPT_VPID_CAP 0x48cu
#define VMX_BASIC_TRUE       (1ull << 55)
#define VMX_TRUE_OFFSET      0xcu // IA32_VMX_TRUE_PINBASED_CTLS is 0x48d, and so on
#define EPT_CAP_WALK4        (1ull << 6)
#define EPT_CAP_WB           (1ull << 14)
#define EPT_CAP_INVEPT_ALL   (1ull << 26)

// 16-bit fields.
#define VMCS_VPID         0x0000u
#define VMCS_GUEST_ES_SEL 0x0800u // ES, CS, SS, DS, FS, GS, LDTR, TR: + 2 each
#define VMCS_HOST_ES_SEL  0x0c00u
#define VMCS_HOST_CS_SEL  0x0c02u
#define VMCS_HOST_SS_SEL  0x0c04u
#define VMCS_HOST_DS_SEL  0x0c06u
#define VMCS_HOST_FS_SEL  0x0c08u
#define VMCS_HOST_GS_SEL  0x0c0au
#define VMCS_HOST_TR_SEL  0x0c0cu
// 64-bit fields.
#define VMCS_IO_BITMAP_A    0x2000u
#define VMCS_IO_BITMAP_B    0x2002u
#define VMCS_MSR_BITMAP     0x2004u
#define VMCS_EPTP           0x201au
#define VMCS_GUEST_PHYS     0x2400u
#define VMCS_LINK_POINTER   0x2800u
#define VMCS_GUEST_DEBUGCTL 0x2802u
#define VMCS_GUEST_EFER     0x2806u
#define VMCS_HOST_EFER      0x2c02u
// 32-bit fields.
#define VMCS_PIN_CTLS          0x4000u
#define VMCS_PROC_CTLS         0x4002u
#define VMCS_EXC_BITMAP        0x4004u
#define VMCS_EXIT_CTLS         0x400cu
#define VMCS_ENTRY_CTLS        0x4012u
#define VMCS_ENTRY_INTR        0x4016u
#define VMCS_ENTRY_ERROR       0x4018u
#define VMCS_ENTRY_LEN         0x401au
#define VMCS_PROC_CTLS2        0x401eu
#define VMCS_INSN_ERROR        0x4400u
#define VMCS_EXIT_REASON       0x4402u
#define VMCS_EXIT_INTR         0x4404u
#define VMCS_IDT_VEC_INFO      0x4408u
#define VMCS_IDT_VEC_ERROR     0x440au
#define VMCS_EXIT_LEN          0x440cu
#define VMCS_GUEST_ES_LIMIT    0x4800u // then the same order as the selectors, GDTR, IDTR
#define VMCS_GUEST_GDTR_LIMIT  0x4810u
#define VMCS_GUEST_IDTR_LIMIT  0x4812u
#define VMCS_GUEST_ES_AR       0x4814u
#define VMCS_GUEST_INTR_STATE  0x4824u
#define VMCS_GUEST_ACTIVITY    0x4826u
#define VMCS_GUEST_SYSENTER_CS 0x482au
#define VMCS_HOST_SYSENTER_CS  0x4c00u
// Natural-width fields.
#define VMCS_CR0_MASK          0x6000u
#define VMCS_CR4_MASK          0x6002u
#define VMCS_CR0_SHADOW        0x6004u
#define VMCS_CR4_SHADOW        0x6006u
#define VMCS_EXIT_QUAL         0x6400u
#define VMCS_GUEST_CR0         0x6800u
#define VMCS_GUEST_CR3         0x6802u
#define VMCS_GUEST_CR4         0x6804u
#define VMCS_GUEST_ES_BASE     0x6806u
#define VMCS_GUEST_GDTR_BASE   0x6816u
#define VMCS_GUEST_IDTR_BASE   0x6818u
#define VMCS_GUEST_DR7         0x681au
#define VMCS_GUEST_RSP         0x681cu
#define VMCS_GUEST_RIP         0x681eu
#define VMCS_GUEST_RFLAGS      0x6820u
#define VMCS_GUEST_PENDING_DBG 0x6822u
#define VMCS_HOST_CR0          0x6c00u
#define VMCS_HOST_CR3          0x6c02u
#define VMCS_HOST_CR4          0x6c04u
#define VMCS_HOST_FS_BASE      0x6c06u
#define VMCS_HOST_GS_BASE      0x6c08u
#define VMCS_HOST_TR_BASE      0x6c0au
#define VMCS_HOST_GDTR_BASE    0x6c0cu
#define VMCS_HOST_IDTR_BASE    0x6c0eu
#define VMCS_HOST_SYSENTER_ESP 0x6c10u
#define VMCS_HOST_SYSENTER_EIP 0x6c12u
#define VMCS_HOST_RSP          0x6c14u
#define VMCS_HOST_RIP          0x6c16u

// Controls (Intel SDM Vol. 3, 25.6-25.8).
#define PIN_EXT_INT        (1u << 0)
#define PIN_NMI            (1u << 3)
#define PROC_INTR_WINDOW   (1u << 2)
#define PROC_HLT           (1u << 7)
#define PROC_IO_UNCOND     (1u << 24)
#define PROC_MSR_BITMAP    (1u << 28)
#define PROC_SECONDARY     (1u << 31)
#define PROC2_EPT          (1u << 1)
#define PROC2_VPID         (1u << 5)
#define PROC2_UNRESTRICTED (1u << 7)
#define EXIT_HOST_64       (1u << 9)
#define EXIT_SAVE_EFER     (1u << 20)
#define EXIT_LOAD_EFER     (1u << 21)
#define ENTRY_IA32E        (1u << 9)
#define ENTRY_LOAD_EFER    (1u << 15)

// Basic exit reasons (Intel SDM Vol. 3, C); bit 31 marks a VM-entry failure.
#define EXIT_EXC_NMI       0
#define EXIT_EXT_INT       1
#define EXIT_TRIPLE_FAULT  2
#define EXIT_INTR_WINDOW   7
#define EXIT_CPUID         10
#define EXIT_HLT           12
#define EXIT_VMCALL        18
#define EXIT_CR            28
#define EXIT_IO            30
#define EXIT_RDMSR         31
#define EXIT_WRMSR         32
#define EXIT_EPT_VIOLATION 48
#define EXIT_ENTRY_FAIL    (1u << 31)

#define INTR_INFO_VALID (1u << 31)
#define INTR_TYPE_NMI   (2u << 8)
#define INTR_TYPE_MASK  (7u << 8)
#define VEC_UD          6

static inline uint64_t vmread(uint32_t field)
{
    uint64_t v;
    __asm__ volatile("vmread %1, %0" : "=r"(v) : "r"((uint64_t)field) : "cc");
    return v;
}

static inline void vmwrite(uint32_t field, uint64_t v)
{
    __asm__ volatile("vmwrite %1, %0" ::"r"((uint64_t)field), "r"(v) : "cc");
}
