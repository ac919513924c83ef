// SPDX-License-Identifier: MIT
// Legacy 8259 PIC pair: moved off the exception vectors and masked.
#include "arch/x86/pic.h"
#include "arch/x86/cpu.h"

#define PIC1_CMD  0x20
#define PIC1_DATA 0x21
#define PIC2_CMD  0xa0
#define PIC2_DATA 0xa1
#define PIC_BASE  0x20 // vectors 0x20-0x2f: a spurious IRQ 7 or 15 is then no exception

// The BIOS leaves the PIC delivering IRQ 0-7 on vectors 8-15, where the CPU's exceptions
// live: initialise both controllers anew (ICW1-ICW4), then mask every line.
void pic_disable(void)
{
    outb(PIC1_CMD, 0x11);
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, PIC_BASE);
    outb(PIC2_DATA, PIC_BASE + 8);
    outb(PIC1_DATA, 0x04); // the slave sits on IRQ 2
    outb(PIC2_DATA, 0x02);
    outb(PIC1_DATA, 0x01); // 8086 mode
    outb(PIC2_DATA, 0x01);
    outb(PIC1_DATA, 0xff);
    outb(PIC2_DATA, 0xff);
}
