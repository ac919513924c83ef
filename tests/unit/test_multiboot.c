// SPDX-License-Identifier: MIT
// Unit tests for the Multiboot 1 / Multiboot2 boot information parser

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "boot/multiboot.h"

/*
 * Fake physical memory for mb1. Every successful translation hands out a fresh heap copy of
 * exactly the requested length, so AddressSanitizer reports any read the parser makes beyond
 * what it asked the callback to validate. mb2 images are likewise copied into exact-size heap
 * buffers before parsing.
 */

#define PHYS_BASE 0x100000u
#define PHYS_SIZE 0x10000u

struct fake_phys {
    uint8_t mem[PHYS_SIZE]; // stands for physical [PHYS_BASE, PHYS_BASE + PHYS_SIZE)
    uint32_t next;          // bump allocator, physical address
    void **win;             // windows handed out, freed by fp_release()
    size_t nwin, capwin;
};

static const void *fake_phys_to_ptr(void *ctx, uint64_t phys, size_t len)
{
    struct fake_phys *fp = ctx;
    assert_true(len >= 1);
    if (phys < PHYS_BASE || len > PHYS_SIZE || phys - PHYS_BASE > PHYS_SIZE - len) {
        return NULL;
    }
    if (fp->nwin == fp->capwin) {
        fp->capwin = fp->capwin ? fp->capwin * 2 : 64;
        fp->win = realloc(fp->win, fp->capwin * sizeof(*fp->win));
        assert_non_null(fp->win);
    }
    void *w = malloc(len);
    assert_non_null(w);
    memcpy(w, fp->mem + (phys - PHYS_BASE), len);
    fp->win[fp->nwin++] = w;
    return w;
}

static void fp_release(struct fake_phys *fp)
{
    for (size_t i = 0; i < fp->nwin; i++) {
        free(fp->win[i]);
    }
    fp->nwin = 0;
}

static int fp_setup(void **state)
{
    struct fake_phys *fp = calloc(1, sizeof(*fp));
    if (fp == NULL) {
        return -1;
    }
    fp->next = PHYS_BASE;
    *state = fp;
    return 0;
}

static int fp_teardown(void **state)
{
    struct fake_phys *fp = *state;
    fp_release(fp);
    free(fp->win);
    free(fp);
    return 0;
}

static uint8_t *fp_at(struct fake_phys *fp, uint32_t phys)
{
    assert_true(phys >= PHYS_BASE && phys - PHYS_BASE < PHYS_SIZE);
    return fp->mem + (phys - PHYS_BASE);
}

static uint32_t fp_alloc(struct fake_phys *fp, size_t len)
{
    uint32_t phys = fp->next;
    assert_true(fp->next - PHYS_BASE + len <= PHYS_SIZE);
    fp->next += (uint32_t)len;
    return phys;
}

static uint32_t fp_str(struct fake_phys *fp, const char *s)
{
    uint32_t phys = fp_alloc(fp, strlen(s) + 1);
    memcpy(fp_at(fp, phys), s, strlen(s) + 1);
    return phys;
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

/* ---------------------------------------------------------------- shared expectations */

static const struct boot_mem good_map[] = {
    {0x0, 0x9fc00, BOOT_MEM_USABLE},          {0x9fc00, 0x400, BOOT_MEM_RESERVED},
    {0x100000, 0x7ee0000, BOOT_MEM_USABLE},   {0x7fe0000, 0x20000, BOOT_MEM_ACPI_RECLAIM},
    {0xfffc0000, 0x40000, BOOT_MEM_RESERVED},
};
#define GOOD_MAP_N (sizeof(good_map) / sizeof(good_map[0]))

static const struct {
    uint32_t start, end;
    const char *cmdline;
} good_mods[] = {
    {0x200000, 0x280000, "roottask.elf verbose"},
    {0x280000, 0x281000, "initrd.img"},
};

#define GOOD_CMDLINE "kernel.elf serial exit=qemu"

static void check_good(const struct boot_info *bi, unsigned loader, const char *loader_name)
{
    assert_int_equal(bi->loader, loader);
    assert_string_equal(bi->cmdline, GOOD_CMDLINE);
    assert_string_equal(bi->loader_name, loader_name);
    assert_int_equal(bi->mem_count, GOOD_MAP_N);
    assert_int_equal(bi->mem_dropped, 0);
    for (size_t i = 0; i < GOOD_MAP_N; i++) {
        assert_int_equal(bi->mem[i].base, good_map[i].base);
        assert_int_equal(bi->mem[i].size, good_map[i].size);
        assert_int_equal(bi->mem[i].type, good_map[i].type);
    }
    assert_int_equal(bi->mod_count, 2);
    assert_int_equal(bi->mod_dropped, 0);
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(bi->mod[i].start, good_mods[i].start);
        assert_int_equal(bi->mod[i].end, good_mods[i].end);
        assert_string_equal(bi->mod[i].cmdline, good_mods[i].cmdline);
    }
    assert_int_equal(boot_usable_bytes(bi), 0x9fc00 + 0x7ee0000);
}

