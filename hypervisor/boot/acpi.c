// SPDX-License-Identifier: MIT
// ACPI RSDP/RSDT/XSDT discovery and MADT parsing from hostile firmware tables

#include "boot/acpi.h"

/*
 * Reading rules: MADT entries are packed back to back with no alignment (a u64 at offset 4 of a
 * type 5 entry, u32s at odd offsets after an odd-length entry), so every multi-byte field is
 * assembled from bytes (little-endian, as on x86). Every read is preceded by a bounds check
 * against what phys() declared readable, and a pointer from phys() is dropped before the next
 * call, so the kernel may back phys() with a single temporary mapping.
 */

#define SDT_HEADER_LEN  36u // ACPI 6.x §5.2.6
#define RSDP_V1_LEN     20u // §5.2.5.3: the ACPI 1.0 part covered by the first checksum
#define RSDP_V2_LEN     36u // §5.2.5.3: revision >= 2 size, covered by the extended checksum
#define RSDP_MAX_LEN    4096u
#define MADT_HEADER_LEN 44u // SDT header, u32 local APIC address, u32 flags

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
    return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void mem_zero(void *dst, size_t n)
{
    // volatile keeps the compiler from turning the loop into a memset() call, which a
    // freestanding kernel need not provide.
    volatile uint8_t *d = dst;
    for (size_t i = 0; i < n; i++) {
        d[i] = 0;
    }
}

static bool mem_equal(const uint8_t *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (a[i] != (uint8_t)b[i]) {
            return false;
        }
    }
    return true;
}

// ACPI checksums: all bytes of the structure, the checksum byte included, sum to 0 mod 256.
static bool checksum_ok(const uint8_t *p, size_t n)
{
    uint8_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        sum = (uint8_t)(sum + p[i]);
    }
    return sum == 0;
}

// phys() for [pa, pa + len), refusing ranges that wrap past 2^64 before the callback sees them.
static const uint8_t *map(acpi_phys_fn phys, void *ctx, uint64_t pa, size_t len)
{
    if (len == 0 || pa > UINT64_MAX - (len - 1)) {
        return NULL;
    }
    return phys(ctx, pa, len);
}

/* ---------------------------------------------------------------- RSDP */

// A loader's RSDP copy served through the same interface as memory: "physical" address = offset.
struct copy_ctx {
    const uint8_t *p;
    size_t n;
};

static const void *copy_phys(void *ctx, uint64_t pa, size_t len)
{
    const struct copy_ctx *c = ctx;
    if (pa > c->n || len > c->n - pa) {
        return NULL;
    }
    return c->p + pa;
}

// What a validated RSDP tells us; root is the RSDT or XSDT address to use.
struct rsdp {
    unsigned revision;
    uint64_t root;
    bool xsdt;
    char oem_id[7];
};

// Validate the ACPI 2.0+ part (§5.2.5.3) and pick the XSDT if it has one. If the 36 bytes are
// not readable at all, the RSDP is still usable as ACPI 1.0.
static const char *rsdp_check_v2(struct rsdp *r, acpi_phys_fn phys, void *ctx, uint64_t pa)
{
    const uint8_t *p = map(phys, ctx, pa, RSDP_V2_LEN);
    if (p == NULL) {
        return NULL; // e.g. the 20-byte multiboot2 "ACPI old" copy of a 2.0 RSDP: use the RSDT
    }
    uint32_t len = rd32(p + 20);
    uint64_t xsdt = rd64(p + 24);
    if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN) {
        return "acpi: RSDP length";
    }
    p = map(phys, ctx, pa, len);
    if (p == NULL) {
        return "acpi: RSDP truncated";
    }
    if (!checksum_ok(p, len)) {
        return "acpi: RSDP extended checksum";
    }
    if (xsdt != 0) {
        r->root = xsdt;
        r->xsdt = true;
    }
    return NULL;
}

// Validate the RSDP at pa (§5.2.5.3): signature, checksum, and for revision >= 2 the rest.
static const char *rsdp_check(struct rsdp *r, acpi_phys_fn phys, void *ctx, uint64_t pa)
{
    const uint8_t *p = map(phys, ctx, pa, RSDP_V1_LEN);
    if (p == NULL) {
        return "acpi: RSDP truncated";
    }
    if (!mem_equal(p, "RSD PTR ", 8)) {
        return "acpi: RSDP signature";
    }
    if (!checksum_ok(p, RSDP_V1_LEN)) {
        return "acpi: RSDP checksum";
    }
    mem_zero(r, sizeof(*r));
    for (unsigned i = 0; i < 6; i++) {
        r->oem_id[i] = (char)p[9 + i];
    }
    r->revision = p[15];
    r->root = rd32(p + 16);
    // Revision 1 was never defined; everything below 2 is the 20-byte ACPI 1.0 layout.
    if (r->revision < 2) {
        return NULL;
    }
    return rsdp_check_v2(r, phys, ctx, pa);
}

