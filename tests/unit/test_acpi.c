// SPDX-License-Identifier: MIT
// Unit tests for the ACPI RSDP/RSDT/XSDT discovery and MADT parser

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/acpi.h"

/*
 * Fake physical memory: the first MiB (EBDA, BIOS ROM area with the RSDP) and a 128 KiB block at
 * the top of a 128 MiB guest where QEMU/SeaBIOS put their tables. Every successful phys() call
 * returns a fresh heap copy of exactly the requested length, and frees the previous one, so
 * AddressSanitizer reports both a read beyond what the parser asked for and the use of a pointer
 * after the next phys() call (the parser promises one mapping window suffices).
 */

#define LOW_SIZE  0x100000u
#define HIGH_BASE 0x07FE0000u
#define HIGH_SIZE 0x20000u

#define RSDP_PA  0x000F58A0u // 16-aligned in the BIOS ROM area, as SeaBIOS does
#define EBDA_SEG 0x9FC0u
#define EBDA_PA  ((uint32_t)EBDA_SEG << 4)
#define FACS_PA  (HIGH_BASE + 0x000)
#define DSDT_PA  (HIGH_BASE + 0x040)
#define FACP_PA  (HIGH_BASE + 0x140)
#define MADT_PA  (HIGH_BASE + 0x240) // listed by the RSDT: 4 CPUs
#define HPET_PA  (HIGH_BASE + 0x300)
#define MCFG_PA  (HIGH_BASE + 0x340)
#define WAET_PA  (HIGH_BASE + 0x380)
#define RSDT_PA  (HIGH_BASE + 0x3C0)
#define XSDT_PA  (HIGH_BASE + 0x400)
#define MADT2_PA (HIGH_BASE + 0x480) // listed by the XSDT: 3 CPUs
#define SPARE_PA (HIGH_BASE + 0x800) // for tests that build their own tables
#define USED_LEN 0x600u              // bytes of the high block the good image occupies

struct fake {
    uint8_t *low, *high;
    void *win; // the one window handed out, freed by the next call
    unsigned long calls;
};

// Bytes [pa, pa + len) of fake memory, or NULL if they are not all inside one region.
static uint8_t *region(struct fake *fk, uint64_t pa, size_t len)
{
    if (pa < LOW_SIZE && len <= LOW_SIZE - pa) {
        return fk->low + pa;
    }
    if (pa >= HIGH_BASE && pa - HIGH_BASE < HIGH_SIZE && len <= HIGH_SIZE - (pa - HIGH_BASE)) {
        return fk->high + (pa - HIGH_BASE);
    }
    return NULL;
}

static const void *fake_phys(void *ctx, uint64_t pa, size_t len)
{
    struct fake *fk = ctx;
    assert_true(len >= 1);
    assert_true(++fk->calls < 1000000); // a runaway loop, not a parse
    free(fk->win);
    fk->win = NULL;
    const uint8_t *src = region(fk, pa, len);
    if (src == NULL) {
        return NULL;
    }
    fk->win = malloc(len);
    assert_non_null(fk->win);
    memcpy(fk->win, src, len);
    return fk->win;
}

// Writable fake memory for building images; the range must exist.
static uint8_t *at(struct fake *fk, uint64_t pa, size_t len)
{
    uint8_t *p = region(fk, pa, len);
    assert_non_null(p);
    return p;
}

static int fk_setup(void **state)
{
    struct fake *fk = calloc(1, sizeof(*fk));
    if (fk == NULL) {
        return -1;
    }
    fk->low = calloc(1, LOW_SIZE);
    fk->high = calloc(1, HIGH_SIZE);
    if (fk->low == NULL || fk->high == NULL) {
        return -1;
    }
    *state = fk;
    return 0;
}

static int fk_teardown(void **state)
{
    struct fake *fk = *state;
    free(fk->win);
    free(fk->low);
    free(fk->high);
    free(fk);
    return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put64(uint8_t *p, uint64_t v)
{
    put32(p, (uint32_t)v);
    put32(p + 4, (uint32_t)(v >> 32));
}

// Set p[at] so that p[0..n) sums to 0 mod 256.
static void fix_sum(uint8_t *p, size_t n, size_t at_off)
{
    uint8_t s = 0;
    p[at_off] = 0;
    for (size_t i = 0; i < n; i++) {
        s = (uint8_t)(s + p[i]);
    }
    p[at_off] = (uint8_t)-s;
}

/* ---------------------------------------------------------------- table builders */

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
    memset(t, 0, 36);
    memcpy(t, sig, 4);
    put32(t + 4, len);
    t[8] = rev;
    memcpy(t + 10, "BOCHS ", 6);
    memcpy(t + 16, "BXPC    ", 8);
    put32(t + 24, 1);
    memcpy(t + 28, "BXPC", 4);
    put32(t + 32, 1);
}

// Recompute the checksum of the SDT at pa from its current length field, if it fits in memory.
static void sdt_fix(struct fake *fk, uint64_t pa)
{
    uint8_t *h = region(fk, pa, 36);
    if (h == NULL) {
        return;
    }
    uint32_t len = get32(h + 4);
    uint8_t *t = region(fk, pa, len);
    if (len >= 10 && t != NULL) {
        fix_sum(t, len, 9);
    }
}

