// SPDX-License-Identifier: MIT
// Virtual CPUs: the create_ec flag, the neutral VM-exit events and the guest state in the UTCB.
#ifndef NOVA_VCPU_H
#define NOVA_VCPU_H

#include <stdint.h>

// create_ec flag: the EC is a virtual CPU of its PD's guest.
#define NOVA_EC_VCPU 0x2

// VM exits are events, relative to the vCPU's event base, the same for SVM and VMX.
// Guest exceptions that the VMM intercepts arrive by vector (0-31); start-up and recall
// are NOVA_EVT_STARTUP and NOVA_EVT_RECALL as for any EC.
enum nova_vmexit {
    NOVA_VMEXIT_CPUID = 34,
    NOVA_VMEXIT_IO = 35,       // qual[0]: port << 16 | size (1, 2, 4) << 4 | string 0x4 | rep 0x8 | in 0x1
    NOVA_VMEXIT_HLT = 36,
    NOVA_VMEXIT_VMCALL = 37,   // VMMCALL or VMCALL
    NOVA_VMEXIT_MSR = 38,      // qual[0]: 0 read (RDMSR), 1 write (WRMSR); the MSR is in RCX
    NOVA_VMEXIT_NPF = 39,      // qual[0]: page-fault error code; qual[1]: guest-physical address
    NOVA_VMEXIT_INTR_WIN = 40, // the guest can take an interrupt now
    NOVA_VMEXIT_SHUTDOWN = 41, // triple fault: the guest cannot go on
    NOVA_VMEXIT_INVALID = 42,  // the hardware refused the guest state the VMM supplied
    NOVA_VMEXIT_CR = 43,       // qual[0]: control register number, qual[1]: 1 write
    NOVA_VMEXIT_OTHER = 44,    // qual[0]: the vendor's exit code
    NOVA_VMEXIT_MAX = 45,
};

struct nova_seg {
    uint16_t sel, attr; // attr: the 12-bit packed form (type, S, DPL, P, AVL, L, D, G)
    uint32_t limit;
    uint64_t base;
};

// Guest state in the handler's UTCB msg[] for a vCPU event; groups selected by NOVA_VMTD_*.
struct nova_vcpu_state {
    uint64_t rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi;
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rip, rflags;
    uint64_t cr0, cr2, cr3, cr4, efer;
    struct nova_seg cs, ss, ds, es, fs, gs, tr, ldtr, gdtr, idtr; // gdtr/idtr: limit, base
    uint64_t qual[2];   // exit qualification (see enum nova_vmexit)
    uint64_t inj;       // event to inject: NOVA_INJ_* (written back with NOVA_VMTD_INJ)
    uint64_t ctrl;      // NOVA_CTRL_*: requests of the VMM
    uint64_t intr_shadow; // bit 0: the guest is in an interrupt shadow
};

// Event injection: vector, type, error code, valid.
#define NOVA_INJ_VALID     (1ull << 31)
#define NOVA_INJ_EXTINT    (0ull << 8)
#define NOVA_INJ_NMI       (2ull << 8)
#define NOVA_INJ_EXC       (3ull << 8)
#define NOVA_INJ_SOFT      (4ull << 8)
#define NOVA_INJ_ERR_VALID (1ull << 11)
#define NOVA_INJ(vec, type) ((uint64_t)(vec) | (type) | NOVA_INJ_VALID)
// Bits 32-63: the error code.

// ctrl requests.
#define NOVA_CTRL_INTR_WIN 0x1 // exit as soon as the guest can take an interrupt

// Message transfer descriptor of vCPU events.
#define NOVA_VMTD_GPR_ACDB  0x0001u
#define NOVA_VMTD_GPR_BSD   0x0002u
#define NOVA_VMTD_RSP       0x0004u
#define NOVA_VMTD_RIP       0x0008u
#define NOVA_VMTD_RFLAGS    0x0010u
#define NOVA_VMTD_GPR_R8_15 0x0020u
#define NOVA_VMTD_QUAL      0x0040u // read only
#define NOVA_VMTD_CR        0x0080u // cr0, cr2, cr3, cr4, efer
#define NOVA_VMTD_SEG       0x0100u // cs ss ds es fs gs tr ldtr
#define NOVA_VMTD_DTR       0x0200u // gdtr idtr
#define NOVA_VMTD_INJ       0x0400u
#define NOVA_VMTD_CTRL      0x0800u
#define NOVA_VMTD_STATE     0x1000u // intr_shadow
#define NOVA_VMTD_ALL       0x1fffu

#define NOVA_VCPU_WORDS (sizeof(struct nova_vcpu_state) / 8)

_Static_assert(sizeof(struct nova_seg) == 16, "segment layout");
_Static_assert(sizeof(struct nova_vcpu_state) == 48 * 8, "vCPU state layout");

// Guest memory: a delegation whose destination has this bit set lands in the receiver's
// guest-physical space (page number in bits 0-62) instead of its address space.
#define NOVA_DEST_GUEST (1ull << 63)

#endif
