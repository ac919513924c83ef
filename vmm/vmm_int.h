// SPDX-License-Identifier: MIT
// Internals shared by the VMM's files: the handler entry, exits, console, guest memory.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "vmm.h"

// Portal ids: the VM's slot and the exit, so that one entry serves every handler.
#define VMM_ID(slot, exit) ((uint64_t)(slot) << 8 | (exit))
#define VMM_ID_SLOT(id)    ((unsigned)((id) >> 8))
#define VMM_ID_EXIT(id)    ((unsigned)((id)&0xff))

// exits.c: the entry of every handler EC, and which exits have handlers with which MTD.
_Noreturn void vmm_entry(uint64_t id);
bool exit_has_handler(unsigned exit);
uint64_t exit_mtd(unsigned exit);

// vm.c
struct vm *vm_by_slot(unsigned slot);
// Maps a fresh page of the VMM's memory at the page of gpa; false if out of room.
bool vm_map_page(struct vm *vm, uint64_t gpa);
bool vm_gpa_mapped(struct vm *vm, uint64_t gpa);

// console.c: one byte the guest wrote to its COM1 data register.
void console_out(struct vm *vm, char c);