// A table we only need to be present, with some non-zero body so it is not mistaken for padding.
static void put_table(struct fake *fk, uint64_t pa, const char *sig, uint32_t len, uint8_t rev)
{
    uint8_t *t = at(fk, pa, len);
    sdt_header(t, sig, len, rev);
    for (uint32_t i = 36; i < len; i++) {
        t[i] = (uint8_t)(i * 7);
    }
    fix_sum(t, len, 9);
}

static void put_root(struct fake *fk, uint64_t pa, bool xsdt, const uint64_t *e, size_t n)
{
    unsigned w = xsdt ? 8 : 4;
    uint32_t len = 36 + (uint32_t)(n * w);
    uint8_t *t = at(fk, pa, len);
    sdt_header(t, xsdt ? "XSDT" : "RSDT", len, 1);
    for (size_t i = 0; i < n; i++) {
        if (xsdt) {
            put64(t + 36 + i * 8, e[i]);
        } else {
            put32(t + 36 + i * 4, (uint32_t)e[i]);
        }
    }
    fix_sum(t, len, 9);
}

// An RSDP: revision 0 (20 bytes) or 2 (36 bytes, length 36).
static void make_rsdp(uint8_t r[36], uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    memset(r, 0, 36);
    memcpy(r, "RSD PTR ", 8);
    memcpy(r + 9, "BOCHS ", 6);
    r[15] = rev;
    put32(r + 16, rsdt);
    fix_sum(r, 20, 8);
    if (rev >= 2) {
        put32(r + 20, 36);
        put64(r + 24, xsdt);
        fix_sum(r, 36, 32);
    }
}

static void put_rsdp(struct fake *fk, uint64_t pa, uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
    uint8_t r[36];
    make_rsdp(r, rev, rsdt, xsdt);
    memcpy(at(fk, pa, rev >= 2 ? 36 : 20), r, rev >= 2 ? 36 : 20);
}

struct madt {
    uint8_t b[2048];
    size_t n;
};

static void madt_begin(struct madt *m, uint32_t lapic, uint32_t flags)
{
    memset(m, 0, sizeof(*m));
    put32(m->b + 36, lapic);
    put32(m->b + 40, flags);
    m->n = 44;
}

static uint8_t *madt_ent(struct madt *m, uint8_t type, uint8_t len)
{
    assert_true(m->n + len <= sizeof(m->b));
    uint8_t *e = m->b + m->n;
    e[0] = type;
    e[1] = len;
    m->n += len;
    return e;
}

static void e_lapic(struct madt *m, uint8_t uid, uint8_t id, uint32_t flags)
{
    uint8_t *e = madt_ent(m, 0, 8);
    e[2] = uid;
    e[3] = id;
    put32(e + 4, flags);
}

static void e_ioapic(struct madt *m, uint8_t id, uint32_t addr, uint32_t gsi_base)
{
    uint8_t *e = madt_ent(m, 1, 12);
    e[2] = id;
    put32(e + 4, addr);
    put32(e + 8, gsi_base);
}

static void e_iso(struct madt *m, uint8_t bus, uint8_t irq, uint32_t gsi, uint16_t flags)
{
    uint8_t *e = madt_ent(m, 2, 10);
    e[2] = bus;
    e[3] = irq;
    put32(e + 4, gsi);
    put16(e + 8, flags);
}

static void e_nmi(struct madt *m, uint8_t uid, uint16_t flags, uint8_t lint)
{
    uint8_t *e = madt_ent(m, 4, 6);
    e[2] = uid;
    put16(e + 3, flags);
    e[5] = lint;
}

static void e_lapic_override(struct madt *m, uint64_t addr)
{
    put64(madt_ent(m, 5, 12) + 4, addr);
}

static void e_x2apic(struct madt *m, uint32_t id, uint32_t flags, uint32_t uid)
{
    uint8_t *e = madt_ent(m, 9, 16);
    put32(e + 4, id);
    put32(e + 8, flags);
    put32(e + 12, uid);
}

static void madt_put(struct fake *fk, uint64_t pa, struct madt *m)
{
    sdt_header(m->b, "APIC", (uint32_t)m->n, 3); // leaves the body from offset 36 alone
    fix_sum(m->b, m->n, 9);
    memcpy(at(fk, pa, m->n), m->b, m->n);
}

// What QEMU's pc/q35 machines describe: CPUs, one I/O APIC, IRQ0 -> GSI2, IRQ9 (SCI) level.
static void qemu_madt(struct madt *m, unsigned cpus, unsigned disabled)
{
    madt_begin(m, 0xFEE00000u, 1);
    for (unsigned i = 0; i < cpus; i++) {
        e_lapic(m, (uint8_t)i, (uint8_t)i, i == disabled ? 0 : 1);
    }
    e_ioapic(m, 0, 0xFEC00000u, 0);
    e_iso(m, 0, 0, 2, 0x0);
    e_iso(m, 0, 9, 9, 0xD); // active high (01), level (11)
    e_nmi(m, 0xFF, 0x0, 1);
}

/*
 * The good image: both an RSDT (MADT with 4 CPUs, the last disabled) and an XSDT (MADT with 3
 * CPUs, the last disabled, listed after FACP and others), so a test sees which root was used.
 * The RSDP at RSDP_PA is revision 0 or 2.
 */
