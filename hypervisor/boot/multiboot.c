// SPDX-License-Identifier: MIT
// Multiboot 1 / Multiboot2 boot information parser producing one loader-neutral struct

#include "boot/multiboot.h"

/*
 * Reading rules: the loader's data is hostile and often misaligned (an mb1 mmap entry puts a
 * u64 at offset 4), so every multi-byte field is assembled from bytes (little-endian, as on
 * x86) instead of being dereferenced through a wider pointer, and every read is preceded by a
 * bounds check against what the caller declared readable.
 */

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

static void mem_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[i];
    }
}

// Copy the n-byte string src (no NUL needed) into dst[cap], truncating; dst ends up terminated.
static void str_copy(char *dst, size_t cap, const uint8_t *src, size_t n)
{
    size_t i = 0;
    for (; i < n && i + 1 < cap; i++) {
        dst[i] = (char)src[i];
    }
    dst[i] = '\0';
}

// Index of the first NUL in p[0..n), or n if there is none.
static size_t str_nlen(const uint8_t *p, size_t n)
{
    size_t i = 0;
    while (i < n && p[i] != 0) {
        i++;
    }
    return i;
}

/* ---------------------------------------------------------------- common output helpers */

static void add_mem(struct boot_info *bi, uint64_t base, uint64_t size, uint32_t type)
{
    // A region wrapping past 2^64 is nonsense; clamp so consumers may compute base + size.
    if (size > UINT64_MAX - base) {
        size = UINT64_MAX - base;
    }
    if (size == 0) {
        return;
    }
    if (bi->mem_count == BOOT_MAX_MEM) {
        bi->mem_dropped++;
        return;
    }
    bi->mem[bi->mem_count++] = (struct boot_mem){.base = base, .size = size, .type = type};
}

// Record a module; returns its slot (command line still empty), or NULL when the table is full
// and the module was only counted. *err is set if the module itself is malformed.
static struct boot_module *add_module(struct boot_info *bi, uint32_t start, uint32_t end,
                                      const char **err)
{
    if (end < start) {
        *err = "multiboot: module ends before it starts";
        return NULL;
    }
    if (bi->mod_count == BOOT_MAX_MODULES) {
        bi->mod_dropped++;
        return NULL;
    }
    struct boot_module *m = &bi->mod[bi->mod_count++];
    m->start = start;
    m->end = end;
    m->cmdline[0] = '\0';
    return m;
}

// Basic meminfo, in KiB: lower memory starts at 0, upper memory at 1 MiB (both specs, "mem_lower
// and mem_upper"). Only used when the loader gave no usable memory map.
static void add_meminfo(struct boot_info *bi, uint32_t lower_kib, uint32_t upper_kib)
{
    add_mem(bi, 0, (uint64_t)lower_kib * 1024, BOOT_MEM_USABLE);
    add_mem(bi, 1ull << 20, (uint64_t)upper_kib * 1024, BOOT_MEM_USABLE);
}

/* ---------------------------------------------------------------- Multiboot 0.6.96 (mb1) */

enum {
    MB1_MEM = 1u << 0,
    MB1_CMDLINE = 1u << 2,
    MB1_MODS = 1u << 3,
    MB1_MMAP = 1u << 6,
    MB1_LOADER = 1u << 9,
};

struct mb1 {
    const uint8_t *info;
    uint32_t flags;
    boot_phys_fn tr;
    void *ctx;
};

// Bytes of the info structure that must be readable given the flags (spec §3.3 layout:
// mem 4..11, cmdline 16, mods 20..27, mmap 44..51, boot_loader_name 64).
static size_t mb1_needed(uint32_t flags)
{
    static const struct {
        uint32_t flag;
        size_t end;
    } fields[] = {
        {MB1_MEM, 12}, {MB1_CMDLINE, 20}, {MB1_MODS, 28}, {MB1_MMAP, 52}, {MB1_LOADER, 68}};
    size_t need = 4;
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        if ((flags & fields[i].flag) && fields[i].end > need) {
            need = fields[i].end;
        }
    }
    return need;
}

/*
 * mb1 strings carry no length, so each byte is translated separately: a short string that ends
 * right at the edge of readable memory must not fail because a longer read would. Physical
 * address 0 (the real-mode IVT, never a loader string) is taken as "no string".
 */
static bool mb1_string(const struct mb1 *m, char *dst, size_t cap, uint32_t phys)
{
    size_t i = 0;
    dst[0] = '\0';
    if (phys == 0) {
        return true;
    }
    for (; i + 1 < cap; i++) {
        const uint8_t *c = m->tr(m->ctx, (uint64_t)phys + i, 1);
        if (c == NULL) {
            dst[i] = '\0';
            return false;
        }
        if (*c == 0) {
            break;
        }
        dst[i] = (char)*c;
    }
    dst[i] = '\0';
    return true;
}

