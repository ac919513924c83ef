// SPDX-License-Identifier: MIT
// ACPI table discovery and MADT parsing: CPUs, I/O APICs and ISA interrupt overrides

#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Pure logic like the multiboot parser: no hardware access, no allocation, no libc, so it builds
 * freestanding in the kernel and hosted in the unit tests. Firmware tables are hostile (bad
 * checksums, lengths running past the end, zero-length entries): every read is bounds-checked,
 * every loop makes progress, and all results are copied into struct acpi_info.
 */

#define ACPI_MAX_CPUS      64
#define ACPI_MAX_IOAPICS   8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_MAX_NMIS      ACPI_MAX_CPUS // firmware often lists one LINT NMI entry per CPU

#define ACPI_MAX_TABLE_LEN (1u << 20)  // longer RSDT/XSDT/MADT length fields are rejected
#define ACPI_UID_ALL       0xFFFFFFFFu // acpi_nmi.uid meaning "every processor"

// One processor from a Local APIC (type 0) or Local x2APIC (type 9) MADT entry.
struct acpi_cpu {
    uint32_t apic_id;    // xAPIC or x2APIC id; unique within acpi_info.cpu[]
    uint32_t uid;        // ACPI processor UID (matches the namespace and acpi_nmi.uid)
    bool enabled;        // usable now: only these may be started
    bool online_capable; // !enabled but may be hot-added later (ACPI 6.3+; older firmware
                         // leaves it 0 even for hot-pluggable processors)
};

struct acpi_ioapic {
    uint32_t id;       // I/O APIC id
    uint32_t address;  // physical MMIO base
    uint32_t gsi_base; // first global system interrupt of its redirection entries
};

// An ISA IRQ not wired identically to GSI = IRQ, or with non-default polarity/trigger.
struct acpi_override {
    uint8_t irq;     // ISA IRQ (source)
    uint32_t gsi;    // where it arrives
    bool active_low; // bus default for ISA is active high
    bool level;      // bus default for ISA is edge
};

// A Local APIC NMI (type 4) entry: which LINT pin of which processor(s) is wired to NMI.
struct acpi_nmi {
    uint32_t uid; // ACPI processor UID, or ACPI_UID_ALL
    uint8_t lint; // LINT pin, 0 or 1 (kept verbatim; check before use)
    bool active_low, level;
};

struct acpi_info {
    unsigned rsdp_revision; // 0 for ACPI 1.0, >= 2 for ACPI 2.0+
    uint64_t rsdp_address;  // where the BIOS-area search found it; 0 if the copy was used
    bool xsdt;              // tables came from the XSDT (else from the RSDT)
    char oem_id[7];         // from the RSDP, NUL-terminated, for the boot log
    uint64_t madt_address;  // physical address of the MADT used

    uint64_t lapic_address; // MADT header value, or a type 5 override (the last one wins)
    bool pcat_compat;       // MADT flags bit 0: dual 8259 PICs present (mask them)

    unsigned cpu_count, cpu_dropped; // stored / did not fit (disabled ones included)
    struct acpi_cpu cpu[ACPI_MAX_CPUS];
    unsigned ioapic_count, ioapic_dropped;
    struct acpi_ioapic ioapic[ACPI_MAX_IOAPICS];
    unsigned override_count, override_dropped; // ISA (bus 0) overrides, one per IRQ
    struct acpi_override override[ACPI_MAX_OVERRIDES];
    unsigned nmi_count, nmi_dropped;
    struct acpi_nmi nmi[ACPI_MAX_NMIS];
};

/*
 * Resolve `len` (>= 1) bytes at physical address `pa` to a readable pointer, or return NULL
 * unless ALL of [pa, pa + len) is readable (including when pa + len would overflow). The parser
 * never uses a returned pointer after its next call, so one remapped window is enough.
 */
typedef const void *(*acpi_phys_fn)(void *ctx, uint64_t pa, size_t len);

/*
 * Find the MADT and parse it into *out (cleared first).
 *   rsdp_copy, rsdp_len  the RSDP copy a multiboot2 loader passed (boot_info.rsdp/rsdp_len), or
 *                        NULL to search the first KiB of the EBDA, then 0xE0000-0xFFFFF, on
 *                        16-byte boundaries through phys (ACPI 6.x §5.2.5.1).
 *   phys, ctx            access to all other physical memory; must not be NULL.
 * Returns NULL on success, else a constant message naming the defect; on error *out holds
 * whatever was parsed before the defect and must not be used.
 *
 * Policy:
 *  - RSDP: signature and the 20-byte checksum must hold. With revision >= 2 the length field and
 *    the extended checksum must hold too, and the XSDT is used if its address is non-zero; if
 *    only 20 bytes are readable (a multiboot2 "ACPI old" copy) the RSDP is used as ACPI 1.0.
 *    In the search, candidates that fail are skipped; if none passes, the first failure is
 *    reported, or "acpi: no RSDP" if there was no signature at all.
 *  - The RSDT/XSDT and the MADT must have the right signature, a sane length and a valid
 *    checksum; other tables are only identified by signature, never read further. Entries that
 *    are 0 or unreadable are skipped. The first "APIC" table is the MADT.
 *  - MADT entries must have a length >= 2, fit in the table and be at least as long as their
 *    type defines (longer ones are accepted, for later revisions); unknown types are skipped.
 *  - CPUs: a repeated APIC id is merged into the first entry (so a processor listed as both
 *    xAPIC and x2APIC counts once); the broadcast ids 0xFF (xAPIC) and 0xFFFFFFFF (x2APIC) are
 *    ignored. Overrides for buses other than ISA are ignored; a repeated IRQ replaces the
 *    earlier override. The reserved polarity/trigger encoding 10b means bus default.
 *  - Too many CPUs, I/O APICs, overrides or NMIs are not errors: the first ones are kept and the
 *    rest counted in *_dropped for the caller to judge.
 */
const char *acpi_parse(struct acpi_info *out, const void *rsdp_copy, size_t rsdp_len,
                       acpi_phys_fn phys, void *ctx);

/*
 * The GSI and polarity/trigger of ISA IRQ `irq`, applying the overrides; without one it is
 * GSI = irq, active high, edge (ACPI 6.x §5.2.12.5). The output pointers must not be NULL.
 */
void acpi_isa_irq(const struct acpi_info *ai, unsigned irq, uint32_t *gsi, bool *active_low,
                  bool *level);
