// SPDX-License-Identifier: MIT
// Status codes every hypercall returns, and the kernel object types.
#ifndef NOVA_STATUS_H
#define NOVA_STATUS_H

enum nova_status {
    NOVA_OK = 0,            // success
    NOVA_TIMEOUT = 1,       // a timed operation expired
    NOVA_ABORTED = 2,       // the operation was cancelled (e.g. the partner went away)
    NOVA_BAD_HYPERCALL = 3, // no such hypercall number or sub-operation
    NOVA_BAD_CAP = 4,       // selector empty, out of range, or of the wrong object type
    NOVA_BAD_PAR = 5,       // an argument is out of range or a user pointer is invalid
    NOVA_BAD_FTR = 6,       // the hardware lacks a needed feature
    NOVA_BAD_CPU = 7,       // no such CPU, or the object lives on another CPU
    NOVA_BAD_DEV = 8,       // no such device
    NOVA_NO_MEM = 9,        // the kernel ran out of memory for the object
    NOVA_BUSY = 10,         // the destination selector is occupied
    NOVA_PERM = 11,         // the capability lacks a needed permission
};

enum nova_obj {
    NOVA_OBJ_NULL = 0,
    NOVA_OBJ_PD = 1,
    NOVA_OBJ_EC = 2,
    NOVA_OBJ_SC = 3,
    NOVA_OBJ_PT = 4,
    NOVA_OBJ_SM = 5,
};

#endif