static const char *mb1_modules(const struct mb1 *m, struct boot_info *bi)
{
    uint32_t count = rd32(m->info + 20);
    if (count == 0) {
        return NULL;
    }
    // The whole claimed table must exist, even entries we drop: a count not backed by memory
    // means the structure is corrupt.
    uint64_t len = (uint64_t)count * 16;
    const uint8_t *tab = len <= SIZE_MAX ? m->tr(m->ctx, rd32(m->info + 24), (size_t)len) : NULL;
    if (tab == NULL) {
        return "multiboot: module list unreadable";
    }
    for (uint32_t i = 0; i < count; i++) {
        const uint8_t *e = tab + (size_t)i * 16; // mod_start, mod_end, string, reserved
        const char *err = NULL;
        struct boot_module *mod = add_module(bi, rd32(e), rd32(e + 4), &err);
        if (err != NULL) {
            return err;
        }
        if (mod != NULL && !mb1_string(m, mod->cmdline, sizeof(mod->cmdline), rd32(e + 8))) {
            return "multiboot: module command line unreadable";
        }
    }
    return NULL;
}

// Spec §3.3: each entry is preceded by its own u32 size, which does not count itself, and may
// exceed the 20 bytes we know; the next entry starts at entry + size + 4.
static const char *mb1_mmap(const struct mb1 *m, struct boot_info *bi)
{
    uint32_t len = rd32(m->info + 44);
    if (len == 0) {
        return NULL;
    }
    const uint8_t *map = m->tr(m->ctx, rd32(m->info + 48), len);
    if (map == NULL) {
        return "multiboot: memory map unreadable";
    }
    for (uint64_t off = 0; off < len;) {
        if (len - off < 4) {
            return "multiboot: memory map entry runs past mmap_length";
        }
        uint32_t size = rd32(map + off);
        if (size < 20) {
            return "multiboot: memory map entry too small";
        }
        if (size > len - off - 4) {
            return "multiboot: memory map entry runs past mmap_length";
        }
        const uint8_t *e = map + off + 4; // base_addr, length, type
        add_mem(bi, rd64(e), rd64(e + 8), rd32(e + 16));
        off += 4 + (uint64_t)size;
    }
    return NULL;
}

static const char *mb1_parse(struct boot_info *bi, const uint8_t *info, size_t max, boot_phys_fn tr,
                             void *ctx)
{
    if (tr == NULL) {
        return "multiboot: no phys_to_ptr callback";
    }
    if (max < 4 || max < mb1_needed(rd32(info))) {
        return "multiboot: info structure truncated";
    }
    const struct mb1 m = {.info = info, .flags = rd32(info), .tr = tr, .ctx = ctx};
    const char *err = NULL;
    if ((m.flags & MB1_CMDLINE) &&
        !mb1_string(&m, bi->cmdline, sizeof(bi->cmdline), rd32(info + 16))) {
        return "multiboot: command line unreadable";
    }
    if ((m.flags & MB1_LOADER) &&
        !mb1_string(&m, bi->loader_name, sizeof(bi->loader_name), rd32(info + 64))) {
        return "multiboot: boot loader name unreadable";
    }
    if ((m.flags & MB1_MODS) && (err = mb1_modules(&m, bi)) != NULL) {
        return err;
    }
    if ((m.flags & MB1_MMAP) && (err = mb1_mmap(&m, bi)) != NULL) {
        return err;
    }
    if (bi->mem_count == 0 && (m.flags & MB1_MEM)) {
        add_meminfo(bi, rd32(info + 4), rd32(info + 8));
    }
    return NULL;
}

/* ---------------------------------------------------------------- Multiboot2 1.6 (mb2) */

enum {
    MB2_END = 0,
    MB2_CMDLINE = 1,
    MB2_LOADER = 2,
    MB2_MODULE = 3,
    MB2_MEMINFO = 4,
    MB2_MMAP = 6,
    MB2_RSDP_OLD = 14,
    MB2_RSDP_NEW = 15,
};

struct mb2_meminfo {
    bool valid;
    uint32_t lower, upper;
};

// String payload of a tag: must be NUL-terminated inside the tag, or we would read past it.
static const char *mb2_string(char *dst, size_t cap, const uint8_t *s, size_t n)
{
    size_t len = str_nlen(s, n);
    if (len == n) {
        return "multiboot2: unterminated string";
    }
    str_copy(dst, cap, s, len);
    return NULL;
}