/* ---------------------------------------------------------------- mb2 image builder */

struct mb2_img {
    uint8_t buf[8192];
    size_t pos;
};

static void mb2_begin(struct mb2_img *b)
{
    memset(b, 0, sizeof(*b));
    b->pos = 8;
}

// Start a tag claiming `size` bytes at the next 8-byte boundary; returns it for filling in.
static uint8_t *mb2_tag(struct mb2_img *b, uint32_t type, uint32_t size)
{
    b->pos = (b->pos + 7) & ~(size_t)7;
    assert_true(b->pos + (size < 8 ? 8 : size) <= sizeof(b->buf));
    uint8_t *t = b->buf + b->pos;
    put32(t, type);
    put32(t + 4, size);
    b->pos += size < 8 ? 8 : size;
    return t;
}

static void mb2_string_tag(struct mb2_img *b, uint32_t type, const char *s)
{
    uint8_t *t = mb2_tag(b, type, 8 + (uint32_t)strlen(s) + 1);
    memcpy(t + 8, s, strlen(s) + 1);
}

static void mb2_module_tag(struct mb2_img *b, uint32_t start, uint32_t end, const char *s)
{
    uint8_t *t = mb2_tag(b, 3, 16 + (uint32_t)strlen(s) + 1);
    put32(t + 8, start);
    put32(t + 12, end);
    memcpy(t + 16, s, strlen(s) + 1);
}

static void mb2_mmap_tag(struct mb2_img *b, const struct boot_mem *e, size_t n, uint32_t esize)
{
    uint8_t *t = mb2_tag(b, 6, 16 + (uint32_t)(n * esize));
    put32(t + 8, esize);
    put32(t + 12, 0);
    for (size_t i = 0; i < n; i++) {
        uint8_t *p = t + 16 + i * esize;
        memset(p, 0xA5, esize); // garbage in reserved/extension bytes must be ignored
        put64(p, e[i].base);
        put64(p + 8, e[i].size);
        put32(p + 16, e[i].type);
    }
}

static void mb2_meminfo_tag(struct mb2_img *b, uint32_t lower, uint32_t upper)
{
    uint8_t *t = mb2_tag(b, 4, 16);
    put32(t + 8, lower);
    put32(t + 12, upper);
}

// Append the end tag and set total_size; returns total_size.
static size_t mb2_finish(struct mb2_img *b)
{
    mb2_tag(b, 0, 8);
    put32(b->buf, (uint32_t)b->pos);
    return b->pos;
}

// Parse the first `len` bytes of the image from an exact-size heap copy (ASan catches overreads).
static const char *mb2_run(const struct mb2_img *b, size_t len, struct boot_info *bi)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, b->buf, len);
    const char *err = mb_parse(bi, MB2_BOOT_MAGIC, copy, len, NULL, NULL);
    free(copy);
    return err;
}

static void mb2_rsdp_tag(struct mb2_img *b, unsigned ver)
{
    unsigned n = ver == 2 ? 36 : 20;
    uint8_t *t = mb2_tag(b, ver == 2 ? 15 : 14, 8 + n);
    memcpy(t + 8, "RSD PTR ", 8);
    for (unsigned i = 8; i < n; i++) {
        t[8 + i] = (uint8_t)(ver * 16 + i);
    }
}

static size_t mb2_build_good(struct mb2_img *b)
{
    mb2_begin(b);
    put32(b->buf + 4, 0xdeadbeef); // reserved: must be ignored
    mb2_string_tag(b, 1, GOOD_CMDLINE);
    mb2_string_tag(b, 2, "GRUB 2.12");
    mb2_meminfo_tag(b, 639, 130048);
    uint8_t *fb = mb2_tag(b, 8, 13); // unknown-to-us tag with an odd size: exercises padding
    memset(fb + 8, 0xff, 5);
    mb2_rsdp_tag(b, 2);
    mb2_mmap_tag(b, good_map, GOOD_MAP_N, 24);
    for (size_t i = 0; i < 2; i++) {
        mb2_module_tag(b, good_mods[i].start, good_mods[i].end, good_mods[i].cmdline);
    }
    mb2_rsdp_tag(b, 1); // older RSDP after the newer one must not replace it
    return mb2_finish(b);
}

/* ---------------------------------------------------------------- mb1 image builder */