// Scan [base, base + len) on 16-byte boundaries. *first_err keeps the first failure of a
// candidate with the right signature, so a lone corrupted RSDP is reported as such.
static bool rsdp_scan(struct rsdp *r, uint64_t *found, acpi_phys_fn phys, void *ctx, uint64_t base,
                      uint64_t len, const char **first_err)
{
    for (uint64_t pa = base; pa - base < len; pa += 16) {
        const uint8_t *p = map(phys, ctx, pa, 8);
        if (p == NULL || !mem_equal(p, "RSD PTR ", 8)) {
            continue;
        }
        const char *err = rsdp_check(r, phys, ctx, pa);
        if (err == NULL) {
            *found = pa;
            return true;
        }
        if (*first_err == NULL) {
            *first_err = err;
        }
    }
    return false;
}

// §5.2.5.1: the first KiB of the EBDA (real-mode segment at 40:0Eh), then the BIOS ROM area.
static const char *rsdp_search(struct rsdp *r, uint64_t *found, acpi_phys_fn phys, void *ctx)
{
    const char *err = NULL;
    const uint8_t *seg = map(phys, ctx, 0x40E, 2);
    if (seg != NULL) {
        uint64_t ebda = (uint64_t)rd16(seg) << 4;
        if (ebda != 0 && rsdp_scan(r, found, phys, ctx, ebda, 1024, &err)) {
            return NULL;
        }
    }
    if (rsdp_scan(r, found, phys, ctx, 0xE0000, 0x20000, &err)) {
        return NULL;
    }
    return err != NULL ? err : "acpi: no RSDP";
}

/* ---------------------------------------------------------------- system description tables */

// Constant messages per table kind, since errors are returned as constant strings.
struct sdt_kind {
    const char *sig;
    uint32_t min_len;
    const char *unreadable, *signature, *length, *truncated, *checksum;
};

#define SDT_KIND(s, min)                                                                           \
    {                                                                                              \
        s, min, "acpi: table " s " unreadable", "acpi: table " s " signature",                     \
            "acpi: table " s " length", "acpi: table " s " truncated",                             \
            "acpi: table " s " checksum"                                                           \
    }

static const struct sdt_kind kind_rsdt = SDT_KIND("RSDT", SDT_HEADER_LEN);
static const struct sdt_kind kind_xsdt = SDT_KIND("XSDT", SDT_HEADER_LEN);
static const struct sdt_kind kind_madt = SDT_KIND("APIC", MADT_HEADER_LEN);

// Check the table at pa (§5.2.6); on success *table (valid until the next phys() call) and *len
// describe all of it.
static const char *sdt_check(const struct sdt_kind *k, acpi_phys_fn phys, void *ctx, uint64_t pa,
                             const uint8_t **table, uint32_t *len)
{
    const uint8_t *h = map(phys, ctx, pa, SDT_HEADER_LEN);
    if (h == NULL) {
        return k->unreadable;
    }
    if (!mem_equal(h, k->sig, 4)) {
        return k->signature;
    }
    *len = rd32(h + 4);
    if (*len < k->min_len || *len > ACPI_MAX_TABLE_LEN) {
        return k->length;
    }
    *table = map(phys, ctx, pa, *len);
    if (*table == NULL) {
        return k->truncated;
    }
    return checksum_ok(*table, *len) ? NULL : k->checksum;
}

