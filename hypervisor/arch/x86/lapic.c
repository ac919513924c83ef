// SPDX-License-Identifier: MIT
// Local APIC: identification, end of interrupt, the one-shot timer and inter-processor interrupts.
#include "arch/x86/lapic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tsc.h"
#include "kernel/printk.h"
#include "mm/mmio.h"

#define MSR_APIC_BASE     0x1b
#define APIC_BASE_ENABLE  (1ull << 11)
#define APIC_BASE_ADDR    0xfffff000ull

#define REG_ID       0x020
#define REG_TPR      0x080
#define REG_EOI      0x0b0
#define REG_SVR      0x0f0
#define REG_ESR      0x280
#define REG_ICR_LO   0x300
#define REG_ICR_HI   0x310
#define REG_LVT_TMR  0x320
#define REG_LVT_LINT0 0x350
#define REG_LVT_LINT1 0x360
#define REG_LVT_ERR  0x370
#define REG_TMR_INIT 0x380
#define REG_TMR_CUR  0x390
#define REG_TMR_DIV  0x3e0

#define SVR_ENABLE      0x100
#define LVT_MASKED      0x10000
#define LVT_NMI         0x400
#define ICR_PENDING     0x1000
#define ICR_INIT        0x500
#define ICR_STARTUP     0x600
#define ICR_LEVEL_ASSERT 0x4000
#define DIV_BY_16       0x3
#define CALIBRATE_TICKS 0x1000000u

static volatile uint32_t *regs;
static uint64_t timer_khz; // timer counts per millisecond

static uint32_t rd(unsigned reg) { return regs[reg / 4]; }
static void wr(unsigned reg, uint32_t v) { regs[reg / 4] = v; }

unsigned lapic_id(void) { return rd(REG_ID) >> 24; }
void lapic_eoi(void) { wr(REG_EOI, 0); }
uint64_t lapic_timer_khz(void) { return timer_khz; }

// The timer runs from the bus clock, not the TSC: measure it once against the TSC.
static void calibrate(void)
{
    wr(REG_TMR_DIV, DIV_BY_16);
    wr(REG_LVT_TMR, LVT_MASKED | VEC_TIMER);
    uint64_t start = rdtsc();
    wr(REG_TMR_INIT, CALIBRATE_TICKS);
    while (rdtsc() - start < tsc_khz()) // one millisecond
        cpu_pause();
    uint32_t elapsed = CALIBRATE_TICKS - rd(REG_TMR_CUR);
    uint64_t tsc = rdtsc() - start;
    wr(REG_TMR_INIT, 0);
    timer_khz = tsc ? (uint64_t)elapsed * tsc_khz() / tsc : 0;
    if (!timer_khz)
        timer_khz = 1;
}

void lapic_init(void)
{
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
    if (!regs)
        regs = mmio_map(base & APIC_BASE_ADDR, 4096);
    wr(REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
    wr(REG_TPR, 0);
    wr(REG_LVT_LINT0, LVT_MASKED);
    wr(REG_LVT_LINT1, LVT_NMI);
    wr(REG_LVT_ERR, LVT_MASKED);
    wr(REG_ESR, 0);
    if (!timer_khz)
        calibrate();
    wr(REG_TMR_DIV, DIV_BY_16);
    wr(REG_LVT_TMR, VEC_TIMER); // one-shot
}

void lapic_timer_arm(uint64_t ticks)
{
    uint64_t count = ticks ? ticks * timer_khz / tsc_khz() + 1 : 0;
    wr(REG_TMR_INIT, count > 0xffffffffull ? 0xffffffffu : (uint32_t)count);
}

static void send(unsigned apic_id, uint32_t icr)
{
    wr(REG_ICR_HI, apic_id << 24);
    wr(REG_ICR_LO, icr);
    for (unsigned i = 0; i < 1000000 && (rd(REG_ICR_LO) & ICR_PENDING); i++)
        cpu_pause();
}

void lapic_send_ipi(unsigned apic_id, unsigned vector) { send(apic_id, vector); }

// INIT, then two STARTUPs (Intel SDM Vol. 3, 8.4.4.1); the delays are generous under emulation.
void lapic_send_init_sipi(unsigned apic_id, unsigned start_page)
{
    send(apic_id, ICR_INIT | ICR_LEVEL_ASSERT);
    uint64_t t = rdtsc();
    while (rdtsc() - t < tsc_khz() * 10)
        cpu_pause();
    for (int i = 0; i < 2; i++) {
        send(apic_id, ICR_STARTUP | (start_page & 0xff));
        t = rdtsc();
        while (rdtsc() - t < tsc_khz() / 5)
            cpu_pause();
    }
}