enum { MB1_INFO_SIZE = 116 };

static void mb1_mmap_entry(uint8_t *p, uint32_t size, const struct boot_mem *e)
{
    memset(p, 0x5A, 4 + size);
    put32(p, size);
    put64(p + 4, e->base);
    put64(p + 12, e->size);
    put32(p + 20, e->type);
}

static uint32_t mb1_build_good(struct fake_phys *fp)
{
    uint32_t info = fp_alloc(fp, MB1_INFO_SIZE);
    uint8_t *in = fp_at(fp, info);
    put32(in + 0, 1u << 0 | 1u << 2 | 1u << 3 | 1u << 6 | 1u << 9);
    put32(in + 4, 639);
    put32(in + 8, 130048);
    put32(in + 16, fp_str(fp, GOOD_CMDLINE));
    put32(in + 64, fp_str(fp, "qemu"));

    uint32_t strs[2];
    for (size_t i = 0; i < 2; i++) {
        strs[i] = fp_str(fp, good_mods[i].cmdline);
    }
    uint32_t mods = fp_alloc(fp, 2 * 16);
    for (size_t i = 0; i < 2; i++) {
        uint8_t *e = fp_at(fp, mods + (uint32_t)i * 16);
        put32(e, good_mods[i].start);
        put32(e + 4, good_mods[i].end);
        put32(e + 8, strs[i]);
        put32(e + 12, 0);
    }
    put32(in + 20, 2);
    put32(in + 24, mods);

    // Odd address and one 24-byte entry: reads must cope with misalignment and follow `size`.
    fp_alloc(fp, 1);
    uint32_t len = 0;
    for (size_t i = 0; i < GOOD_MAP_N; i++) {
        len += 4 + (i == 2 ? 24 : 20);
    }
    uint32_t map = fp_alloc(fp, len);
    uint8_t *p = fp_at(fp, map);
    for (size_t i = 0; i < GOOD_MAP_N; i++) {
        uint32_t size = i == 2 ? 24 : 20;
        mb1_mmap_entry(p, size, &good_map[i]);
        p += 4 + size;
    }
    put32(in + 44, len);
    put32(in + 48, map);
    return info;
}

static const char *mb1_run(struct fake_phys *fp, uint32_t info, size_t len, struct boot_info *bi)
{
    const void *p = fake_phys_to_ptr(fp, info, len);
    assert_non_null(p);
    return mb_parse(bi, MB1_BOOT_MAGIC, p, len, fake_phys_to_ptr, fp);
}

/* ---------------------------------------------------------------- good images */

static void test_mb2_good(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    size_t len = mb2_build_good(&b);
    assert_null(mb2_run(&b, len, &bi));
    check_good(&bi, 2, "GRUB 2.12");
    assert_int_equal(bi.rsdp_version, 2);
    assert_int_equal(bi.rsdp_len, 36);
    assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
    assert_int_equal(bi.rsdp[35], 2 * 16 + 35);
}

static void test_mb2_rsdp_old_only(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_rsdp_tag(&b, 1);
    mb2_mmap_tag(&b, good_map, 1, 24);
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(bi.rsdp_version, 1);
    assert_int_equal(bi.rsdp_len, 20);
    assert_int_equal(bi.rsdp[19], 16 + 19);
    assert_string_equal(bi.cmdline, "");
    assert_string_equal(bi.loader_name, "");
    assert_int_equal(bi.mod_count, 0);
}

static void test_mb1_good(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = mb1_build_good(fp);
    assert_null(mb1_run(fp, info, MB1_INFO_SIZE, &bi));
    check_good(&bi, 1, "qemu");
    assert_int_equal(bi.rsdp_version, 0);
}

static void test_mb2_larger_entry_size(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_mmap_tag(&b, good_map, GOOD_MAP_N, 40); // future, longer entries are stepped over
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(bi.mem_count, GOOD_MAP_N);
    assert_int_equal(bi.mem[4].base, 0xfffc0000);
    assert_int_equal(boot_usable_bytes(&bi), 0x9fc00 + 0x7ee0000);
}

static void test_mb2_meminfo_fallback(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(bi.mem_count, 2);
    assert_int_equal(bi.mem[0].base, 0);
    assert_int_equal(bi.mem[0].size, 639 * 1024);
    assert_int_equal(bi.mem[1].base, 0x100000);
    assert_int_equal(bi.mem[1].size, 1024 * 1024);
    assert_int_equal(bi.mem[1].type, BOOT_MEM_USABLE);
}

