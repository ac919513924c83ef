// SPDX-License-Identifier: MIT
// Instruction decoding from guest memory: the few instructions whose exits need it.
#include "decode.h"
#include "vmm_int.h"

#define EFER_LMA       0x400ull
#define SEG_ATTR_L     0x200u // 64-bit code segment, in the packed attribute form
#define OP_TWO_BYTE    0x0f
#define OP_MOV_FROM_CR 0x20
#define OP_MOV_TO_CR   0x22

bool decode_long_mode(const struct nova_vcpu_state *s)
{
    return (s->efer & EFER_LMA) && (s->cs.attr & SEG_ATTR_L);
}

// Identity: guest-linear is guest-physical (real mode, unpaged or 1:1-paged protected mode).
unsigned decode_fetch(struct vm *vm, const struct nova_vcpu_state *s, uint8_t *buf, unsigned n)
{
    bool lm = decode_long_mode(s);
    uint64_t linear = lm ? s->rip : (s->cs.base + (s->rip & 0xffffffffull)) & 0xffffffffull;
    unsigned got = 0;
    for (const uint8_t *p; got < n && (p = vm_gpa_ptr(vm, linear + got, 1)); got++)
        buf[got] = *p;
    return got;
}

static bool is_legacy_prefix(uint8_t b)
{
    switch (b) {
    case 0x26:
    case 0x2e:
    case 0x36:
    case 0x3e:
    case 0x64:
    case 0x65: // segment overrides
    case 0x66:
    case 0x67:
    case 0xf0:
    case 0xf2:
    case 0xf3: // sizes, lock, rep
        return true;
    default:
        return false;
    }
}

// Legacy prefixes, then (in 64-bit code) one REX prefix: their count; *rex gets the REX byte.
static unsigned skip_prefixes(const uint8_t *b, unsigned n, bool long_mode, uint8_t *rex)
{
    unsigned i = 0;
    while (i < n && i < INSN_MAX && is_legacy_prefix(b[i]))
        i++;
    *rex = 0;
    if (long_mode && i < n && (b[i] & 0xf0) == 0x40)
        *rex = b[i++];
    return i;
}

unsigned decode_io_length(const uint8_t *b, unsigned n, bool long_mode)
{
    uint8_t rex;
    unsigned i = skip_prefixes(b, n, long_mode, &rex);
    if (i >= n)
        return 0;
    switch (b[i]) {
    case 0xe4:
    case 0xe5:
    case 0xe6:
    case 0xe7: // IN/OUT with an imm8 port
        return i + 2 <= n ? i + 2 : 0;
    case 0xec:
    case 0xed:
    case 0xee:
    case 0xef: // IN/OUT with the port in DX
    case 0x6c:
    case 0x6d:
    case 0x6e:
    case 0x6f: // INS/OUTS
        return i + 1;
    default:
        return 0;
    }
}

bool decode_mov_cr(const uint8_t *b, unsigned n, bool long_mode, struct mov_cr *m)
{
    uint8_t rex;
    unsigned i = skip_prefixes(b, n, long_mode, &rex);
    if (i + 3 > n || b[i] != OP_TWO_BYTE ||
        (b[i + 1] != OP_MOV_TO_CR && b[i + 1] != OP_MOV_FROM_CR))
        return false;
    uint8_t modrm = b[i + 2]; // the mod field is ignored: the operand is always a register
    m->write = b[i + 1] == OP_MOV_TO_CR;
    m->cr = ((modrm >> 3) & 7) | (rex & 0x4 ? 8 : 0);
    m->gpr = (modrm & 7) | (rex & 0x1 ? 8 : 0);
    m->len = i + 3;
    return true;
}

// struct nova_vcpu_state starts with the 16 general registers in x86 numbering.
_Static_assert(__builtin_offsetof(struct nova_vcpu_state, r15) == 15 * 8, "GPR order");

uint64_t *decode_gpr(struct nova_vcpu_state *s, unsigned index)
{
    return (uint64_t *)(void *)s + (index & 15);
}
