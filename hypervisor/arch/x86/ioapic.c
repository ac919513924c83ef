// SPDX-License-Identifier: MIT
// I/O APICs: route a global system interrupt (GSI) to a vector on one CPU.
#include "arch/x86/ioapic.h"
#include "mm/mmio.h"

#define MAX_IOAPICS 8
#define REG_VER     0x01
#define REG_RTE     0x10 // entry n: low word at 0x10 + 2n, high word at 0x11 + 2n
#define RTE_ACTIVE_LOW (1u << 13)
#define RTE_LEVEL      (1u << 15)
#define RTE_MASKED     (1u << 16)

struct ioapic {
    volatile uint32_t *regs;
    uint32_t gsi_base, lines;
};

static struct ioapic apics[MAX_IOAPICS];
static unsigned count, gsi_count;

static uint32_t rd(const struct ioapic *a, unsigned reg)
{
    a->regs[0] = reg;
    return a->regs[4];
}

static void wr(const struct ioapic *a, unsigned reg, uint32_t v)
{
    a->regs[0] = reg;
    a->regs[4] = v;
}

void ioapic_add(uint64_t phys, uint32_t gsi_base)
{
    if (count == MAX_IOAPICS)
        return;
    struct ioapic *a = &apics[count++];
    a->regs = mmio_map(phys, 0x20);
    a->gsi_base = gsi_base;
    a->lines = (rd(a, REG_VER) >> 16 & 0xff) + 1;
    for (unsigned i = 0; i < a->lines; i++)
        wr(a, REG_RTE + 2 * i, RTE_MASKED);
    if (gsi_base + a->lines > gsi_count)
        gsi_count = gsi_base + a->lines > GSI_MAX ? GSI_MAX : gsi_base + a->lines;
}

unsigned ioapic_gsi_count(void) { return gsi_count; }

static struct ioapic *find(unsigned gsi, unsigned *line)
{
    for (unsigned i = 0; i < count; i++)
        if (gsi >= apics[i].gsi_base && gsi < apics[i].gsi_base + apics[i].lines) {
            *line = gsi - apics[i].gsi_base;
            return &apics[i];
        }
    return 0;
}

bool ioapic_route(unsigned gsi, unsigned apic_id, unsigned vector, bool level, bool active_low)
{
    unsigned line;
    struct ioapic *a = find(gsi, &line);
    if (!a)
        return false;
    wr(a, REG_RTE + 2 * line, RTE_MASKED);
    wr(a, REG_RTE + 2 * line + 1, apic_id << 24);
    wr(a, REG_RTE + 2 * line, vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0));
    return true;
}

void ioapic_mask(unsigned gsi, bool masked)
{
    unsigned line;
    struct ioapic *a = find(gsi, &line);
    if (!a)
        return;
    uint32_t lo = rd(a, REG_RTE + 2 * line);
    wr(a, REG_RTE + 2 * line, masked ? lo | RTE_MASKED : lo & ~RTE_MASKED);
}