static void test_mb1_meminfo_fallback(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = fp_alloc(fp, 12);
    put32(fp_at(fp, info), 1u << 0);
    put32(fp_at(fp, info) + 4, 0); // no lower memory: only the upper region is stored
    put32(fp_at(fp, info) + 8, 2048);
    assert_null(mb1_run(fp, info, 12, &bi)); // only 12 bytes readable: enough for bit 0
    assert_int_equal(bi.mem_count, 1);
    assert_int_equal(bi.mem[0].base, 0x100000);
    assert_int_equal(bi.mem[0].size, 2048 * 1024);
    assert_string_equal(mb1_run(fp, info, 11, &bi), "multiboot: info structure truncated");
}

static void test_mb1_string_at_edge_and_truncation(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = fp_alloc(fp, MB1_INFO_SIZE);
    uint8_t *in = fp_at(fp, info);
    put32(in, 1u << 0 | 1u << 2 | 1u << 9);
    put32(in + 8, 1024);
    char longline[400];
    memset(longline, 'x', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    put32(in + 16, fp_str(fp, longline));
    // Loader name ends on the very last byte of readable memory.
    fp->next = PHYS_BASE + PHYS_SIZE - 5;
    put32(in + 64, fp_str(fp, "edge"));
    assert_null(mb1_run(fp, info, MB1_INFO_SIZE, &bi));
    assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
    assert_string_equal(bi.loader_name, "edge");

    // Same name without its NUL: the string runs off readable memory.
    fp_at(fp, PHYS_BASE + PHYS_SIZE - 1)[0] = '!';
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: boot loader name unreadable");
    put32(in + 64, 0); // address 0 means "no string"
    assert_null(mb1_run(fp, info, MB1_INFO_SIZE, &bi));
    assert_string_equal(bi.loader_name, "");
    put32(in + 16, 0x1000); // below the fake memory
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: command line unreadable");
}

static void test_mb2_long_strings_truncated(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    char longline[1000];
    memset(longline, 'y', sizeof(longline) - 1);
    longline[sizeof(longline) - 1] = '\0';
    mb2_begin(&b);
    mb2_string_tag(&b, 1, longline);
    mb2_string_tag(&b, 2, longline);
    mb2_module_tag(&b, 0x1000, 0x2000, longline);
    mb2_meminfo_tag(&b, 0, 4096);
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
    assert_int_equal(strlen(bi.loader_name), BOOT_LOADER_MAX - 1);
    assert_int_equal(strlen(bi.mod[0].cmdline), BOOT_CMDLINE_MAX - 1);
}

/* ---------------------------------------------------------------- malformed: both */

static void test_bad_magic(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    size_t len = mb2_build_good(&b);
    const char *err = mb_parse(&bi, 0x1BADB002, b.buf, len, NULL, NULL);
    assert_string_equal(err, "multiboot: bad magic (neither 0x2BADB002 nor 0x36D76289)");
    assert_string_equal(mb_parse(&bi, MB2_BOOT_MAGIC, NULL, 0, NULL, NULL),
                        "multiboot: no info structure");
    assert_string_equal(mb_parse(NULL, MB2_BOOT_MAGIC, b.buf, len, NULL, NULL),
                        "multiboot: no output structure");
}

static void test_mb2_no_memory_map(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_string_tag(&b, 1, "x");
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi), "multiboot: no memory map");
}

static void test_mb1_no_memory_map(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = fp_alloc(fp, MB1_INFO_SIZE);
    put32(fp_at(fp, info), 1u << 2);
    put32(fp_at(fp, info) + 16, fp_str(fp, "kernel"));
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi), "multiboot: no memory map");
    // Bit 6 with an empty map and no bit 0 is just as empty.
    put32(fp_at(fp, info), 1u << 6);
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi), "multiboot: no memory map");
}

static void test_mb1_no_callback(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = mb1_build_good(fp);
    const void *p = fake_phys_to_ptr(fp, info, MB1_INFO_SIZE);
    assert_string_equal(mb_parse(&bi, MB1_BOOT_MAGIC, p, MB1_INFO_SIZE, NULL, NULL),
                        "multiboot: no phys_to_ptr callback");
}

/* ---------------------------------------------------------------- malformed: mb2 */

static void test_mb2_truncated_module_tag(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    uint8_t *t = mb2_tag(&b, 3, 12);
    put32(t + 8, 0x1000);
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi), "multiboot2: truncated module tag");
}

static void test_mb2_truncated_fixed_tags(void **state)
{
    (void)state;
    static const struct {
        uint32_t type, size;
        const char *err;
    } cases[] = {
        {4, 12, "multiboot2: truncated meminfo tag"},
        {6, 12, "multiboot2: truncated memory map tag"},
        {14, 8 + 19, "multiboot2: truncated ACPI RSDP tag"},
        {15, 8 + 35, "multiboot2: truncated ACPI RSDP tag"},
        {1, 8, "multiboot2: unterminated string"},
    };
    static struct mb2_img b;
    struct boot_info bi;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mb2_begin(&b);
        uint8_t *t = mb2_tag(&b, cases[i].type, cases[i].size);
        memset(t + 8, 'z', cases[i].size - 8);
        assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi), cases[i].err);
    }
}

