// SPDX-License-Identifier: MIT
// Program entry: the root task starts a program here with RSP = stack top, RDI = UTCB,
// RSI = start info (nova-user/start_info.h).

    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp              // ends the frame-pointer chain for debuggers
    and $-16, %rsp              // the SysV ABI wants RSP 16-aligned before a call
    call nova_program_start     // (utcb, info); runs main and never returns
    ud2
    .size _start, . - _start

    .section .note.GNU-stack,"",@progbits
