// SPDX-License-Identifier: MIT
// AMD SVM virtual machine control block: field offsets and exit codes (AMD APM Vol. 2, App. B, C).
#pragma once

#include <stdint.h>

// Control area.
#define VMCB_INTERCEPT_CR    0x000
#define VMCB_INTERCEPT_EXC   0x008
#define VMCB_INTERCEPT_MISC1 0x00c
#define VMCB_INTERCEPT_MISC2 0x010
#define VMCB_IOPM_BASE       0x040
#define VMCB_MSRPM_BASE      0x048
#define VMCB_TSC_OFFSET      0x050
#define VMCB_ASID            0x058
#define VMCB_TLB_CONTROL     0x05c
#define VMCB_INT_CTL         0x060
#define VMCB_INT_STATE       0x068
#define VMCB_EXITCODE        0x070
#define VMCB_EXITINFO1       0x078
#define VMCB_EXITINFO2       0x080
#define VMCB_EXITINTINFO     0x088
#define VMCB_NP_ENABLE       0x090
#define VMCB_EVENTINJ        0x0a8
#define VMCB_NCR3            0x0b0

// State-save area: segments are 16 bytes each (selector, attributes, limit, base).
#define VMCB_ES     0x400
#define VMCB_CS     0x410
#define VMCB_SS     0x420
#define VMCB_DS     0x430
#define VMCB_FS     0x440
#define VMCB_GS     0x450
#define VMCB_GDTR   0x460
#define VMCB_LDTR   0x470
#define VMCB_IDTR   0x480
#define VMCB_TR     0x490
#define VMCB_CPL    0x4cb
#define VMCB_EFER   0x4d0
#define VMCB_CR4    0x548
#define VMCB_CR3    0x550
#define VMCB_CR0    0x558
#define VMCB_DR7    0x560
#define VMCB_DR6    0x568
#define VMCB_RFLAGS 0x570
#define VMCB_RIP    0x578
#define VMCB_RSP    0x5d8
#define VMCB_RAX    0x5f8
#define VMCB_CR2    0x640
#define VMCB_GPAT   0x668

// Intercept bits.
#define MISC1_INTR     (1u << 0)
#define MISC1_NMI      (1u << 1)
#define MISC1_VINTR    (1u << 4)
#define MISC1_CPUID    (1u << 18)
#define MISC1_HLT      (1u << 24)
#define MISC1_IOIO     (1u << 27)
#define MISC1_MSR      (1u << 28)
#define MISC1_SHUTDOWN (1u << 31)
#define MISC2_VMRUN    (1u << 0)
#define MISC2_VMMCALL  (1u << 1)
#define MISC2_VMLOAD   (1u << 2)
#define MISC2_VMSAVE   (1u << 3)
#define MISC2_STGI     (1u << 4)
#define MISC2_CLGI     (1u << 5)
#define MISC2_SKINIT   (1u << 6)

#define INT_CTL_V_IRQ          (1ull << 8)
#define INT_CTL_V_INTR_MASKING (1ull << 24)
#define TLB_FLUSH_GUEST        1
#define EFER_SVME              (1ull << 12)

// Exit codes.
#define SVM_EXIT_CR0_READ  0x000
#define SVM_EXIT_CR0_WRITE 0x010
#define SVM_EXIT_EXC_BASE  0x040
#define SVM_EXIT_INTR      0x060
#define SVM_EXIT_NMI       0x061
#define SVM_EXIT_VINTR     0x064
#define SVM_EXIT_CPUID     0x072
#define SVM_EXIT_HLT       0x078
#define SVM_EXIT_IOIO      0x07b
#define SVM_EXIT_MSR       0x07c
#define SVM_EXIT_SHUTDOWN  0x07f
#define SVM_EXIT_VMRUN     0x080
#define SVM_EXIT_VMMCALL   0x081
#define SVM_EXIT_NPF       0x400
#define SVM_EXIT_INVALID   0xffffffffu // compare the low 32 bits: QEMU reports it 64-bit

static inline uint64_t vmcb_rd(const void *vmcb, unsigned off)
{
    return *(const volatile uint64_t *)((const char *)vmcb + off);
}
static inline void vmcb_wr(void *vmcb, unsigned off, uint64_t v)
{
    *(volatile uint64_t *)((char *)vmcb + off) = v;
}
static inline uint32_t vmcb_rd32(const void *vmcb, unsigned off)
{
    return *(const volatile uint32_t *)((const char *)vmcb + off);
}
static inline void vmcb_wr32(void *vmcb, unsigned off, uint32_t v)
{
    *(volatile uint32_t *)((char *)vmcb + off) = v;
}