static void test_mb2_tag_past_total_size(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    uint8_t *t = mb2_tag(&b, 1, 16);
    memcpy(t + 8, "hello", 6);
    size_t len = mb2_finish(&b);
    put32(t + 4, 200); // claims to extend well beyond the end tag and total_size
    assert_string_equal(mb2_run(&b, len, &bi), "multiboot2: tag runs past total_size");
}

static void test_mb2_tag_smaller_than_header(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    mb2_tag(&b, 21, 4);
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi),
                        "multiboot2: tag smaller than its header");
}

static void test_mb2_total_size_checks(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    size_t len = mb2_build_good(&b);
    assert_string_equal(mb2_run(&b, len - 1, &bi), "multiboot2: total_size exceeds info_max");
    assert_string_equal(mb2_run(&b, 7, &bi), "multiboot2: info structure truncated");
    put32(b.buf, 8);
    assert_string_equal(mb2_run(&b, len, &bi), "multiboot2: total_size too small");
}

static void test_mb2_missing_end_tag(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    put32(b.buf, (uint32_t)b.pos); // total_size stops right after the last tag
    assert_string_equal(mb2_run(&b, b.pos, &bi), "multiboot2: missing end tag");

    // Padding after an odd-sized last tag may push the next header past total_size.
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    mb2_string_tag(&b, 1, "abc"); // 12 bytes, padded to 16
    put32(b.buf, (uint32_t)b.pos + 4);
    assert_string_equal(mb2_run(&b, b.pos + 4, &bi), "multiboot2: missing end tag");

    // An end tag beyond total_size does not count, even if the caller could read it.
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    size_t total = b.pos;
    size_t len = mb2_finish(&b);
    put32(b.buf, (uint32_t)total);
    assert_string_equal(mb2_run(&b, len, &bi), "multiboot2: missing end tag");
}

static void test_mb2_unterminated_strings(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    for (uint32_t type = 1; type <= 3; type++) {
        mb2_begin(&b);
        mb2_meminfo_tag(&b, 639, 1024);
        uint32_t off = type == 3 ? 16 : 8;
        uint8_t *t = mb2_tag(&b, type, off + 5);
        memcpy(t + off, "abcde", 5); // no NUL inside the tag, though padding after it is zero
        assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi), "multiboot2: unterminated string");
    }
    mb2_begin(&b); // module tag with no room at all for a string
    mb2_meminfo_tag(&b, 639, 1024);
    mb2_tag(&b, 3, 16);
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi), "multiboot2: unterminated string");
}

static void test_mb2_module_end_before_start(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_meminfo_tag(&b, 639, 1024);
    mb2_module_tag(&b, 0x2000, 0x1fff, "bad");
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi),
                        "multiboot: module ends before it starts");
    mb2_begin(&b); // an empty module is fine
    mb2_meminfo_tag(&b, 639, 1024);
    mb2_module_tag(&b, 0x2000, 0x2000, "");
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(bi.mod_count, 1);
}

static void test_mb2_bad_mmap_entries(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    mb2_begin(&b);
    mb2_mmap_tag(&b, good_map, 2, 16);
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi),
                        "multiboot2: memory map entry_size too small");
    mb2_begin(&b);
    mb2_mmap_tag(&b, good_map, 2, 28);
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi),
                        "multiboot2: memory map entry_size not a multiple of 8");
    mb2_begin(&b);
    uint8_t *t = mb2_tag(&b, 6, 16 + 24 + 8);
    put32(t + 8, 24);
    assert_string_equal(mb2_run(&b, mb2_finish(&b), &bi),
                        "multiboot2: memory map tag has a partial entry");
}

static void test_mb2_region_clamped(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    const struct boot_mem map[] = {
        {0xfffffffffffff000ull, 0x10000, BOOT_MEM_USABLE}, // wraps past 2^64
        {0x1000, 0, BOOT_MEM_USABLE},                      // empty: not stored
        {UINT64_MAX, 5, BOOT_MEM_USABLE},                  // clamps to empty
        {0x2000, 0x1000, 7},                               // unknown type kept verbatim
    };
    mb2_begin(&b);
    mb2_mmap_tag(&b, map, 4, 24);
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(bi.mem_count, 2);
    assert_int_equal(bi.mem[0].size, 0xfff);
    assert_int_equal(bi.mem[1].type, 7);
    assert_int_equal(boot_usable_bytes(&bi), 0xfff);
}