// Walk the RSDT (u32 entries, §5.2.7) or XSDT (u64 entries, §5.2.8) for the first "APIC" table.
// Each entry is re-read through phys() so no pointer is held across calls.
static const char *find_madt(const struct rsdp *r, acpi_phys_fn phys, void *ctx, uint64_t *madt)
{
    const uint8_t *t;
    uint32_t len;
    const char *err = sdt_check(r->xsdt ? &kind_xsdt : &kind_rsdt, phys, ctx, r->root, &t, &len);
    if (err != NULL) {
        return err;
    }
    unsigned width = r->xsdt ? 8 : 4;
    bool skipped = false;
    // A trailing partial entry is ignored; sdt_check() ruled out wrap-around of r->root + len.
    for (uint32_t off = SDT_HEADER_LEN; len - off >= width; off += width) {
        const uint8_t *e = map(phys, ctx, r->root + off, width);
        if (e == NULL) {
            return r->xsdt ? kind_xsdt.truncated : kind_rsdt.truncated;
        }
        uint64_t pa = r->xsdt ? rd64(e) : rd32(e);
        if (pa == 0) {
            continue;
        }
        const uint8_t *h = map(phys, ctx, pa, 4);
        if (h == NULL) {
            skipped = true;
            continue;
        }
        if (mem_equal(h, "APIC", 4)) {
            *madt = pa;
            return NULL;
        }
    }
    return skipped ? "acpi: no MADT (unreadable tables skipped)" : "acpi: no MADT";
}

/* ---------------------------------------------------------------- MADT entries (§5.2.12) */

static void add_cpu(struct acpi_info *ai, uint32_t apic_id, uint32_t uid, uint32_t flags)
{
    bool enabled = flags & 1, online_capable = flags & 2;
    for (unsigned i = 0; i < ai->cpu_count; i++) {
        if (ai->cpu[i].apic_id == apic_id) {
            ai->cpu[i].enabled |= enabled;
            ai->cpu[i].online_capable |= online_capable;
            return;
        }
    }
    if (ai->cpu_count == ACPI_MAX_CPUS) {
        ai->cpu_dropped++;
        return;
    }
    ai->cpu[ai->cpu_count++] = (struct acpi_cpu){
        .apic_id = apic_id, .uid = uid, .enabled = enabled, .online_capable = online_capable};
}

// Type 0 (§5.2.12.2): u8 uid, u8 APIC id, u32 flags. Id 0xFF is the xAPIC broadcast address,
// never a processor's; firmware uses it for placeholder entries.
static void madt_lapic(struct acpi_info *ai, const uint8_t *e)
{
    if (e[3] != 0xFF) {
        add_cpu(ai, e[3], e[2], rd32(e + 4));
    }
}

// Type 9 (§5.2.12.12): u16 reserved, u32 x2APIC id, u32 flags, u32 uid.
static void madt_x2apic(struct acpi_info *ai, const uint8_t *e)
{
    uint32_t id = rd32(e + 4);
    if (id != 0xFFFFFFFFu) {
        add_cpu(ai, id, rd32(e + 12), rd32(e + 8));
    }
}

// Type 1 (§5.2.12.3): u8 id, u8 reserved, u32 address, u32 GSI base.
static void madt_ioapic(struct acpi_info *ai, const uint8_t *e)
{
    if (ai->ioapic_count == ACPI_MAX_IOAPICS) {
        ai->ioapic_dropped++;
        return;
    }
    ai->ioapic[ai->ioapic_count++] =
        (struct acpi_ioapic){.id = e[2], .address = rd32(e + 4), .gsi_base = rd32(e + 8)};
}

// MPS INTI flags (§5.2.12.5, table "MPS INTI Flags"): bits 0-1 polarity, 2-3 trigger mode, each
// 00 bus default, 01 active high / edge, 11 active low / level; 10 is reserved and read as the
// default. The default of both ISA and the APIC bus (LINT pins) is active high, edge.
static void inti_flags(uint16_t flags, bool *active_low, bool *level)
{
    *active_low = (flags & 3) == 3;
    *level = (flags >> 2 & 3) == 3;
}

// Type 2 (§5.2.12.5): u8 bus, u8 source IRQ, u32 GSI, u16 flags. Bus 0 (ISA) is the only one
// defined; anything else is ignored.
static void madt_override(struct acpi_info *ai, const uint8_t *e)
{
    if (e[2] != 0) {
        return;
    }
    struct acpi_override o = {.irq = e[3], .gsi = rd32(e + 4)};
    inti_flags(rd16(e + 8), &o.active_low, &o.level);
    for (unsigned i = 0; i < ai->override_count; i++) {
        if (ai->override[i].irq == o.irq) {
            ai->override[i] = o;
            return;
        }
    }
    if (ai->override_count == ACPI_MAX_OVERRIDES) {
        ai->override_dropped++;
        return;
    }
    ai->override[ai->override_count++] = o;
}

