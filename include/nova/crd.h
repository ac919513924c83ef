// SPDX-License-Identifier: MIT
// Capability range descriptors: a naturally aligned range of memory, I/O or object capabilities.
#ifndef NOVA_CRD_H
#define NOVA_CRD_H

#include <stdint.h>

// One 64-bit word: bits 0-1 type, 2-6 permissions, 7-11 order, 12-63 base.
// A descriptor covers [base, base + 2^order) in units of the type: pages for memory
// (base is a page number), ports for I/O, selectors for objects. base must be aligned
// to 2^order.
typedef uint64_t nova_crd;

enum nova_crd_type { NOVA_CRD_NULL = 0, NOVA_CRD_MEM = 1, NOVA_CRD_IO = 2, NOVA_CRD_OBJ = 3 };

#define NOVA_CRD_MEM_R 0x1u
#define NOVA_CRD_MEM_W 0x2u
#define NOVA_CRD_MEM_X 0x4u

#define NOVA_CRD(type, base, order, perm)                                                          \
    ((nova_crd)(type) | (nova_crd)((perm) & 0x1f) << 2 | (nova_crd)((order) & 0x1f) << 7 |        \
     (nova_crd)(base) << 12)
#define NOVA_CRD_TYPE(c)  ((unsigned)((c) & 0x3))
#define NOVA_CRD_PERM(c)  ((unsigned)(((c) >> 2) & 0x1f))
#define NOVA_CRD_ORDER(c) ((unsigned)(((c) >> 7) & 0x1f))
#define NOVA_CRD_BASE(c)  ((uint64_t)(c) >> 12)

#endif
