// SPDX-License-Identifier: MIT
// Program entry: the kernel starts the root EC here with RSP = stack top, RDI = HIP, RSI = UTCB.

    .text
    .globl _start
    .type _start, @function
_start:
    xor %ebp, %ebp              // ends the frame-pointer chain for debuggers
    and $-16, %rsp              // the SysV ABI wants RSP 16-aligned before a call
    mov %rdi, %rbx              // HIP and UTCB survive the first call in callee-saved registers
    mov %rsi, %r12
    call nova_runtime_init      // (hip)
    mov %rbx, %rdi
    mov %r12, %rsi
    call main                   // (hip, utcb)
    xor %edi, %edi              // main returns 0 for success, nova_exit wants ok != 0
    test %eax, %eax
    sete %dil
    call nova_exit
    ud2                         // nova_exit does not return
    .size _start, . - _start

    .section .note.GNU-stack,"",@progbits