static void good_image(struct fake *fk, uint8_t rev)
{
    memset(fk->high, 0, HIGH_SIZE);
    memset(fk->low, 0, LOW_SIZE);
    put16(at(fk, 0x40E, 2), EBDA_SEG);
    memcpy(at(fk, FACS_PA, 8), "FACS\x40\0\0\0", 8); // FACS has no checksum
    put_table(fk, DSDT_PA, "DSDT", 0x100, 1);
    put_table(fk, FACP_PA, "FACP", 244, 3);
    put_table(fk, HPET_PA, "HPET", 56, 1);
    put_table(fk, MCFG_PA, "MCFG", 60, 1);
    put_table(fk, WAET_PA, "WAET", 40, 1);
    struct madt m;
    qemu_madt(&m, 4, 3);
    madt_put(fk, MADT_PA, &m);
    qemu_madt(&m, 3, 2);
    madt_put(fk, MADT2_PA, &m);
    const uint64_t rsdt[] = {FACP_PA, MADT_PA, HPET_PA, MCFG_PA, WAET_PA};
    put_root(fk, RSDT_PA, false, rsdt, 5);
    const uint64_t xsdt[] = {FACP_PA, HPET_PA, MCFG_PA, WAET_PA, MADT2_PA};
    put_root(fk, XSDT_PA, true, xsdt, 5);
    put_rsdp(fk, RSDP_PA, rev, RSDT_PA, XSDT_PA);
}

// Parse with an exact-size heap copy of `n` bytes of the RSDP at pa (as multiboot2 hands over).
static const char *parse_copy_n(struct fake *fk, struct acpi_info *ai, uint64_t pa, size_t n)
{
    uint8_t *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, at(fk, pa, n), n);
    fk->calls = 0;
    const char *err = acpi_parse(ai, copy, n, fake_phys, fk);
    free(copy);
    return err;
}

static const char *parse_copy(struct fake *fk, struct acpi_info *ai, size_t n)
{
    return parse_copy_n(fk, ai, RSDP_PA, n);
}

static const char *parse_search(struct fake *fk, struct acpi_info *ai)
{
    fk->calls = 0;
    return acpi_parse(ai, NULL, 0, fake_phys, fk);
}

static void check_qemu(const struct acpi_info *ai, unsigned cpus)
{
    assert_int_equal(ai->lapic_address, 0xFEE00000u);
    assert_true(ai->pcat_compat);
    assert_int_equal(ai->cpu_count, cpus);
    assert_int_equal(ai->cpu_dropped, 0);
    for (unsigned i = 0; i < cpus; i++) {
        assert_int_equal(ai->cpu[i].apic_id, i);
        assert_int_equal(ai->cpu[i].uid, i);
        assert_int_equal(ai->cpu[i].enabled, i != cpus - 1);
        assert_false(ai->cpu[i].online_capable);
    }
    assert_int_equal(ai->ioapic_count, 1);
    assert_int_equal(ai->ioapic_dropped, 0);
    assert_int_equal(ai->ioapic[0].id, 0);
    assert_int_equal(ai->ioapic[0].address, 0xFEC00000u);
    assert_int_equal(ai->ioapic[0].gsi_base, 0);
    assert_int_equal(ai->override_count, 2);
    assert_int_equal(ai->override_dropped, 0);
    assert_int_equal(ai->override[0].irq, 0);
    assert_int_equal(ai->override[0].gsi, 2);
    assert_false(ai->override[0].active_low);
    assert_false(ai->override[0].level);
    assert_int_equal(ai->override[1].irq, 9);
    assert_int_equal(ai->override[1].gsi, 9);
    assert_false(ai->override[1].active_low);
    assert_true(ai->override[1].level);
    assert_int_equal(ai->nmi_count, 1);
    assert_int_equal(ai->nmi[0].uid, ACPI_UID_ALL);
    assert_int_equal(ai->nmi[0].lint, 1);
    assert_false(ai->nmi[0].active_low);
    assert_false(ai->nmi[0].level);
    assert_string_equal(ai->oem_id, "BOCHS ");
}

/* ---------------------------------------------------------------- good images */

static void test_v1_rsdt(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    assert_null(parse_copy(fk, &ai, 20));
    check_qemu(&ai, 4);
    assert_int_equal(ai.rsdp_revision, 0);
    assert_int_equal(ai.rsdp_address, 0); // the copy was used
    assert_false(ai.xsdt);
    assert_int_equal(ai.madt_address, MADT_PA);
}

static void test_v2_xsdt(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 2);
    assert_null(parse_copy(fk, &ai, 36));
    check_qemu(&ai, 3);
    assert_int_equal(ai.rsdp_revision, 2);
    assert_true(ai.xsdt);
    assert_int_equal(ai.madt_address, MADT2_PA);
}

// A revision 2 RSDP without an XSDT address falls back to the RSDT.
static void test_v2_zero_xsdt_uses_rsdt(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 2);
    put_rsdp(fk, RSDP_PA, 2, RSDT_PA, 0);
    assert_null(parse_copy(fk, &ai, 36));
    check_qemu(&ai, 4);
    assert_false(ai.xsdt);
}

// Only the 20-byte ACPI 1.0 part of a 2.0 RSDP (a multiboot2 "ACPI old" copy): use the RSDT.
static void test_v2_copy_of_20_bytes_uses_rsdt(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 2);
    assert_null(parse_copy(fk, &ai, 20));
    check_qemu(&ai, 4);
    assert_int_equal(ai.rsdp_revision, 2);
    assert_false(ai.xsdt);
}

