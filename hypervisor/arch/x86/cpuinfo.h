// SPDX-License-Identifier: MIT
// What CPUID and the capability MSRs tell about the boot CPU.
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct cpu_info {
    char vendor[13];
    char brand[49];
    unsigned family, model, stepping;
    bool nx, svm, npt, vmx, ept, vpid, unrestricted;
    unsigned svm_asids; // number of address-space ids the SVM implementation offers
    unsigned phys_bits, virt_bits;
};

void cpuinfo_probe(struct cpu_info *ci);