static void test_mb2_too_many(void **state)
{
    (void)state;
    static struct mb2_img b;
    struct boot_info bi;
    struct boot_mem map[BOOT_MAX_MEM + 6];
    for (size_t i = 0; i < BOOT_MAX_MEM + 6; i++) {
        map[i] = (struct boot_mem){.base = i * 0x1000, .size = 0x1000, .type = BOOT_MEM_USABLE};
    }
    mb2_begin(&b);
    mb2_mmap_tag(&b, map, BOOT_MAX_MEM + 6, 24);
    for (uint32_t i = 0; i < BOOT_MAX_MODULES + 4; i++) {
        mb2_module_tag(&b, i * 0x1000, i * 0x1000 + 0x800, i == 0 ? "first" : "m");
    }
    assert_null(mb2_run(&b, mb2_finish(&b), &bi));
    assert_int_equal(bi.mem_count, BOOT_MAX_MEM);
    assert_int_equal(bi.mem_dropped, 6);
    assert_int_equal(bi.mem[BOOT_MAX_MEM - 1].base, (BOOT_MAX_MEM - 1) * 0x1000);
    assert_int_equal(bi.mod_count, BOOT_MAX_MODULES);
    assert_int_equal(bi.mod_dropped, 4);
    assert_string_equal(bi.mod[0].cmdline, "first");
    assert_int_equal(boot_usable_bytes(&bi), BOOT_MAX_MEM * 0x1000);
}

/* ---------------------------------------------------------------- malformed: mb1 */

static void test_mb1_module_end_before_start(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = mb1_build_good(fp);
    uint32_t mods = get32(fp_at(fp, info) + 24);
    put32(fp_at(fp, mods + 16 + 4), 0x27ffff);
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: module ends before it starts");
}

static void test_mb1_mods_outside_memory(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = mb1_build_good(fp);
    uint8_t *in = fp_at(fp, info);
    put32(in + 24, PHYS_BASE + PHYS_SIZE - 16); // second entry would lie beyond memory
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi), "multiboot: module list unreadable");
    put32(in + 24, 0x8000); // entirely below memory
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi), "multiboot: module list unreadable");
    put32(in + 20, 0xffffffff); // absurd count
    put32(in + 24, PHYS_BASE);
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi), "multiboot: module list unreadable");
}

static void test_mb1_module_string_unreadable(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = mb1_build_good(fp);
    uint8_t *in = fp_at(fp, info);
    uint32_t mods = get32(in + 24);
    put32(fp_at(fp, mods + 8), 0xfee00000);
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: module command line unreadable");
}

static void test_mb1_bad_mmap(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = fp_alloc(fp, MB1_INFO_SIZE);
    uint8_t *in = fp_at(fp, info);
    uint32_t map = fp_alloc(fp, 256);
    put32(in, 1u << 6);
    put32(in + 48, map);

    mb1_mmap_entry(fp_at(fp, map), 16, &good_map[0]);
    put32(in + 44, 20); // the entry claims to fit, but its fields would not

    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: memory map entry too small");

    mb1_mmap_entry(fp_at(fp, map), 20, &good_map[0]);
    put32(in + 44, 23); // entry needs 24 bytes
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: memory map entry runs past mmap_length");
    put32(in + 44, 26); // a complete entry, then 2 stray bytes
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi),
                        "multiboot: memory map entry runs past mmap_length");
    put32(in + 44, 24);
    assert_null(mb1_run(fp, info, MB1_INFO_SIZE, &bi));
    assert_int_equal(bi.mem_count, 1);

    put32(in + 48, PHYS_BASE + PHYS_SIZE - 8);
    assert_string_equal(mb1_run(fp, info, MB1_INFO_SIZE, &bi), "multiboot: memory map unreadable");
    // Bit 6 needs the info structure readable through mmap_addr (offset 48..51).
    put32(in + 48, map);
    assert_string_equal(mb1_run(fp, info, 51, &bi), "multiboot: info structure truncated");
    assert_null(mb1_run(fp, info, 52, &bi));
}

