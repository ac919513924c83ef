// SPDX-License-Identifier: MIT
// Loader-neutral boot information and the interface of the Multiboot 1 / Multiboot2 parser

#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The parser is pure logic: it never touches hardware, never allocates and
 * calls no libc, so it builds freestanding in the kernel and hosted in the
 * unit tests. Everything the loader hands over is treated as hostile: every
 * byte read is bounds-checked first, and all output is copied into
 * struct boot_info so nothing keeps pointing into loader memory.
 */

#define MB1_BOOT_MAGIC 0x2BADB002u // EAX from a Multiboot 0.6.96 loader (QEMU -kernel)
#define MB2_BOOT_MAGIC 0x36D76289u // EAX from a Multiboot2 1.6 loader (GRUB)

#define BOOT_MAX_MEM     64  // memory-map entries kept; the rest counted in mem_dropped
#define BOOT_MAX_MODULES 16  // modules kept; the rest counted in mod_dropped
#define BOOT_CMDLINE_MAX 256 // bytes incl. NUL for every command line we keep
#define BOOT_LOADER_MAX  64  // bytes incl. NUL for the loader name
#define BOOT_RSDP_MAX    36  // an ACPI 2.0+ RSDP is 36 bytes, an ACPI 1.0 one 20

// Memory types use the multiboot numbering, identical in both versions.
enum boot_mem_type {
    BOOT_MEM_USABLE = 1,
    BOOT_MEM_RESERVED = 2,
    BOOT_MEM_ACPI_RECLAIM = 3,
    BOOT_MEM_ACPI_NVS = 4,
    BOOT_MEM_BAD = 5,
};

// One physical region [base, base + size). Zero-sized regions are never stored, and size is
// clamped so that base + size cannot wrap past 2^64. Unknown types are kept verbatim; treat
// anything but BOOT_MEM_USABLE as not usable.
struct boot_mem {
    uint64_t base, size;
    uint32_t type;
};

// One boot module occupying physical [start, end).
struct boot_module {
    uint64_t start, end;
    char cmdline[BOOT_CMDLINE_MAX]; // "" if the loader gave none; truncated to fit
};

struct boot_info {
    unsigned loader;                   // 1 or 2: the multiboot version that booted us
    char cmdline[BOOT_CMDLINE_MAX];    // kernel command line, "" if none; truncated to fit
    char loader_name[BOOT_LOADER_MAX]; // "" if none; truncated to fit
    unsigned mem_count, mem_dropped;   // stored entries / entries that did not fit
    struct boot_mem mem[BOOT_MAX_MEM]; // in loader order; overlaps are not resolved
    unsigned mod_count, mod_dropped;   // stored modules / modules that did not fit
    struct boot_module mod[BOOT_MAX_MODULES];
    unsigned rsdp_version;       // 0: no RSDP tag, 1: ACPI 1.0 copy, 2: ACPI 2.0+ copy
    unsigned rsdp_len;           // bytes valid in rsdp[] (20 or 36)
    uint8_t rsdp[BOOT_RSDP_MAX]; // copy of the RSDP (mb2 only); not checksummed here
};

/*
 * Resolve `len` (>= 1) bytes of loader memory at physical address `phys` to a readable pointer,
 * or return NULL unless ALL of [phys, phys + len) is readable (including when phys + len
 * overflows). Only mb1 needs it: its info structure holds physical addresses.
 */
typedef const void *(*boot_phys_fn)(void *ctx, uint64_t phys, size_t len);

/*
 * Parse the boot information into *out (which is cleared first).
 *   magic       EAX as the loader left it; selects the format.
 *   info        readable pointer to the info structure (EBX translated by the caller).
 *   info_max    bytes readable at info; nothing outside [info, info + info_max) is read.
 *               For mb2, total_size must fit in it.
 *   phys_to_ptr translator for the physical addresses inside an mb1 structure (cmdline,
 *               modules, memory map, loader name); may be NULL for mb2, which is self-contained.
 * Returns NULL on success, else a constant message naming the defect (for a panic). On error
 * *out holds whatever was parsed before the defect and must not be used.
 *
 * Policy: structural defects (sizes, bounds, missing terminators, unreadable addresses,
 * a module ending before it starts) are errors. Too many memory-map entries or modules are not;
 * the first ones are kept and the rest counted. A repeated string tag overwrites the earlier
 * one; repeated memory-map tags append. Without any memory map, basic meminfo (mem_lower /
 * mem_upper) is turned into two usable regions; without either the parse fails.
 */
const char *mb_parse(struct boot_info *out, uint32_t magic, const void *info, size_t info_max,
                     boot_phys_fn phys_to_ptr, void *ctx);

// Sum of the sizes of all BOOT_MEM_USABLE regions (saturating; overlaps are counted twice).
uint64_t boot_usable_bytes(const struct boot_info *bi);

/*
 * Command lines are words separated by spaces, tabs, CR or LF; there is no quoting.
 * boot_cmdline_has: true if some word equals `option` or starts with "option=".
 * boot_cmdline_value: for the LAST word "key=value" (later options override earlier ones),
 *   copy value into buf and return buf. Returns NULL if there is no such word (a bare "key"
 *   has no value) or if the value plus NUL does not fit in len bytes, because a truncated
 *   value could silently mean something else.
 */
bool boot_cmdline_has(const char *cmdline, const char *option);
const char *boot_cmdline_value(const char *cmdline, const char *key, char *buf, size_t len);
