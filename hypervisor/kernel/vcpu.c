// SPDX-License-Identifier: MIT
// One interface for virtual CPUs; each vendor backend (SVM, VMX) implements it.
#include "kernel/vcpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/svm/svm.h"
#include "arch/x86/vmx/vmx.h"
#include "kernel/ec.h"
#include "kernel/ipc.h"
#include "kernel/lock.h"
#include "kernel/printk.h"
#include "kernel/sched.h"
#include "kernel/tlb.h"

const struct vcpu_ops *vcpu_backend;

void vcpu_select_backend(void)
{
    if (svm_usable())
        vcpu_backend = &svm_ops;
    else if (vmx_usable())
        vcpu_backend = &vmx_ops;
    if (vcpu_backend == &svm_ops)
        printk("vcpu: SVM backend (NPT)\n");
    else if (vcpu_backend == &vmx_ops)
        printk("vcpu: VMX backend (EPT, VPID, unrestricted guest)\n");
    else
        printk("vcpu: no usable virtualization\n");
}

void vcpu_run(struct ec *ec)
{
    for (;;) {
        // The guest runs without the kernel lock; this CPU alone touches its vCPU.
        tlb_shootdown();
        kernel_unlock();
        unsigned evt = vcpu_backend->run(ec->vcpu);
        if (evt == VCPU_HOST_IRQ)
            __asm__ volatile("sti; nop; cli" ::: "memory"); // the interrupt is taken here
        kernel_lock();
        if (evt < VCPU_HANDLED && !ipc_vcpu_event(ec, evt))
            ec_kill(ec, &ec->regs, "a VM exit without a portal");
        if (evt < VCPU_HANDLED || ec->pending || sched_must_choose())
            return;
    }
}
