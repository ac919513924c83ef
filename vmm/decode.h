// SPDX-License-Identifier: MIT
// Instruction decoding for the exits without decode assists: lengths and operands.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "vmm.h"

#define INSN_MAX 15 // the longest x86 instruction

// The bytes at the guest's CS:RIP, at most n; returns how many are in guest RAM. With paging
// on, the guest must map its code 1:1 (the test guest maps its first 16 MiB so).
unsigned decode_fetch(struct vm *vm, const struct nova_vcpu_state *s, uint8_t *buf, unsigned n);

// The guest runs 64-bit code: EFER.LMA and CS.L.
bool decode_long_mode(const struct nova_vcpu_state *s);

// The length of the IN, OUT, INS or OUTS at b[0, n), prefixes included; 0 if it is none.
unsigned decode_io_length(const uint8_t *b, unsigned n, bool long_mode);

// MOV to or from a control register: 0F 22 /r (write) or 0F 20 /r (read).
struct mov_cr {
    unsigned len, cr, gpr; // gpr: the x86 register number (0 RAX ... 15 R15)
    bool write;
};
bool decode_mov_cr(const uint8_t *b, unsigned n, bool long_mode, struct mov_cr *m);

// The general register with x86 number index (0-15) in the state.
uint64_t *decode_gpr(struct nova_vcpu_state *s, unsigned index);