// §3.6.6: u32 mod_start, u32 mod_end, then the module's string.
static const char *mb2_module(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
    if (size < 16) {
        return "multiboot2: truncated module tag";
    }
    const char *err = NULL;
    struct boot_module *mod = add_module(bi, rd32(t + 8), rd32(t + 12), &err);
    if (err != NULL) {
        return err;
    }
    char scratch[1];
    // A dropped module's string is still checked, so the verdict does not depend on the count.
    if (mod == NULL) {
        return mb2_string(scratch, sizeof(scratch), t + 16, size - 16);
    }
    return mb2_string(mod->cmdline, sizeof(mod->cmdline), t + 16, size - 16);
}

// §3.6.3: u32 mem_lower, u32 mem_upper (KiB); kept only as a fallback for a missing map.
static const char *mb2_meminfo(struct mb2_meminfo *mi, const uint8_t *t, uint32_t size)
{
    if (size < 16) {
        return "multiboot2: truncated meminfo tag";
    }
    *mi = (struct mb2_meminfo){.valid = true, .lower = rd32(t + 8), .upper = rd32(t + 12)};
    return NULL;
}

/*
 * §3.6.8: u32 entry_size, u32 entry_version, then entries of entry_size bytes (u64 base,
 * u64 length, u32 type, u32 reserved). entry_size is guaranteed a multiple of 8 and may grow in
 * later versions, so entries are stepped by entry_size, never by 24; entry_version is ignored
 * because the spec promises later versions stay compatible.
 */
static const char *mb2_mmap(struct boot_info *bi, const uint8_t *t, uint32_t size)
{
    if (size < 16) {
        return "multiboot2: truncated memory map tag";
    }
    uint32_t esize = rd32(t + 8);
    if (esize < 24) {
        return "multiboot2: memory map entry_size too small";
    }
    if (esize % 8 != 0) {
        return "multiboot2: memory map entry_size not a multiple of 8";
    }
    if ((size - 16) % esize != 0) {
        return "multiboot2: memory map tag has a partial entry";
    }
    for (uint64_t off = 16; off < size; off += esize) {
        const uint8_t *e = t + off;
        add_mem(bi, rd64(e), rd64(e + 8), rd32(e + 16));
    }
    return NULL;
}

// ACPI old/new RSDP tags hold a copy of the RSDP (20 bytes for ACPI 1.0, 36 for 2.0+). The
// newer one wins whatever the tag order, as it carries the 64-bit XSDT address.
static const char *mb2_rsdp(struct boot_info *bi, const uint8_t *t, uint32_t size, unsigned ver)
{
    unsigned need = ver == 2 ? 36 : 20;
    if (size - 8 < need) {
        return "multiboot2: truncated ACPI RSDP tag";
    }
    if (bi->rsdp_version > ver) {
        return NULL;
    }
    mem_copy(bi->rsdp, t + 8, need);
    bi->rsdp_len = need;
    bi->rsdp_version = ver;
    return NULL;
}

static const char *mb2_tag(struct boot_info *bi, struct mb2_meminfo *mi, const uint8_t *t,
                           uint32_t type, uint32_t size)
{
    switch (type) {
    case MB2_CMDLINE: // §3.6.5
        return mb2_string(bi->cmdline, sizeof(bi->cmdline), t + 8, size - 8);
    case MB2_LOADER: // §3.6.9
        return mb2_string(bi->loader_name, sizeof(bi->loader_name), t + 8, size - 8);
    case MB2_MODULE:
        return mb2_module(bi, t, size);
    case MB2_MEMINFO:
        return mb2_meminfo(mi, t, size);
    case MB2_MMAP:
        return mb2_mmap(bi, t, size);
    case MB2_RSDP_OLD:
        return mb2_rsdp(bi, t, size, 1);
    case MB2_RSDP_NEW:
        return mb2_rsdp(bi, t, size, 2);
    default: // framebuffer, ELF symbols, EFI tables, ...: not ours
        return NULL;
    }
}

/*
 * §3.6.2: u32 total_size (includes the fixed part and the end tag), u32 reserved, then tags of
 * u32 type, u32 size. size counts the 8-byte header but not the padding that puts the next tag
 * on an 8-byte boundary. Offsets are taken relative to info, which the spec places 8-aligned.
 */
