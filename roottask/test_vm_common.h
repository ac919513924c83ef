// SPDX-License-Identifier: MIT
// Shared steps of the VM scenarios: the test guest, booting VMs, waiting for them to stop.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/hip.h"
#include "testguest.h"
#include "vmm.h"

#define VMT_MODULE    "testguest.bin"
#define VMT_MEM_PAGES 512 // 2 MiB of guest RAM
#define VMT_TIMEOUT_S 60

// Console lines of the test guest that mark how far it got: bit (1 << stage).
enum vmt_stage {
    VMT_REAL,   // "guest: 16-bit mode"
    VMT_CPUID,  // "guest: cpuid vendor NOVAx86VMM"
    VMT_PING,   // "guest: vmmcall answered"
    VMT_PROT,   // "guest: 32-bit mode"
    VMT_LONG,   // "guest: 64-bit mode"
    VMT_IRQ,    // "guest: interrupt 0x20"
    VMT_HOLE,   // "guest: memory at 0x800000 works"
    VMT_DONE,   // "guest: done"
    VMT_TRIPLE, // "guest: about to triple fault"
    VMT_SPIN,   // "guest: spinning"
    VMT_RECALL, // "guest: recalled"
    VMT_CLI,    // "guest: interrupts off"
    VMT_WINDOW, // "guest: window interrupt"
    VMT_STAGES,
};
#define VMT_MODES                                                                                  \
    (1u << VMT_REAL | 1u << VMT_CPUID | 1u << VMT_PING | 1u << VMT_PROT | 1u << VMT_LONG)
#define VMT_NORMAL (VMT_MODES | 1u << VMT_IRQ | 1u << VMT_HOLE | 1u << VMT_DONE)

// Checks for SVM with nested paging and finds the guest module; false (a failed check) if not.
bool vmt_prepare(const struct nova_hip *hip);

// The highest online CPU: a VM there runs apart from the root task when there are two.
unsigned vmt_last_cpu(void);

// Creates VM id running the test guest in flavour (TESTGUEST_*) on cpu, and starts it.
bool vmt_boot(struct vm *vm, unsigned id, uint32_t flavour, unsigned cpu, vm_exit_hook *hook);

// The same with the scheduling of the vCPU's SC (0: the VMM's defaults) and no interrupt
// pending for the guest's first HLT.
struct vmt_opts {
    unsigned cpu;
    vm_exit_hook *hook;
    uint8_t prio;
    unsigned quantum_us;
};
bool vmt_boot_opts(struct vm *vm, unsigned id, uint32_t flavour, const struct vmt_opts *o);

// A timed down on a semaphore nobody ups: the caller sleeps us microseconds. Returns how long
// it took by the TSC, in microseconds (0 if the TSC rate is unknown).
uint64_t vmt_sleep_us(uint64_t us);

// The TSC in microseconds (0 if its rate is unknown).
uint64_t vmt_now_us(void);

// The 64-bit word of guest memory at gpa (in the guest's RAM), which the guest may change.
volatile uint64_t *vmt_word(struct vm *vm, uint64_t gpa);

// Waits until each of the n VMs has stopped, and revokes its SC; false on the timeout.
bool vmt_wait(struct vm *const *vms, unsigned n);

// Waits until cond(vm) holds, polling; false on the timeout.
bool vmt_poll(struct vm *vm, bool (*cond)(struct vm *vm));

// Exits of every kind the VM took.
uint64_t vmt_exit_total(const struct vm *vm);

// The stages the guest of vm reported so far.
unsigned vmt_stages(const struct vm *vm);

// How often the guest of vm printed the line of stage so far.
unsigned vmt_stage_count(const struct vm *vm, enum vmt_stage stage);

// The VM ended as end, with every stage of want seen, and the VMM saw no errors.
bool vmt_check(const struct vm *vm, enum vm_end end, unsigned want);
