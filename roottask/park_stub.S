// SPDX-License-Identifier: MIT
// Code the root maps into every program: an EC of a program that faulted waits here.

/*
 * Data to the root, which copies it into a page of each program (loader.c); it runs there
 * at NOVA_PROG_PARK_STUB, position-independent. loader.c asserts the constants below.
 *
 * The EC blocks on the program's parking semaphore until the teardown. The teardown first
 * takes the program's event portals away and then ups the semaphore: an EC that a call
 * still keeps alive (a handler serving a client) wakes, raises #UD without a portal and
 * is ended by the kernel, so that its caller's call returns ABORTED (docs/roottask.md).
 */
    .section .rodata
    .globl park_stub_start, park_stub_end
park_stub_start:
    mov $0x10c, %edi    // sm_ctrl (12) with flag NOVA_SM_DOWN (1 << 8)
    mov $6, %esi        // NOVA_PROG_SEL_PARK
    xor %edx, %edx      // no deadline
    xor %eax, %eax
    syscall
    ud2                 // woken by the teardown (or the semaphore is gone): end here
park_stub_end:

    .section .note.GNU-stack,"",@progbits