static const char *mb2_parse(struct boot_info *bi, const uint8_t *info, size_t max)
{
    if (max < 8) {
        return "multiboot2: info structure truncated";
    }
    uint32_t total = rd32(info);
    if (total > max) {
        return "multiboot2: total_size exceeds info_max";
    }
    if (total < 16) {
        return "multiboot2: total_size too small";
    }
    struct mb2_meminfo mi = {.valid = false};
    for (uint64_t off = 8;; off = (off + 7) & ~(uint64_t)7) {
        if (off > total || total - off < 8) {
            return "multiboot2: missing end tag";
        }
        const uint8_t *t = info + off;
        uint32_t type = rd32(t), size = rd32(t + 4);
        if (size < 8) {
            return "multiboot2: tag smaller than its header";
        }
        if (size > total - off) {
            return "multiboot2: tag runs past total_size";
        }
        if (type == MB2_END) {
            break;
        }
        const char *err = mb2_tag(bi, &mi, t, type, size);
        if (err != NULL) {
            return err;
        }
        off += size;
    }
    if (bi->mem_count == 0 && mi.valid) {
        add_meminfo(bi, mi.lower, mi.upper);
    }
    return NULL;
}

/* ---------------------------------------------------------------- public entry points */

const char *mb_parse(struct boot_info *out, uint32_t magic, const void *info, size_t info_max,
                     boot_phys_fn phys_to_ptr, void *ctx)
{
    if (out == NULL) {
        return "multiboot: no output structure";
    }
    mem_zero(out, sizeof(*out));
    if (magic != MB1_BOOT_MAGIC && magic != MB2_BOOT_MAGIC) {
        return "multiboot: bad magic (neither 0x2BADB002 nor 0x36D76289)";
    }
    if (info == NULL) {
        return "multiboot: no info structure";
    }
    const char *err;
    if (magic == MB1_BOOT_MAGIC) {
        out->loader = 1;
        err = mb1_parse(out, info, info_max, phys_to_ptr, ctx);
    } else {
        out->loader = 2;
        err = mb2_parse(out, info, info_max);
    }
    if (err == NULL && out->mem_count == 0) {
        err = "multiboot: no memory map";
    }
    return err;
}

uint64_t boot_usable_bytes(const struct boot_info *bi)
{
    uint64_t sum = 0;
    for (unsigned i = 0; i < bi->mem_count && i < BOOT_MAX_MEM; i++) {
        if (bi->mem[i].type != BOOT_MEM_USABLE) {
            continue;
        }
        uint64_t s = bi->mem[i].size;
        sum = s > UINT64_MAX - sum ? UINT64_MAX : sum + s;
    }
    return sum;
}

/* ---------------------------------------------------------------- command line words */

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

enum word_match { WORD_NO, WORD_BARE, WORD_VALUE };

// Compare the n-byte word w against key: equal, "key=...", or neither.
static enum word_match word_match(const char *w, size_t n, const char *key)
{
    size_t i = 0;
    for (; key[i] != '\0'; i++) {
        if (i >= n || w[i] != key[i]) {
            return WORD_NO;
        }
    }
    if (i == n) {
        return WORD_BARE;
    }
    return w[i] == '=' ? WORD_VALUE : WORD_NO;
}

// Advance *cur to the next word; returns its start and length, or NULL at the end.
static const char *next_word(const char **cur, size_t *n)
{
    const char *s = *cur;
    while (is_space(*s)) {
        s++;
    }
    if (*s == '\0') {
        return NULL;
    }
    size_t i = 0;
    while (s[i] != '\0' && !is_space(s[i])) {
        i++;
    }
    *cur = s + i;
    *n = i;
    return s;
}

bool boot_cmdline_has(const char *cmdline, const char *option)
{
    if (cmdline == NULL || option == NULL || option[0] == '\0') {
        return false;
    }
    const char *w;
    size_t n;
    while ((w = next_word(&cmdline, &n)) != NULL) {
        if (word_match(w, n, option) != WORD_NO) {
            return true;
        }
    }
    return false;
}

const char *boot_cmdline_value(const char *cmdline, const char *key, char *buf, size_t len)
{
    if (cmdline == NULL || key == NULL || key[0] == '\0' || buf == NULL || len == 0) {
        return NULL;
    }
    const char *w, *val = NULL;
    size_t n, klen = 0, vlen = 0;
    while (key[klen] != '\0') {
        klen++;
    }
    while ((w = next_word(&cmdline, &n)) != NULL) {
        if (word_match(w, n, key) == WORD_VALUE) {
            val = w + klen + 1;
            vlen = n - klen - 1;
        }
    }
    if (val == NULL || vlen >= len) {
        return NULL;
    }
    str_copy(buf, len, (const uint8_t *)val, vlen);
    return buf;
}