static void test_mb1_too_many(void **state)
{
    struct fake_phys *fp = *state;
    struct boot_info bi;
    uint32_t info = fp_alloc(fp, MB1_INFO_SIZE);
    uint8_t *in = fp_at(fp, info);
    put32(in, 1u << 3 | 1u << 6);

    const unsigned nmem = BOOT_MAX_MEM + 3, nmod = BOOT_MAX_MODULES + 2;
    uint32_t map = fp_alloc(fp, nmem * 24);
    for (unsigned i = 0; i < nmem; i++) {
        struct boot_mem e = {.base = i * 0x2000ull, .size = 0x1000, .type = BOOT_MEM_USABLE};
        mb1_mmap_entry(fp_at(fp, map + i * 24), 20, &e);
    }
    put32(in + 44, nmem * 24);
    put32(in + 48, map);

    uint32_t name = fp_str(fp, "mod");
    uint32_t mods = fp_alloc(fp, nmod * 16);
    for (unsigned i = 0; i < nmod; i++) {
        put32(fp_at(fp, mods + i * 16), 0x400000 + i * 0x1000);
        put32(fp_at(fp, mods + i * 16 + 4), 0x400000 + i * 0x1000 + 0x10);
        // Strings of dropped modules are never read, so garbage there is harmless.
        put32(fp_at(fp, mods + i * 16 + 8), i < BOOT_MAX_MODULES ? name : 0xdead0000);
    }
    put32(in + 20, nmod);
    put32(in + 24, mods);

    assert_null(mb1_run(fp, info, MB1_INFO_SIZE, &bi));
    assert_int_equal(bi.mem_count, BOOT_MAX_MEM);
    assert_int_equal(bi.mem_dropped, 3);
    assert_int_equal(bi.mod_count, BOOT_MAX_MODULES);
    assert_int_equal(bi.mod_dropped, 2);
    assert_string_equal(bi.mod[BOOT_MAX_MODULES - 1].cmdline, "mod");
    assert_int_equal(bi.mod[1].start, 0x401000);
}

/* ---------------------------------------------------------------- hostile-input sweeps */

// Every truncation and many single-byte corruptions of a good mb2 image: the parser may
// accept or reject, but must never read out of bounds (ASan) or misbehave (UBSan).
static void test_mb2_corruption_sweep(void **state)
{
    (void)state;
    static struct mb2_img good, b;
    static const uint8_t vals[] = {0x00, 0x01, 0x07, 0x08, 0x10, 0x7f, 0x80, 0xff};
    struct boot_info bi;
    size_t len = mb2_build_good(&good);
    for (size_t n = 0; n < len; n++) {
        assert_non_null(mb2_run(&good, n, &bi));
    }
    for (size_t i = 0; i < len; i++) {
        for (size_t v = 0; v < sizeof(vals); v++) {
            b = good;
            b.buf[i] = vals[v];
            if (mb2_run(&b, len, &bi) == NULL) {
                assert_true(bi.mem_count > 0 && bi.mem_count <= BOOT_MAX_MEM);
                assert_true(bi.mod_count <= BOOT_MAX_MODULES);
            }
        }
    }
}

static void test_mb1_corruption_sweep(void **state)
{
    struct fake_phys *fp = *state;
    static const uint8_t vals[] = {0x00, 0x01, 0x13, 0x14, 0x80, 0xff};
    struct boot_info bi;
    uint32_t info = mb1_build_good(fp);
    size_t used = fp->next - PHYS_BASE;
    static uint8_t saved[PHYS_SIZE];
    memcpy(saved, fp->mem, used);
    for (size_t i = 0; i < used; i++) {
        for (size_t v = 0; v < sizeof(vals); v++) {
            fp->mem[i] = vals[v];
            if (mb1_run(fp, info, MB1_INFO_SIZE, &bi) == NULL) {
                assert_true(bi.mem_count > 0 && bi.mem_count <= BOOT_MAX_MEM);
            }
            fp_release(fp);
        }
        fp->mem[i] = saved[i];
    }
}

/* ---------------------------------------------------------------- helpers */

static void test_usable_bytes(void **state)
{
    (void)state;
    static struct boot_info bi;
    memset(&bi, 0, sizeof(bi));
    assert_int_equal(boot_usable_bytes(&bi), 0);
    bi.mem_count = 3;
    bi.mem[0] = (struct boot_mem){0, 0x1000, BOOT_MEM_USABLE};
    bi.mem[1] = (struct boot_mem){0x1000, 0x5000, BOOT_MEM_RESERVED};
    bi.mem[2] = (struct boot_mem){0x100000, 0x200000, BOOT_MEM_USABLE};
    assert_int_equal(boot_usable_bytes(&bi), 0x201000);
    bi.mem[1] = (struct boot_mem){0, UINT64_MAX, BOOT_MEM_USABLE};
    assert_true(boot_usable_bytes(&bi) == UINT64_MAX); // saturates instead of wrapping
}