static void test_isa_irq(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    uint32_t gsi;
    bool low, level;
    good_image(fk, 0);
    assert_null(parse_copy(fk, &ai, 20));
    acpi_isa_irq(&ai, 0, &gsi, &low, &level);
    assert_int_equal(gsi, 2);
    assert_false(low);
    assert_false(level);
    acpi_isa_irq(&ai, 9, &gsi, &low, &level);
    assert_int_equal(gsi, 9);
    assert_false(low);
    assert_true(level);
    for (unsigned irq = 1; irq < 16; irq++) {
        if (irq == 9) {
            continue;
        }
        acpi_isa_irq(&ai, irq, &gsi, &low, &level);
        assert_int_equal(gsi, irq);
        assert_false(low);
        assert_false(level);
    }
}

// Every polarity/trigger encoding, reserved (10b) ones included, and the other entry kinds.
static void test_entry_kinds(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    static const struct {
        uint16_t flags;
        bool low, level;
    } f[] = {
        {0x0, false, false}, {0x1, false, false}, {0x2, false, false}, {0x3, true, false},
        {0x4, false, false}, {0x8, false, false}, {0xC, false, true},  {0xF, true, true},
    };
    good_image(fk, 0);
    struct madt m;
    madt_begin(&m, 0xFEE00000u, 0);
    for (unsigned i = 0; i < 8; i++) {
        e_iso(&m, 0, (uint8_t)(i + 1), 20 + i, f[i].flags);
    }
    e_iso(&m, 1, 3, 30, 0xF);              // not ISA: ignored
    e_iso(&m, 0, 8, 40, 0xF);              // replaces the earlier IRQ8 override
    e_lapic_override(&m, 0xFEE0000000ull); // unaligned u64 at offset 4 of the entry
    e_x2apic(&m, 0x100, 1, 7);
    e_x2apic(&m, 0xFFFFFFFFu, 1, 8); // broadcast: ignored
    e_lapic(&m, 9, 0xFF, 1);         // broadcast: ignored
    e_lapic(&m, 10, 5, 2);           // online capable, not enabled
    e_lapic(&m, 11, 5, 1);           // same APIC id: merged
    e_x2apic(&m, 0x100, 0, 12);      // duplicate: merged, stays enabled
    e_nmi(&m, 3, 0xD, 0);
    uint8_t *e = madt_ent(&m, 0x7F, 3); // unknown type: skipped
    e[2] = 0xAA;
    e = madt_ent(&m, 1, 15); // I/O APIC entry longer than defined (later revision): accepted
    e[2] = 2;
    put32(e + 4, 0xFEC01000u);
    put32(e + 8, 24);
    madt_put(fk, MADT_PA, &m);
    assert_null(parse_copy(fk, &ai, 20));

    assert_false(ai.pcat_compat);
    assert_int_equal(ai.lapic_address, 0xFEE0000000ull);
    assert_int_equal(ai.override_count, 8);
    for (unsigned i = 0; i < 8; i++) {
        assert_int_equal(ai.override[i].irq, i + 1);
        if (i + 1 == 8) {
            assert_int_equal(ai.override[i].gsi, 40);
            assert_true(ai.override[i].active_low);
            assert_true(ai.override[i].level);
            continue;
        }
        assert_int_equal(ai.override[i].gsi, 20 + i);
        assert_int_equal(ai.override[i].active_low, f[i].low);
        assert_int_equal(ai.override[i].level, f[i].level);
    }
    uint32_t gsi;
    bool low, level;
    acpi_isa_irq(&ai, 3, &gsi, &low, &level); // the bus 1 override did not apply
    assert_int_equal(gsi, 22);
    assert_int_equal(ai.cpu_count, 2);
    assert_int_equal(ai.cpu[0].apic_id, 0x100);
    assert_int_equal(ai.cpu[0].uid, 7);
    assert_true(ai.cpu[0].enabled);
    assert_int_equal(ai.cpu[1].apic_id, 5);
    assert_int_equal(ai.cpu[1].uid, 10);
    assert_true(ai.cpu[1].enabled);
    assert_true(ai.cpu[1].online_capable);
    assert_int_equal(ai.nmi_count, 1);
    assert_int_equal(ai.nmi[0].uid, 3);
    assert_int_equal(ai.nmi[0].lint, 0);
    assert_false(ai.nmi[0].active_low);
    assert_true(ai.nmi[0].level);
    assert_int_equal(ai.ioapic_count, 1);
    assert_int_equal(ai.ioapic[0].id, 2);
    assert_int_equal(ai.ioapic[0].address, 0xFEC01000u);
    assert_int_equal(ai.ioapic[0].gsi_base, 24);
}

// An odd-length unknown entry first puts every later field at an odd address.
static void test_unaligned_entries(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    struct madt m;
    madt_begin(&m, 0xFEE00000u, 1);
    madt_ent(&m, 0x80, 3);
    e_x2apic(&m, 0x12345678u, 1, 0x9ABCDEF0u);
    e_ioapic(&m, 1, 0xFEC00000u, 0);
    e_iso(&m, 0, 0, 2, 0);
    madt_put(fk, MADT_PA, &m);
    assert_null(parse_copy(fk, &ai, 20));
    assert_int_equal(ai.cpu_count, 1);
    assert_int_equal(ai.cpu[0].apic_id, 0x12345678u);
    assert_int_equal(ai.cpu[0].uid, 0x9ABCDEF0u);
    assert_int_equal(ai.ioapic[0].address, 0xFEC00000u);
    assert_int_equal(ai.override[0].gsi, 2);
}