// Type 4 (§5.2.12.7): u8 uid (0xFF: all processors), u16 flags, u8 LINT#.
static void madt_nmi(struct acpi_info *ai, const uint8_t *e)
{
    if (ai->nmi_count == ACPI_MAX_NMIS) {
        ai->nmi_dropped++;
        return;
    }
    struct acpi_nmi n = {.uid = e[2] == 0xFF ? ACPI_UID_ALL : e[2], .lint = e[5]};
    inti_flags(rd16(e + 3), &n.active_low, &n.level);
    ai->nmi[ai->nmi_count++] = n;
}

// Type 5 (§5.2.12.8): u16 reserved, u64 address; supersedes the 32-bit header field.
static void madt_lapic_override(struct acpi_info *ai, const uint8_t *e)
{
    ai->lapic_address = rd64(e + 4);
}

// One entry of `len` (>= 2) bytes, all inside the table.
static const char *madt_entry(struct acpi_info *ai, const uint8_t *e, uint8_t len)
{
    static const struct {
        uint8_t min_len;
        void (*parse)(struct acpi_info *, const uint8_t *);
    } types[] = {
        [0] = {8, madt_lapic}, [1] = {12, madt_ioapic},         [2] = {10, madt_override},
        [4] = {6, madt_nmi},   [5] = {12, madt_lapic_override}, [9] = {16, madt_x2apic},
    };
    if (e[0] >= sizeof(types) / sizeof(types[0]) || types[e[0]].parse == NULL) {
        return NULL; // a type we do not need, or one defined after ACPI 6.x
    }
    if (len < types[e[0]].min_len) {
        return "acpi: MADT entry too short for its type";
    }
    types[e[0]].parse(ai, e);
    return NULL;
}

// The MADT (§5.2.12) of `len` bytes, already checksummed: header fields, then the entries.
static const char *madt_parse(struct acpi_info *ai, const uint8_t *t, uint32_t len)
{
    ai->lapic_address = rd32(t + 36);
    ai->pcat_compat = rd32(t + 40) & 1;
    for (uint32_t off = MADT_HEADER_LEN; off < len;) {
        if (len - off < 2) {
            return "acpi: MADT entry runs past the table end";
        }
        uint8_t elen = t[off + 1];
        if (elen == 0) {
            return "acpi: MADT entry of length 0"; // would never advance
        }
        if (elen < 2) {
            return "acpi: MADT entry too short for its type";
        }
        if (elen > len - off) {
            return "acpi: MADT entry runs past the table end";
        }
        const char *err = madt_entry(ai, t + off, elen);
        if (err != NULL) {
            return err;
        }
        off += elen;
    }
    return NULL;
}

/* ---------------------------------------------------------------- public entry points */

const char *acpi_parse(struct acpi_info *out, const void *rsdp_copy, size_t rsdp_len,
                       acpi_phys_fn phys, void *ctx)
{
    if (out == NULL) {
        return "acpi: no output structure";
    }
    mem_zero(out, sizeof(*out));
    if (phys == NULL) {
        return "acpi: no physical memory access";
    }
    struct rsdp r;
    const char *err;
    if (rsdp_copy != NULL) {
        struct copy_ctx c = {.p = rsdp_copy, .n = rsdp_len};
        err = rsdp_check(&r, copy_phys, &c, 0);
    } else {
        err = rsdp_search(&r, &out->rsdp_address, phys, ctx);
    }
    if (err != NULL) {
        return err;
    }
    out->rsdp_revision = r.revision;
    out->xsdt = r.xsdt;
    for (unsigned i = 0; i < sizeof(out->oem_id); i++) {
        out->oem_id[i] = r.oem_id[i];
    }
    if (r.root == 0) {
        return "acpi: RSDP has no RSDT/XSDT address";
    }
    err = find_madt(&r, phys, ctx, &out->madt_address);
    if (err != NULL) {
        return err;
    }
    const uint8_t *t;
    uint32_t len;
    err = sdt_check(&kind_madt, phys, ctx, out->madt_address, &t, &len);
    return err != NULL ? err : madt_parse(out, t, len);
}

void acpi_isa_irq(const struct acpi_info *ai, unsigned irq, uint32_t *gsi, bool *active_low,
                  bool *level)
{
    *gsi = irq;
    *active_low = false;
    *level = false;
    for (unsigned i = 0; i < ai->override_count && i < ACPI_MAX_OVERRIDES; i++) {
        if (ai->override[i].irq == irq) {
            *gsi = ai->override[i].gsi;
            *active_low = ai->override[i].active_low;
            *level = ai->override[i].level;
            return;
        }
    }
}
