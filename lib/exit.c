// SPDX-License-Identifier: MIT
// Ending a user program: QEMU's or Bochs's exit device if enabled, then parking for good.
#include <stdbool.h>

#include "nova-user/console.h"
#include "nova-user/exit.h"
#include "nova-user/hypercall.h"
#include "nova-user/io.h"

// QEMU exits with status (value << 1) | 1: 33 for pass, 35 for fail.
#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_PASS 0x10
#define QEMU_EXIT_FAIL 0x11

// Bochs ends (with status 1 whatever the verdict) once "Shutdown" is written here byte by byte.
#define BOCHS_SHUTDOWN_PORT 0x8900

// How many selectors below the top of the object space to try for the parking semaphore.
#define PARK_SEARCH 64

static enum nova_exit_way exit_way;

void nova_exit_use(enum nova_exit_way way)
{
    exit_way = way;
}

// Searches from the top of the object space, far from where programs allocate selectors.
static bool free_selector(nova_sel *out)
{
    for (nova_sel sel = NOVA_SEL_MAX - 1; sel >= NOVA_SEL_MAX - PARK_SEARCH; sel--) {
        unsigned type;
        if (nova_lookup(sel, &type, 0) == NOVA_OK && type == NOVA_OBJ_NULL) {
            *out = sel;
            return true;
        }
    }
    return false;
}

// Blocking on a semaphore nobody ups gives the CPU to the other ECs; spinning would not.
static _Noreturn void park_forever(void)
{
    nova_sel sel;
    // NOVA_SEL_ROOT_PD: only the root task runs on this runtime so far.
    if (free_selector(&sel) && nova_create_sm(sel, NOVA_SEL_ROOT_PD, 0) == NOVA_OK)
        while (nova_sm_down(sel) == NOVA_OK)
            ; // woken although nobody holds the selector: park again
    for (;;)
        cpu_pause();
}

_Noreturn void nova_exit(int ok)
{
    // The verdict for Bochs, whose exit status cannot carry it; Bochs drops unsent output.
    if (exit_way != NOVA_EXIT_NONE) {
        con_printf("exit: %s\n", ok ? "pass" : "fail");
        con_drain();
    }
    if (exit_way == NOVA_EXIT_QEMU)
        io_outl(QEMU_EXIT_PORT, ok ? QEMU_EXIT_PASS : QEMU_EXIT_FAIL);
    if (exit_way == NOVA_EXIT_BOCHS)
        for (const char *s = "Shutdown"; *s; s++)
            io_outb(BOCHS_SHUTDOWN_PORT, (uint8_t)*s);
    park_forever();
}