static void test_too_many(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    struct madt m;
    madt_begin(&m, 0xFEE00000u, 1);
    for (unsigned i = 0; i < 70; i++) {
        e_lapic(&m, (uint8_t)i, (uint8_t)i, 1);
    }
    for (unsigned i = 0; i < 10; i++) {
        e_x2apic(&m, 300 + i, 1, 300 + i);
    }
    for (unsigned i = 0; i < ACPI_MAX_IOAPICS + 2; i++) {
        e_ioapic(&m, (uint8_t)i, 0xFEC00000u + i * 0x1000, i * 24);
    }
    for (unsigned i = 0; i < ACPI_MAX_OVERRIDES + 4; i++) {
        e_iso(&m, 0, (uint8_t)i, 100 + i, 0);
    }
    for (unsigned i = 0; i < ACPI_MAX_NMIS + 1; i++) {
        e_nmi(&m, (uint8_t)i, 0, 1);
    }
    madt_put(fk, SPARE_PA, &m);
    const uint64_t rsdt[] = {FACP_PA, SPARE_PA};
    put_root(fk, RSDT_PA, false, rsdt, 2);
    assert_null(parse_copy(fk, &ai, 20));
    assert_int_equal(ai.cpu_count, ACPI_MAX_CPUS);
    assert_int_equal(ai.cpu_dropped, 80 - ACPI_MAX_CPUS);
    for (unsigned i = 0; i < ACPI_MAX_CPUS; i++) {
        assert_int_equal(ai.cpu[i].apic_id, i);
    }
    assert_int_equal(ai.ioapic_count, ACPI_MAX_IOAPICS);
    assert_int_equal(ai.ioapic_dropped, 2);
    assert_int_equal(ai.ioapic[ACPI_MAX_IOAPICS - 1].gsi_base, (ACPI_MAX_IOAPICS - 1) * 24);
    assert_int_equal(ai.override_count, ACPI_MAX_OVERRIDES);
    assert_int_equal(ai.override_dropped, 4);
    assert_int_equal(ai.nmi_count, ACPI_MAX_NMIS);
    assert_int_equal(ai.nmi_dropped, 1);
}

/* ---------------------------------------------------------------- BIOS area search */

static void test_search_bios_area(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    static const uint32_t slots[] = {0, 1, 0x55A, 0x1000, 0x1FFE};
    for (size_t i = 0; i < sizeof(slots) / sizeof(slots[0]); i++) {
        good_image(fk, 0);
        memset(at(fk, RSDP_PA, 20), 0, 20);
        uint32_t pa = 0xE0000u + slots[i] * 16;
        put_rsdp(fk, pa, 0, RSDT_PA, 0);
        assert_null(parse_search(fk, &ai));
        assert_int_equal(ai.rsdp_address, pa);
        check_qemu(&ai, 4);
    }
    // A 36-byte revision 2 RSDP ending just below 1 MiB.
    good_image(fk, 0);
    memset(at(fk, RSDP_PA, 20), 0, 20);
    put_rsdp(fk, 0xFFFD0, 2, RSDT_PA, XSDT_PA);
    assert_null(parse_search(fk, &ai));
    assert_int_equal(ai.rsdp_address, 0xFFFD0);
    assert_true(ai.xsdt);
    check_qemu(&ai, 3);
    // The good image's own RSDP, as SeaBIOS places it.
    good_image(fk, 2);
    assert_null(parse_search(fk, &ai));
    assert_int_equal(ai.rsdp_address, RSDP_PA);
}

static void test_search_skips_bad_and_misaligned(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    memset(at(fk, RSDP_PA, 20), 0, 20);
    put_rsdp(fk, 0xE0008, 0, RSDT_PA, 0); // not on a 16-byte boundary
    assert_string_equal(parse_search(fk, &ai), "acpi: no RSDP");

    put_rsdp(fk, 0xE0100, 0, RSDT_PA, 0);
    at(fk, 0xE0100, 20)[16] ^= 1; // a corrupted copy first ...
    put_rsdp(fk, 0xF0000, 0, RSDT_PA, 0);
    assert_null(parse_search(fk, &ai)); // ... is skipped for the good one
    assert_int_equal(ai.rsdp_address, 0xF0000);

    memset(at(fk, 0xF0000, 20), 0, 20); // only the corrupted one left: say why it failed
    assert_string_equal(parse_search(fk, &ai), "acpi: RSDP checksum");
}

static void test_search_ebda(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    memset(at(fk, RSDP_PA, 20), 0, 20);
    put_rsdp(fk, EBDA_PA, 0, RSDT_PA, 0);
    assert_null(parse_search(fk, &ai));
    assert_int_equal(ai.rsdp_address, EBDA_PA);

    memset(at(fk, EBDA_PA, 20), 0, 20);
    put_rsdp(fk, EBDA_PA + 1024 - 16, 0, RSDT_PA, 0); // last slot of the first KiB
    assert_null(parse_search(fk, &ai));
    assert_int_equal(ai.rsdp_address, EBDA_PA + 1024 - 16);

    memset(at(fk, EBDA_PA + 1024 - 16, 20), 0, 20);
    put_rsdp(fk, EBDA_PA + 1024, 0, RSDT_PA, 0); // beyond the first KiB: not searched
    assert_string_equal(parse_search(fk, &ai), "acpi: no RSDP");

    // The EBDA is searched before the BIOS ROM area.
    put_rsdp(fk, EBDA_PA + 0x40, 0, RSDT_PA, 0);
    put_rsdp(fk, 0xE0000, 0, RSDT_PA, 0);
    assert_null(parse_search(fk, &ai));
    assert_int_equal(ai.rsdp_address, EBDA_PA + 0x40);

    // Segment 0 means no EBDA; the ROM area is still searched.
    put16(at(fk, 0x40E, 2), 0);
    assert_null(parse_search(fk, &ai));
    assert_int_equal(ai.rsdp_address, 0xE0000);
}

