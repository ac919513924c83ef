// SPDX-License-Identifier: MIT
// Threads of the root task: global ECs in the root PD running a C function on a static stack.
#include "thread.h"
#include "alloc.h"
#include "nova-user/io.h"

// As if fn had been called: RSP + 8 is 16-byte aligned at a function's first instruction.
static uint64_t stack_top(uint64_t *stack, size_t words)
{
    return (((uint64_t)(uintptr_t)(stack + words)) & ~15ull) - 8;
}

enum nova_status thread_create(nova_sel ec, thread_fn *fn, uint64_t *stack, size_t words)
{
    uint64_t utcb_cpu0 = utcb_alloc();
    return nova_create_ec(ec, NOVA_SEL_ROOT_PD, utcb_cpu0, stack_top(stack, words),
                          (uint64_t)(uintptr_t)fn, 0, true);
}

_Noreturn void thread_park(nova_sel sm)
{
    while (nova_sm_down(sm) == NOVA_OK)
        ; // an unexpected up: park again
    for (;;)
        cpu_pause(); // the semaphore is gone; spinning is all that is left
}
