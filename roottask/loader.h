// SPDX-License-Identifier: MIT
// The program loader: a boot module that is an ELF executable becomes a running program PD.
#pragma once

#include <stdbool.h>

#include "programs.h"

/*
 * Starts p (the caller holds the lock): a new PD with the ELF image, a stack, the start
 * info and park stub pages, the console ports and the ports of ioports=, its portals
 * (memory, names, supervisor, events), a parking semaphore, and a global main EC on its CPU
 * with an SC of its priority and quantum. The EC first takes a start-up event that sets
 * RIP, RSP, RDI and RSI (supervise.c). Everything it is given is in p's ledgers and selector
 * block. False (after a "root: program X: ..." message, with nothing left held) on failure.
 */
bool loader_start(struct program *p);

// Takes back what loader_start gave p: its objects (the root's capabilities in p's selector
// block, so the kernel destroys them), the pages of its image ledger, its ports (with the
// PD). The memory and name services release their part themselves.
void loader_release(struct program *p);