static void test_no_rsdp(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    memset(at(fk, RSDP_PA, 20), 0, 20);
    assert_string_equal(parse_search(fk, &ai), "acpi: no RSDP");
    assert_string_equal(acpi_parse(&ai, NULL, 0, NULL, NULL), "acpi: no physical memory access");
    assert_string_equal(acpi_parse(NULL, NULL, 0, fake_phys, fk), "acpi: no output structure");
}

/* ---------------------------------------------------------------- malformed RSDP */

static void test_bad_rsdp(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    uint8_t *r = at(fk, RSDP_PA, 36);

    good_image(fk, 0);
    r[16] ^= 0x10;
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: RSDP checksum");

    good_image(fk, 0);
    r[0] = 'r';
    fix_sum(r, 20, 8);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: RSDP signature");

    good_image(fk, 0);
    assert_string_equal(parse_copy(fk, &ai, 19), "acpi: RSDP truncated");
    assert_string_equal(parse_copy(fk, &ai, 0), "acpi: RSDP truncated");

    good_image(fk, 0);
    put_rsdp(fk, RSDP_PA, 0, 0, 0);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: RSDP has no RSDT/XSDT address");

    good_image(fk, 2);
    r[33] ^= 1; // reserved byte: only the extended checksum covers it
    assert_string_equal(parse_copy(fk, &ai, 36), "acpi: RSDP extended checksum");

    static const uint32_t bad_len[] = {0, 20, 35, 4097, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
        good_image(fk, 2);
        put32(r + 20, bad_len[i]);
        fix_sum(r, 36, 32);
        assert_string_equal(parse_copy(fk, &ai, 36), "acpi: RSDP length");
    }

    good_image(fk, 2);
    put32(r + 20, 40); // more than the loader copied
    fix_sum(r, 40, 32);
    assert_string_equal(parse_copy(fk, &ai, 36), "acpi: RSDP truncated");
    assert_null(parse_copy_n(fk, &ai, RSDP_PA, 40)); // a longer copy is fine
    assert_true(ai.xsdt);
}

/* ---------------------------------------------------------------- malformed RSDT/XSDT */

static void test_bad_root(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;

    good_image(fk, 0);
    at(fk, RSDT_PA, 36)[20] ^= 1;
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table RSDT checksum");

    good_image(fk, 2);
    at(fk, XSDT_PA, 36)[20] ^= 1;
    assert_string_equal(parse_copy(fk, &ai, 36), "acpi: table XSDT checksum");

    good_image(fk, 0);
    put_rsdp(fk, RSDP_PA, 0, XSDT_PA, 0); // RSDT address pointing at the XSDT
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table RSDT signature");

    good_image(fk, 0);
    put_rsdp(fk, RSDP_PA, 0, 0x40000000u, 0); // not memory
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table RSDT unreadable");

    good_image(fk, 2);
    put_rsdp(fk, RSDP_PA, 2, RSDT_PA, 0xFFFFFFFFFFFFFFF0ull); // would wrap past 2^64
    assert_string_equal(parse_copy(fk, &ai, 36), "acpi: table XSDT unreadable");

    good_image(fk, 0);
    put32(at(fk, RSDT_PA, 36) + 4, 35);
    sdt_fix(fk, RSDT_PA);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table RSDT length");

    good_image(fk, 0);
    put32(at(fk, RSDT_PA, 36) + 4, HIGH_BASE + HIGH_SIZE - RSDT_PA + 1); // past the memory end
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table RSDT truncated");

    // A trailing partial entry is ignored.
    good_image(fk, 0);
    put32(at(fk, RSDT_PA, 36) + 4, 36 + 4 * 5 + 3);
    sdt_fix(fk, RSDT_PA);
    assert_null(parse_copy(fk, &ai, 20));
}

static void test_no_madt(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    good_image(fk, 0);
    const uint64_t none[] = {FACP_PA, HPET_PA, 0, MCFG_PA};
    put_root(fk, RSDT_PA, false, none, 4);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: no MADT");

    put_root(fk, RSDT_PA, false, none, 0); // no entries at all
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: no MADT");

    const uint64_t unreadable[] = {FACP_PA, 0xDEAD0000u};
    put_root(fk, RSDT_PA, false, unreadable, 2);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: no MADT (unreadable tables skipped)");

    // Unreadable and null entries before the MADT are skipped.
    const uint64_t later[] = {0xDEAD0000u, 0, FACP_PA, MADT_PA};
    put_root(fk, RSDT_PA, false, later, 4);
    assert_null(parse_copy(fk, &ai, 20));
    check_qemu(&ai, 4);

    // The XSDT's 64-bit entries are used as such: the high half matters.
    good_image(fk, 2);
    const uint64_t high[] = {FACP_PA, (uint64_t)1 << 32 | MADT2_PA};
    put_root(fk, XSDT_PA, true, high, 2);
    assert_string_equal(parse_copy(fk, &ai, 36), "acpi: no MADT (unreadable tables skipped)");
}