static void test_cmdline_has(void **state)
{
    (void)state;
    const char *cl = "kernel.elf serial exit=qemu";
    assert_true(boot_cmdline_has(cl, "serial"));
    assert_true(boot_cmdline_has(cl, "exit"));
    assert_true(boot_cmdline_has(cl, "kernel.elf"));
    assert_false(boot_cmdline_has(cl, "seria"));
    assert_false(boot_cmdline_has(cl, "qemu"));
    assert_false(boot_cmdline_has("kernel.elf exited", "exit"));
    assert_false(boot_cmdline_has("exit_code=1", "exit"));
    assert_true(boot_cmdline_has("\t a\n  iommu=off  ", "iommu"));
    assert_false(boot_cmdline_has("", "exit"));
    assert_false(boot_cmdline_has(NULL, "exit"));
    assert_false(boot_cmdline_has(cl, ""));
    assert_false(boot_cmdline_has("=x", ""));
}

static void test_cmdline_value(void **state)
{
    (void)state;
    char buf[16];
    const char *cl = "kernel.elf serial exit=qemu";
    assert_ptr_equal(boot_cmdline_value(cl, "exit", buf, sizeof(buf)), buf);
    assert_string_equal(buf, "qemu");
    assert_null(boot_cmdline_value(cl, "serial", buf, sizeof(buf))); // bare word: no value
    assert_null(boot_cmdline_value(cl, "exi", buf, sizeof(buf)));
    assert_null(boot_cmdline_value("kernel exited=1", "exit", buf, sizeof(buf)));
    assert_string_equal(boot_cmdline_value("a x= b", "x", buf, sizeof(buf)), "");
    assert_string_equal(boot_cmdline_value("x=1 y=2 x=3", "x", buf, sizeof(buf)), "3");
    assert_string_equal(boot_cmdline_value("k=a=b", "k", buf, sizeof(buf)), "a=b");
    // Value of exactly len - 1 bytes fits, one more would be truncated: rejected.
    assert_string_equal(boot_cmdline_value("v=123", "v", buf, 4), "123");
    assert_null(boot_cmdline_value("v=1234", "v", buf, 4));
    assert_null(boot_cmdline_value(cl, "exit", buf, 0));
    assert_null(boot_cmdline_value(NULL, "exit", buf, sizeof(buf)));
    assert_null(boot_cmdline_value(cl, "", buf, sizeof(buf)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mb2_good),
        cmocka_unit_test(test_mb2_rsdp_old_only),
        cmocka_unit_test_setup_teardown(test_mb1_good, fp_setup, fp_teardown),
        cmocka_unit_test(test_mb2_larger_entry_size),
        cmocka_unit_test(test_mb2_meminfo_fallback),
        cmocka_unit_test_setup_teardown(test_mb1_meminfo_fallback, fp_setup, fp_teardown),
        cmocka_unit_test_setup_teardown(test_mb1_string_at_edge_and_truncation, fp_setup,
                                        fp_teardown),
        cmocka_unit_test(test_mb2_long_strings_truncated),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_mb2_no_memory_map),
        cmocka_unit_test_setup_teardown(test_mb1_no_memory_map, fp_setup, fp_teardown),
        cmocka_unit_test_setup_teardown(test_mb1_no_callback, fp_setup, fp_teardown),
        cmocka_unit_test(test_mb2_truncated_module_tag),
        cmocka_unit_test(test_mb2_truncated_fixed_tags),
        cmocka_unit_test(test_mb2_tag_past_total_size),
        cmocka_unit_test(test_mb2_tag_smaller_than_header),
        cmocka_unit_test(test_mb2_total_size_checks),
        cmocka_unit_test(test_mb2_missing_end_tag),
        cmocka_unit_test(test_mb2_unterminated_strings),
        cmocka_unit_test(test_mb2_module_end_before_start),
        cmocka_unit_test(test_mb2_bad_mmap_entries),
        cmocka_unit_test(test_mb2_region_clamped),
        cmocka_unit_test(test_mb2_too_many),
        cmocka_unit_test_setup_teardown(test_mb1_module_end_before_start, fp_setup, fp_teardown),
        cmocka_unit_test_setup_teardown(test_mb1_mods_outside_memory, fp_setup, fp_teardown),
        cmocka_unit_test_setup_teardown(test_mb1_module_string_unreadable, fp_setup, fp_teardown),
        cmocka_unit_test_setup_teardown(test_mb1_bad_mmap, fp_setup, fp_teardown),
        cmocka_unit_test_setup_teardown(test_mb1_too_many, fp_setup, fp_teardown),
        cmocka_unit_test(test_mb2_corruption_sweep),
        cmocka_unit_test_setup_teardown(test_mb1_corruption_sweep, fp_setup, fp_teardown),
        cmocka_unit_test(test_usable_bytes),
        cmocka_unit_test(test_cmdline_has),
        cmocka_unit_test(test_cmdline_value),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
