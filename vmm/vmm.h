// SPDX-License-Identifier: MIT
// The virtual machine monitor: VMs of one vCPU each, their exits handled by local ECs.
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nova/caps.h"
#include "nova/hip.h"
#include "nova/utcb.h"
#include "nova/vcpu.h"
#include "vmm_hc.h"

/*
 * A VM is a PD of its own (its guest-physical space and its vCPU live there); the VMM's
 * handlers are local ECs of the VMM's PD (for now the root PD), one per exit reason, each
 * behind a portal that the VM's PD finds at VM_EVT_BASE + exit. The VMM delegates guest
 * RAM from its own memory, so it reads and writes guest memory through its own mapping.
 *
 * Host services the VMM uses (the root task provides them for now): sel_alloc and
 * utcb_alloc (alloc.h), pages_alloc_aligned, pages_virt and pages_vpn (pages.h), con_printf.
 */

#define VMM_MAX_VMS   8
#define VM_EVT_BASE   64 // event base of the vCPU, in the VM's own object space
#define VM_LINE_MAX   128
#define VM_EXTRA_MAX  16 // pages the VMM maps on nested page faults beyond the RAM
#define VM_PRIO       32 // the root task's: a VM and the root take turns by quantum
#define VM_QUANTUM_US 10000

struct vm;

// Every complete line the guest writes to its console (COM1), without the newline.
typedef void vm_line_fn(struct vm *vm, const char *line);

// Called after the VMM handled an exit, before its reply: it may change the state and the
// groups written back (tests give a VM invalid state this way).
typedef void vm_exit_hook(struct vm *vm, unsigned exit, struct nova_vcpu_state *s, uint64_t *mtd);

struct vm_config {
    unsigned cpu;       // where the vCPU and its handlers run
    unsigned mem_pages; // guest RAM at guest-physical 0: a power of two, at most 2^18
    const void *image;  // the guest image, loaded at entry
    size_t image_size;
    uint64_t entry;      // guest-physical start, real mode: CS base entry, IP 0
    uint8_t irq_on_hlt;  // vector injected at the first HLT with interrupts on (0 none)
    nova_sel done_sm;    // the VMM ups it when the VM stops
    vm_line_fn *on_line; // may be NULL
    vm_exit_hook *hook;  // may be NULL
    void *priv;          // the caller's
    uint8_t prio;        // of the vCPU's SC: 0 for VM_PRIO
    unsigned quantum_us; // of the vCPU's SC: 0 for VM_QUANTUM_US
};

// Why a VM stopped.
enum vm_end {
    VM_RUNNING = 0,
    VM_FINISHED,     // the guest said it is done (VMMCALL VMM_HC_DONE)
    VM_TRIPLE_FAULT, // SHUTDOWN exit
    VM_INVALID,      // the hardware refused the state the VMM supplied
    VM_HALTED,       // HLT with nothing to wake the guest
    VM_ERROR,        // the VMM could not go on (an exit it cannot handle, a failed reply)
    VM_STOPPED,      // vm_halt stopped it
};

struct vm_handler {
    nova_sel ec, pt;
    struct nova_utcb *utcb;
};

struct vm {
    unsigned id;
    struct vm_config cfg;
    nova_sel pd, vcpu, sc, park_sm; // in the VMM's object space; sc is 0 until vm_start
    uint64_t ram_phys;              // guest RAM [0, cfg.mem_pages pages) is host-physical here
    uint64_t extra_pool;            // VM_EXTRA_MAX pages for nested page faults
    unsigned extra_count;           // of them mapped
    uint64_t extra_gpn[VM_EXTRA_MAX], extra_phys[VM_EXTRA_MAX];
    struct vm_handler handler[NOVA_VMEXIT_MAX];
    char line[VM_LINE_MAX]; // console output up to the next newline
    unsigned line_len;
    volatile uint8_t irq_pending; // vector to inject at the next chance, 0 none
    volatile bool halt_req;       // vm_halt asked the recall handler to stop the VM
    volatile enum vm_end end;     // written by a handler, read by the VMM's main thread
    volatile bool reaped;         // vm_stop ran
    volatile uint64_t exits[NOVA_VMEXIT_MAX];
    volatile uint64_t last_npf, errors;
    volatile uint64_t bench[VMM_BENCH_MAX]; // figures of VMM_HC_BENCH by index
    volatile unsigned bench_seen;           // bit i: bench[i] arrived
    volatile uint64_t mark;                 // the last VMM_HC_MARK
};

// Creates the VM: its PD, RAM with the image at cfg->entry, the handlers and the vCPU (not
// running yet). Prints why and returns false if something failed.
bool vm_create(struct vm *vm, unsigned id, const struct vm_config *cfg);

// Copies into guest memory (before the start, or while the vCPU waits in an exit).
bool vm_write(struct vm *vm, uint64_t gpa, const void *src, size_t size);

// The VMM's view of guest-physical [gpa, gpa + size): NULL unless it is RAM in one piece.
void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, size_t size);

// Binds the vCPU's SC: the guest starts (with its start-up exit).
bool vm_start(struct vm *vm);

// After the VM stopped (vm->end set, done_sm upped): revokes the vCPU's SC.
bool vm_stop(struct vm *vm);

/*
 * Asynchronous requests: they recall the vCPU (ec_ctrl), whose recall handler acts on them.
 * ec_ctrl reaches only an EC on the caller's CPU, so call them on the vCPU's CPU, from a
 * thread of a higher priority than the VM's (it preempts the vCPU and its handlers there).
 * One interrupt is pending at a time: raise the next once the guest took the last.
 */

// The guest gets an external interrupt at vector as soon as it can take one: at once if
// its interrupts are on, else at the interrupt window the recall handler asks for.
bool vm_interrupt(struct vm *vm, uint8_t vector);

// Stops the VM at its next recall event, as VM_STOPPED: the handler parks and ups done_sm.
bool vm_halt(struct vm *vm);

// The first boot module whose file name (the first word of its command line) ends in name.
const struct nova_hip_module *vmm_find_module(const struct nova_hip *hip, const char *name);

const char *vm_end_name(enum vm_end end);