/* ---------------------------------------------------------------- malformed MADT */

static void test_bad_madt_table(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;
    uint8_t *h = at(fk, MADT_PA, 44);

    good_image(fk, 0);
    h[37] ^= 0x40;
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table APIC checksum");

    good_image(fk, 0);
    put32(h + 4, 48); // longer than the table but inside memory: checksum no longer holds
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table APIC checksum");

    good_image(fk, 0);
    put32(h + 4, HIGH_BASE + HIGH_SIZE - MADT_PA + 1); // past the end of memory
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table APIC truncated");

    good_image(fk, 0);
    put32(h + 4, ACPI_MAX_TABLE_LEN + 1);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table APIC length");

    good_image(fk, 0);
    put32(h + 4, 43); // no room for the local APIC address and flags
    sdt_fix(fk, MADT_PA);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table APIC length");

    good_image(fk, 0); // header only, no entries: valid, if useless
    put32(h + 4, 44);
    sdt_fix(fk, MADT_PA);
    assert_null(parse_copy(fk, &ai, 20));
    assert_int_equal(ai.cpu_count, 0);
    assert_int_equal(ai.lapic_address, 0xFEE00000u);

    // A MADT at the very end of memory, exactly fitting, is fine.
    good_image(fk, 0);
    struct madt m;
    qemu_madt(&m, 4, 3);
    uint64_t end_pa = HIGH_BASE + HIGH_SIZE - m.n;
    madt_put(fk, end_pa, &m);
    const uint64_t rsdt[] = {end_pa};
    put_root(fk, RSDT_PA, false, rsdt, 1);
    assert_null(parse_copy(fk, &ai, 20));
    check_qemu(&ai, 4);
    put32(at(fk, end_pa, 44) + 4, (uint32_t)m.n + 1);
    assert_string_equal(parse_copy(fk, &ai, 20), "acpi: table APIC truncated");
}

// Build a MADT from a QEMU-like prefix plus `tail`, list it in the RSDT and parse.
static const char *parse_with_tail(struct fake *fk, struct acpi_info *ai, const uint8_t *tail,
                                   size_t n, int len_adjust)
{
    good_image(fk, 0);
    struct madt m;
    qemu_madt(&m, 2, 9);
    assert_true(m.n + n <= sizeof(m.b));
    memcpy(m.b + m.n, tail, n);
    m.n += n;
    madt_put(fk, MADT_PA, &m);
    if (len_adjust != 0) {
        put32(at(fk, MADT_PA, 44) + 4, (uint32_t)((int)m.n + len_adjust));
        sdt_fix(fk, MADT_PA);
    }
    return parse_copy(fk, ai, 20);
}

static void test_bad_madt_entries(void **state)
{
    struct fake *fk = *state;
    struct acpi_info ai;

    static const uint8_t zero_len[] = {0, 0, 0, 0, 0, 0, 0, 0};
    assert_string_equal(parse_with_tail(fk, &ai, zero_len, 8, 0), "acpi: MADT entry of length 0");
    static const uint8_t zero_unknown[] = {0x42, 0};
    assert_string_equal(parse_with_tail(fk, &ai, zero_unknown, 2, 0),
                        "acpi: MADT entry of length 0");
    static const uint8_t len_one[] = {0x42, 1, 0};
    assert_string_equal(parse_with_tail(fk, &ai, len_one, 3, 0),
                        "acpi: MADT entry too short for its type");

    // An I/O APIC entry claiming 12 bytes with only 8 left in the table.
    static const uint8_t ioapic[] = {1, 12, 1, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0};
    assert_null(parse_with_tail(fk, &ai, ioapic, 12, 0));
    assert_int_equal(ai.ioapic_count, 2);
    assert_string_equal(parse_with_tail(fk, &ai, ioapic, 12, -4),
                        "acpi: MADT entry runs past the table end");
    static const uint8_t odd_byte[] = {0};
    assert_string_equal(parse_with_tail(fk, &ai, odd_byte, 1, 0),
                        "acpi: MADT entry runs past the table end");
    static const uint8_t huge[] = {0x42, 0xFF, 0, 0};
    assert_string_equal(parse_with_tail(fk, &ai, huge, 4, 0),
                        "acpi: MADT entry runs past the table end");

    // Known types shorter than the specification defines.
    static const struct {
        uint8_t type, len;
    } shorts[] = {{0, 7}, {1, 11}, {2, 9}, {4, 5}, {5, 11}, {9, 15}};
    for (size_t i = 0; i < sizeof(shorts) / sizeof(shorts[0]); i++) {
        uint8_t e[16] = {shorts[i].type, shorts[i].len};
        assert_string_equal(parse_with_tail(fk, &ai, e, shorts[i].len, 0),
                            "acpi: MADT entry too short for its type");
    }
}

/* ---------------------------------------------------------------- random mutations */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    // xorshift64*: deterministic, so a failure reproduces.
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

// The mutated bytes: the RSDP, the BIOS data area's EBDA pointer and all tables.
struct span {
    uint64_t pa;
    size_t len;
};

