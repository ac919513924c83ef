// SPDX-License-Identifier: MIT
// Serial console: polled writes to the 16550 UART on COM1, which the kernel has set up.
#include <stdarg.h>
#include <stdint.h>

#include "nova-user/console.h"
#include "nova-user/format.h"
#include "nova-user/hypercall.h"
#include "nova-user/tsc.h"
#include "nova-user/io.h"

#define COM1     0x3f8
#define REG_DATA 0
#define REG_LSR  5
#define LSR_THRE 0x20 // transmit holding register empty
#define LSR_TEMT 0x40 // transmitter empty: the last character has left

// Bounded wait: a missing or wedged UART must slow output down, not hang the program.
#define TX_SPIN_LIMIT 100000

static void put_raw(char c)
{
    for (unsigned i = 0; i < TX_SPIN_LIMIT && !(io_inb(COM1 + REG_LSR) & LSR_THRE); i++)
        cpu_pause();
    io_outb(COM1 + REG_DATA, (uint8_t)c);
}

void con_drain(void)
{
    for (unsigned i = 0; i < TX_SPIN_LIMIT && !(io_inb(COM1 + REG_LSR) & LSR_TEMT); i++)
        cpu_pause();
}

// Terminals want CR LF.
void con_putc(char c)
{
    if (c == '\n')
        put_raw('\r');
    put_raw(c);
}

// Output is collected per call and sent in one burst: several PDs share the UART, and a
// line written in one go is much less likely to be torn apart by a preemption.
#define LINE_BUFFER 160

struct line {
    unsigned len;
    char buf[LINE_BUFFER];
};

static void flush(struct line *l)
{
    for (unsigned i = 0; i < l->len; i++)
        con_putc(l->buf[i]);
    l->len = 0;
}

static void sink(void *ctx, char c)
{
    struct line *l = ctx;
    if (l->len == LINE_BUFFER)
        flush(l);
    l->buf[l->len++] = c;
}

// About 40 ms at 2.5 GHz: far longer than any line takes, short enough to go on without.
#define LOCK_WAIT_TICKS 100000000ull

static nova_sel lock_sm;
static bool have_lock_sm;

void con_set_lock(nova_sel sm)
{
    lock_sm = sm;
    have_lock_sm = true;
}

// Up only what was taken: an up after a timed-out wait would let two writers in later.
void con_vprintf(const char *fmt, va_list ap)
{
    struct line l;
    l.len = 0;
    bool locked =
        have_lock_sm && nova_sm_down_timed(lock_sm, nova_rdtsc() + LOCK_WAIT_TICKS) == NOVA_OK;
    fmt_vformat(sink, &l, fmt, ap);
    flush(&l);
    if (locked && nova_sm_up(lock_sm) != NOVA_OK)
        have_lock_sm = false; // the semaphore is gone: write without it
}

void con_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    con_vprintf(fmt, ap);
    va_end(ap);
}