static void mutate_one(struct fake *fk, const struct span *sp, size_t nsp)
{
    const struct span *s = &sp[rnd() % nsp];
    uint8_t *p = at(fk, s->pa, s->len);
    size_t off = rnd() % s->len;
    static const uint8_t bytes[] = {0, 1, 2, 3, 7, 8, 0x7F, 0x80, 0xFF};
    static const uint32_t words[] = {0, 1, 35, 36, 43, 44, 0xFFFFFFFFu, HIGH_BASE, MADT_PA};
    switch (rnd() % 5) {
    case 0:
        p[off] = (uint8_t)rnd();
        break;
    case 1:
        p[off] = bytes[rnd() % sizeof(bytes)];
        break;
    case 2:
        p[off] ^= (uint8_t)(1u << (rnd() % 8));
        break;
    case 3:
        if (s->len - off >= 4) {
            put32(p + off, words[rnd() % (sizeof(words) / sizeof(words[0]))]);
        }
        break;
    default:
        if (s->len - off >= 4) {
            put32(p + off, HIGH_BASE + (uint32_t)(rnd() % USED_LEN));
        }
        break;
    }
}

// Make the checksums right again so the mutation reaches the code behind them.
static void fix_all(struct fake *fk)
{
    uint8_t *r = at(fk, RSDP_PA, 36);
    fix_sum(r, 20, 8);
    if (r[15] >= 2) {
        fix_sum(r, 36, 32);
    }
    sdt_fix(fk, RSDT_PA);
    sdt_fix(fk, XSDT_PA);
    sdt_fix(fk, MADT_PA);
    sdt_fix(fk, MADT2_PA);
}

static void check_sane(const struct acpi_info *ai)
{
    assert_true(ai->cpu_count <= ACPI_MAX_CPUS);
    assert_true(ai->ioapic_count <= ACPI_MAX_IOAPICS);
    assert_true(ai->override_count <= ACPI_MAX_OVERRIDES);
    assert_true(ai->nmi_count <= ACPI_MAX_NMIS);
    for (unsigned i = 0; i < ai->cpu_count; i++) {
        for (unsigned j = i + 1; j < ai->cpu_count; j++) {
            assert_int_not_equal(ai->cpu[i].apic_id, ai->cpu[j].apic_id);
        }
    }
    for (unsigned i = 0; i < ai->override_count; i++) {
        for (unsigned j = i + 1; j < ai->override_count; j++) {
            assert_int_not_equal(ai->override[i].irq, ai->override[j].irq);
        }
    }
    assert_true(ai->oem_id[6] == '\0');
}

static void test_random_mutations(void **state)
{
    struct fake *fk = *state;
    static const struct span spans[] = {
        {RSDP_PA, 36}, {0x40E, 2}, {HIGH_BASE, USED_LEN}, {MADT_PA, 120}, {MADT2_PA, 110},
    };
    uint8_t *pristine[2];
    for (unsigned v = 0; v < 2; v++) {
        good_image(fk, v ? 2 : 0);
        pristine[v] = malloc(HIGH_SIZE + LOW_SIZE);
        assert_non_null(pristine[v]);
        memcpy(pristine[v], fk->high, HIGH_SIZE);
        memcpy(pristine[v] + HIGH_SIZE, fk->low, LOW_SIZE);
    }
    rng_state = 0x9E3779B97F4A7C15ull;
    unsigned ok = 0, failed = 0;
    for (unsigned iter = 0; iter < 10000; iter++) {
        unsigned v = iter & 1;
        // Undo the previous mutations: only these ranges are ever written.
        memcpy(fk->high, pristine[v], USED_LEN);
        memcpy(fk->low + RSDP_PA, pristine[v] + HIGH_SIZE + RSDP_PA, 36);
        memcpy(fk->low + 0x40E, pristine[v] + HIGH_SIZE + 0x40E, 2);
        unsigned n = 1 + (unsigned)(rnd() % 6);
        for (unsigned k = 0; k < n; k++) {
            mutate_one(fk, spans, sizeof(spans) / sizeof(spans[0]));
        }
        if (rnd() % 2) {
            fix_all(fk);
        }
        struct acpi_info ai;
        const char *err;
        if (iter % 64 == 0) {
            err = parse_search(fk, &ai);
        } else {
            static const size_t lens[] = {0, 19, 20, 36, 36, 36};
            err = parse_copy(fk, &ai, lens[rnd() % (sizeof(lens) / sizeof(lens[0]))]);
        }
        if (err == NULL) {
            check_sane(&ai);
            ok++;
        } else {
            assert_true(strncmp(err, "acpi: ", 6) == 0);
            failed++;
        }
    }
    free(pristine[0]);
    free(pristine[1]);
    printf("[ INFO     ] 10000 mutations: %u parsed, %u rejected\n", ok, failed);
    // The checksum fix-ups must let a good share through to the entry parser.
    assert_true(ok > 1000);
    assert_true(failed > 1000);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, fk_setup, fk_teardown)
    const struct CMUnitTest tests[] = {
        T(test_v1_rsdt),
        T(test_v2_xsdt),
        T(test_v2_zero_xsdt_uses_rsdt),
        T(test_v2_copy_of_20_bytes_uses_rsdt),
        T(test_isa_irq),
        T(test_entry_kinds),
        T(test_unaligned_entries),
        T(test_too_many),
        T(test_search_bios_area),
        T(test_search_skips_bad_and_misaligned),
        T(test_search_ebda),
        T(test_no_rsdp),
        T(test_bad_rsdp),
        T(test_bad_root),
        T(test_no_madt),
        T(test_bad_madt_table),
        T(test_bad_madt_entries),
        T(test_random_mutations),
    };
#undef T
    alarm(120); // a parser hang (e.g. a zero-length entry not caught) kills the run
    return cmocka_run_group_tests(tests, NULL, NULL);
}
