// SPDX-License-Identifier: MIT
// Unit tests for the ELF64 executable validator and segment describer

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/elf.h"

/*
 * Images are built byte by byte at the gABI offsets (spelled out here independently of elf.c),
 * and every parse runs on an exact-size heap copy, so AddressSanitizer reports any read past
 * the end of the image.
 */

#define USER_LIMIT 0x00007ffffffff000ull

// Elf64_Ehdr field offsets (gABI "ELF Header").
#define EH_TYPE      16
#define EH_MACHINE   18
#define EH_VERSION   20
#define EH_ENTRY     24
#define EH_PHOFF     32
#define EH_EHSIZE    52
#define EH_PHENTSIZE 54
#define EH_PHNUM     56
#define EH_SIZE      64

// Elf64_Phdr field offsets (gABI "Program Header").
#define PH_TYPE   0
#define PH_FLAGS  4
#define PH_OFFSET 8
#define PH_VADDR  16
#define PH_PADDR  24
#define PH_FILESZ 32
#define PH_MEMSZ  40
#define PH_ALIGN  48
#define PH_SIZE   56

#define PT_NULL      0
#define PT_LOAD      1
#define PT_INTERP    3
#define PT_NOTE      4
#define PT_GNU_STACK 0x6474e551u
#define PF_X         1u
#define PF_W         2u
#define PF_R         4u

// The good image: text (R+X) and data (R+W, with .bss) plus a PT_GNU_STACK that must be ignored.
#define PHOFF       EH_SIZE
#define TEXT_OFF    0x1000u
#define TEXT_VADDR  0x401000u
#define TEXT_SIZE   0x100u
#define DATA_OFF    0x2000u
#define DATA_VADDR  0x600000u
#define DATA_FILESZ 0x80u
#define DATA_MEMSZ  0x3000u
#define ENTRY       (TEXT_VADDR + 0x10)
#define GOOD_SIZE   (DATA_OFF + DATA_FILESZ)

struct image {
    uint8_t b[GOOD_SIZE];
    size_t len;
};

static void put(uint8_t *p, size_t off, uint64_t v, unsigned bytes)
{
    for (unsigned i = 0; i < bytes; i++) {
        p[off + i] = (uint8_t)(v >> (8 * i));
    }
}

static void put16(struct image *im, size_t off, uint16_t v)
{
    put(im->b, off, v, 2);
}

static void put64(struct image *im, size_t off, uint64_t v)
{
    put(im->b, off, v, 8);
}

// Address of field `field` of program header `i` of the image as built (e_phoff = PHOFF).
static size_t ph(unsigned i, size_t field)
{
    return PHOFF + (size_t)i * PH_SIZE + field;
}

static void set_phdr(struct image *im, unsigned i, uint32_t type, uint32_t flags, uint64_t off,
                     uint64_t vaddr, uint64_t filesz, uint64_t memsz, uint64_t align)
{
    put(im->b, ph(i, PH_TYPE), type, 4);
    put(im->b, ph(i, PH_FLAGS), flags, 4);
    put64(im, ph(i, PH_OFFSET), off);
    put64(im, ph(i, PH_VADDR), vaddr);
    put64(im, ph(i, PH_PADDR), vaddr);
    put64(im, ph(i, PH_FILESZ), filesz);
    put64(im, ph(i, PH_MEMSZ), memsz);
    put64(im, ph(i, PH_ALIGN), align);
}

static void build_header(struct image *im)
{
    static const uint8_t ident[16] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
    memcpy(im->b, ident, sizeof(ident));
    put16(im, EH_TYPE, 2);     // ET_EXEC
    put16(im, EH_MACHINE, 62); // EM_X86_64
    put(im->b, EH_VERSION, 1, 4);
    put64(im, EH_ENTRY, ENTRY);
    put64(im, EH_PHOFF, PHOFF);
    put16(im, EH_EHSIZE, EH_SIZE);
    put16(im, EH_PHENTSIZE, PH_SIZE);
    put16(im, EH_PHNUM, 3);
}

static void build_good(struct image *im)
{
    memset(im, 0, sizeof(*im));
    im->len = GOOD_SIZE;
    build_header(im);
    set_phdr(im, 0, PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_VADDR, TEXT_SIZE, TEXT_SIZE, 0x1000);
    set_phdr(im, 1, PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VADDR, DATA_FILESZ, DATA_MEMSZ, 0x1000);
    set_phdr(im, 2, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16);
    memset(im->b + TEXT_OFF, 0xcc, TEXT_SIZE);
    memset(im->b + DATA_OFF, 0x5a, DATA_FILESZ);
}

// Parse `len` bytes of `bytes` from an exact-size heap copy; *out is poisoned beforehand.
static const char *parse_bytes(const uint8_t *bytes, size_t len, uint64_t limit,
                               struct elf_image *out)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, bytes, len);
    memset(out, 0xa5, sizeof(*out));
    const char *err = elf_parse(copy, len, limit, out);
    free(copy);
    return err;
}

static const char *parse_image(const struct image *im, struct elf_image *out)
{
    return parse_bytes(im->b, im->len, USER_LIMIT, out);
}

static void expect_fault(const struct image *im, const char *msg)
{
    struct elf_image out;
    const char *err = parse_image(im, &out);
    assert_non_null(err);
    assert_string_equal(err, msg);
    assert_int_equal(out.count, 0);
    assert_int_equal(out.entry, 0);
}

static void expect_ok(const struct image *im, struct elf_image *out)
{
    const char *err = parse_image(im, out);
    if (err != NULL) {
        fail_msg("unexpected fault: %s", err);
    }
}

static uint64_t round_down(uint64_t a)
{
    return a & ~0xfffull;
}

static uint64_t round_up(uint64_t a)
{
    return (a + 0xfff) & ~0xfffull;
}

// What elf.h promises about a successful parse, checked independently of the parser.
static void check_promises(const struct elf_image *img, size_t len, uint64_t limit)
{
    bool entry_found = false;
    assert_in_range(img->count, 1, ELF_MAX_SEGMENTS);
    for (unsigned i = 0; i < img->count; i++) {
        const struct elf_segment *s = &img->seg[i];
        assert_true(s->memsz > 0 && s->filesz <= s->memsz);
        assert_true(s->offset <= len && s->filesz <= len - s->offset);
        assert_true(s->memsz <= UINT64_MAX - 0xfff && s->vaddr <= UINT64_MAX - 0xfff - s->memsz);
        assert_true(s->vaddr >= 0x1000);
        assert_true(round_up(s->vaddr + s->memsz) <= limit);
        assert_false(s->write && s->exec);
        assert_true(s->filesz == 0 || (s->vaddr - s->offset) % 4096 == 0);
        for (unsigned j = 0; j < i; j++) {
            const struct elf_segment *t = &img->seg[j];
            assert_true(round_up(s->vaddr + s->memsz) <= round_down(t->vaddr) ||
                        round_up(t->vaddr + t->memsz) <= round_down(s->vaddr));
        }
        entry_found |= s->exec && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz;
    }
    assert_true(entry_found);
}

static void test_good_image(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    expect_ok(&im, &out);
    assert_int_equal(out.entry, ENTRY);
    assert_int_equal(out.count, 2);
    const struct elf_segment *t = &out.seg[0], *d = &out.seg[1];
    assert_int_equal(t->vaddr, TEXT_VADDR);
    assert_int_equal(t->memsz, TEXT_SIZE);
    assert_int_equal(t->offset, TEXT_OFF);
    assert_int_equal(t->filesz, TEXT_SIZE);
    assert_true(t->read && !t->write && t->exec);
    assert_int_equal(d->vaddr, DATA_VADDR);
    assert_int_equal(d->memsz, DATA_MEMSZ);
    assert_int_equal(d->offset, DATA_OFF);
    assert_int_equal(d->filesz, DATA_FILESZ);
    assert_true(d->read && d->write && !d->exec);
    check_promises(&out, im.len, USER_LIMIT);
}

// Field by field: padding and unused slots of struct elf_image hold no meaning.
static void assert_same_result(const struct elf_image *a, const struct elf_image *b)
{
    assert_int_equal(a->entry, b->entry);
    assert_int_equal(a->count, b->count);
    for (unsigned i = 0; i < a->count; i++) {
        const struct elf_segment *s = &a->seg[i], *t = &b->seg[i];
        assert_int_equal(s->vaddr, t->vaddr);
        assert_int_equal(s->memsz, t->memsz);
        assert_int_equal(s->offset, t->offset);
        assert_int_equal(s->filesz, t->filesz);
        assert_true(s->read == t->read && s->write == t->write && s->exec == t->exec);
    }
}

static void test_unaligned_buffer(void **state)
{
    (void)state;
    struct image im;
    struct elf_image ref, out;
    build_good(&im);
    expect_ok(&im, &ref);
    for (size_t shift = 1; shift < 8; shift++) {
        uint8_t *buf = malloc(im.len + shift);
        assert_non_null(buf);
        memcpy(buf + shift, im.b, im.len);
        const char *err = elf_parse(buf + shift, im.len, USER_LIMIT, &out);
        free(buf);
        assert_null(err);
        assert_same_result(&out, &ref);
    }
}

static void test_null_arguments(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    assert_string_equal(elf_parse(im.b, im.len, USER_LIMIT, NULL), "elf: no output");
    assert_string_equal(elf_parse(NULL, im.len, USER_LIMIT, &out), "elf: no image");
    assert_int_equal(out.count, 0);
}

static void test_header_truncated(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    im.len = EH_SIZE - 1;
    expect_fault(&im, "elf: file smaller than the ELF header");
}

static void test_not_elf(void **state)
{
    (void)state;
    struct image im;
    for (unsigned i = 0; i < 4; i++) {
        build_good(&im);
        im.b[i] ^= 0x20;
        expect_fault(&im, "elf: not an ELF file");
    }
}

static void test_not_64bit(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    im.b[4] = 1; // ELFCLASS32
    expect_fault(&im, "elf: not 64-bit");
    im.b[4] = 0; // ELFCLASSNONE
    expect_fault(&im, "elf: not 64-bit");
}

static void test_not_little_endian(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    im.b[5] = 2; // ELFDATA2MSB
    expect_fault(&im, "elf: not little-endian");
    im.b[5] = 0;
    expect_fault(&im, "elf: not little-endian");
}

static void test_bad_version(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    im.b[6] = 0; // e_ident[EI_VERSION]
    expect_fault(&im, "elf: unsupported ELF version");
    build_good(&im);
    put(im.b, EH_VERSION, 2, 4); // e_version
    expect_fault(&im, "elf: unsupported ELF version");
}

static void test_not_x86_64(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    put16(&im, EH_MACHINE, 3); // EM_386
    expect_fault(&im, "elf: not x86-64");
    put16(&im, EH_MACHINE, 183); // EM_AARCH64
    expect_fault(&im, "elf: not x86-64");
}

static void test_not_exec(void **state)
{
    (void)state;
    static const uint16_t types[] = {0, 1, 3, 4, 0xfe00}; // NONE, REL, DYN (PIE), CORE, OS
    struct image im;
    build_good(&im);
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        put16(&im, EH_TYPE, types[i]);
        expect_fault(&im, "elf: not an executable (ET_EXEC)");
    }
}

static void test_bad_phentsize(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    put16(&im, EH_PHENTSIZE, 0);
    expect_fault(&im, "elf: unexpected program header entry size");
    put16(&im, EH_PHENTSIZE, 32); // Elf32_Phdr
    expect_fault(&im, "elf: unexpected program header entry size");
    put16(&im, EH_PHENTSIZE, 64);
    expect_fault(&im, "elf: unexpected program header entry size");
}

static void test_phnum_limit(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put16(&im, EH_PHNUM, 64); // the extra entries are zero: PT_NULL, ignored
    expect_ok(&im, &out);
    assert_int_equal(out.count, 2);
    put16(&im, EH_PHNUM, 65);
    expect_fault(&im, "elf: too many program headers");
    put16(&im, EH_PHNUM, 0xffff); // PN_XNUM: the real count would be in a section header
    expect_fault(&im, "elf: too many program headers");
}

static void test_phdrs_outside_file(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, EH_PHOFF, GOOD_SIZE - 3 * PH_SIZE + 1); // last entry one byte past the end
    expect_fault(&im, "elf: program headers outside the file");
    put64(&im, EH_PHOFF, GOOD_SIZE + 1);
    expect_fault(&im, "elf: program headers outside the file");
    put64(&im, EH_PHOFF, UINT64_MAX - 8); // phoff + table wraps around
    expect_fault(&im, "elf: program headers outside the file");
    put64(&im, EH_PHOFF, UINT64_MAX);
    expect_fault(&im, "elf: program headers outside the file");

    // The table may end exactly at the end of the file.
    build_good(&im);
    memcpy(im.b + GOOD_SIZE - 3 * PH_SIZE, im.b + PHOFF, 3 * PH_SIZE);
    put64(&im, EH_PHOFF, GOOD_SIZE - 3 * PH_SIZE); // overlapping segment data is harmless
    expect_ok(&im, &out);
}

static void test_segment_data_outside_file(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_FILESZ), DATA_FILESZ + 1);
    expect_fault(&im, "elf: segment data outside the file");

    build_good(&im);
    put64(&im, ph(1, PH_OFFSET), UINT64_MAX - 0xf); // a naive offset + filesz wraps to 0x70
    expect_fault(&im, "elf: segment data outside the file");

    build_good(&im);
    put64(&im, ph(1, PH_OFFSET), GOOD_SIZE + 1); // even without file bytes
    put64(&im, ph(1, PH_FILESZ), 0);
    expect_fault(&im, "elf: segment data outside the file");

    put64(&im, ph(1, PH_OFFSET), GOOD_SIZE); // empty range at the very end is fine
    expect_ok(&im, &out);
}

static void test_filesz_exceeds_memsz(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    put64(&im, ph(1, PH_MEMSZ), DATA_FILESZ - 1);
    expect_fault(&im, "elf: segment file size exceeds memory size");
    put64(&im, ph(1, PH_MEMSZ), 0); // not excused by the memsz 0 skip
    expect_fault(&im, "elf: segment file size exceeds memory size");
}

static void test_memsz_zero_skipped(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    // An empty PT_LOAD in page 0, overlapping everything and W+X: it maps nothing.
    set_phdr(&im, 2, PT_LOAD, PF_R | PF_W | PF_X, 0, 0, 0, 0, 0x1000);
    expect_ok(&im, &out);
    assert_int_equal(out.count, 2);
}

static void test_address_overflows(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_VADDR), 0xfffffffffffff000ull); // vaddr + memsz wraps
    expect_fault(&im, "elf: segment address overflows");
    put64(&im, ph(1, PH_VADDR), 0xffffffffffffd000ull); // end fits, its page round-up wraps
    put64(&im, ph(1, PH_MEMSZ), 0x2001);
    expect_fault(&im, "elf: segment address overflows");
    put64(&im, ph(1, PH_MEMSZ), UINT64_MAX);
    expect_fault(&im, "elf: segment address overflows");

    // With no limit at all, the last full page is still usable.
    put64(&im, ph(1, PH_MEMSZ), 0x2000);
    assert_null(parse_bytes(im.b, im.len, UINT64_MAX, &out));
    assert_int_equal(out.seg[1].vaddr + out.seg[1].memsz, 0xfffffffffffff000ull);
}

static void test_null_page(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_VADDR), 0); // congruent with DATA_OFF
    expect_fault(&im, "elf: segment in the null page");
    put64(&im, ph(1, PH_VADDR), 0xfff);
    put64(&im, ph(1, PH_FILESZ), 0); // so congruence does not matter
    expect_fault(&im, "elf: segment in the null page");
    put64(&im, ph(1, PH_VADDR), 0x1000); // the first page above it is fine
    expect_ok(&im, &out);
    assert_int_equal(out.seg[1].vaddr, 0x1000);
}

static void test_segment_outside_user_space(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_VADDR), USER_LIMIT - DATA_MEMSZ); // ends exactly at the limit
    expect_ok(&im, &out);
    put64(&im, ph(1, PH_MEMSZ), DATA_MEMSZ + 1);
    expect_fault(&im, "elf: segment outside user space");
    build_good(&im);
    put64(&im, ph(0, PH_VADDR), 0xffffffff80001000ull); // a kernel address
    put64(&im, EH_ENTRY, 0xffffffff80001000ull);
    expect_fault(&im, "elf: segment outside user space");
    build_good(&im);
    put64(&im, ph(1, PH_VADDR), 0x0000800000000000ull); // non-canonical hole
    expect_fault(&im, "elf: segment outside user space");
}

static void test_misaligned(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_VADDR), DATA_VADDR + 0x10);
    expect_fault(&im, "elf: misaligned segment");
    put64(&im, ph(1, PH_ALIGN), 0); // file pages must be mappable whatever p_align says
    expect_fault(&im, "elf: misaligned segment");
    put64(&im, ph(1, PH_ALIGN), 16);
    expect_fault(&im, "elf: misaligned segment");

    // Congruent but not page-aligned is the normal case for a linker's data segment.
    build_good(&im);
    put64(&im, ph(1, PH_OFFSET), DATA_OFF + 0x40);
    put64(&im, ph(1, PH_VADDR), DATA_VADDR + 0x40);
    put64(&im, ph(1, PH_FILESZ), DATA_FILESZ - 0x40);
    expect_ok(&im, &out);

    // A pure .bss segment has no file pages to map.
    put64(&im, ph(1, PH_VADDR), DATA_VADDR + 0x10);
    put64(&im, ph(1, PH_FILESZ), 0);
    expect_ok(&im, &out);
}

static void test_align_not_power_of_two(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_ALIGN), 0x3000);
    expect_fault(&im, "elf: segment alignment not a power of two");
    put64(&im, ph(1, PH_ALIGN), UINT64_MAX);
    expect_fault(&im, "elf: segment alignment not a power of two");
    // gABI: 0 and 1 mean no alignment constraint; large powers of two are fine.
    for (uint64_t a = 0; a <= 1; a++) {
        put64(&im, ph(1, PH_ALIGN), a);
        expect_ok(&im, &out);
    }
    put64(&im, ph(1, PH_ALIGN), 0x200000);
    expect_ok(&im, &out);
}

static void test_segments_overlap(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    put64(&im, ph(1, PH_VADDR), TEXT_VADDR); // same bytes
    expect_fault(&im, "elf: segments overlap");

    build_good(&im);
    put64(&im, ph(1, PH_VADDR), TEXT_VADDR + 0x200); // same page, disjoint bytes
    put64(&im, ph(1, PH_FILESZ), 0);
    put64(&im, ph(1, PH_MEMSZ), 0x100);
    expect_fault(&im, "elf: segments overlap");

    build_good(&im);
    put64(&im, ph(1, PH_VADDR), TEXT_VADDR - DATA_MEMSZ); // data ends where text's page starts
    expect_ok(&im, &out);
    put64(&im, ph(1, PH_MEMSZ), DATA_MEMSZ + 1);
    expect_fault(&im, "elf: segments overlap");

    build_good(&im);
    put64(&im, ph(1, PH_VADDR), TEXT_VADDR - 0x1000); // data's .bss covers text entirely
    expect_fault(&im, "elf: segments overlap");
}

static void test_writable_executable(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    put(im.b, ph(0, PH_FLAGS), PF_R | PF_W | PF_X, 4);
    expect_fault(&im, "elf: segment is writable and executable");
    put(im.b, ph(0, PH_FLAGS), PF_W | PF_X, 4);
    expect_fault(&im, "elf: segment is writable and executable");
}

// Turn header i (i >= 1) into a 256-byte .bss segment at its own page above the data.
static void add_bss(struct image *im, unsigned i)
{
    set_phdr(im, i, PT_LOAD, PF_R | PF_W, 0, 0x800000 + i * 0x2000, 0, 0x100, 0x1000);
}

static void test_too_many_loadable_segments(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    for (unsigned i = 1; i < ELF_MAX_SEGMENTS; i++) {
        add_bss(&im, i);
    }
    put16(&im, EH_PHNUM, ELF_MAX_SEGMENTS + 1); // plus one PT_NULL
    expect_ok(&im, &out);
    assert_int_equal(out.count, ELF_MAX_SEGMENTS);
    check_promises(&out, im.len, USER_LIMIT);
    add_bss(&im, ELF_MAX_SEGMENTS);
    expect_fault(&im, "elf: too many loadable segments");
}

static void test_no_loadable_segment(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    put16(&im, EH_PHNUM, 0);
    expect_fault(&im, "elf: no loadable segment");
    put16(&im, EH_PHNUM, 3);
    put(im.b, ph(0, PH_TYPE), PT_NOTE, 4);
    put(im.b, ph(1, PH_TYPE), PT_NULL, 4);
    expect_fault(&im, "elf: no loadable segment");
    build_good(&im);
    put64(&im, ph(0, PH_FILESZ), 0); // memsz 0 segments are skipped, not counted
    put64(&im, ph(0, PH_MEMSZ), 0);
    put64(&im, ph(1, PH_FILESZ), 0);
    put64(&im, ph(1, PH_MEMSZ), 0);
    expect_fault(&im, "elf: no loadable segment");
}

static void test_entry_not_executable(void **state)
{
    (void)state;
    static const uint64_t bad[] = {
        0, TEXT_VADDR - 1, TEXT_VADDR + TEXT_SIZE, DATA_VADDR, DATA_VADDR + 0x100, UINT64_MAX,
    };
    struct image im;
    struct elf_image out;
    build_good(&im);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        put64(&im, EH_ENTRY, bad[i]);
        expect_fault(&im, "elf: entry point not in an executable segment");
    }
    put64(&im, EH_ENTRY, TEXT_VADDR); // both ends of the text segment are inside
    expect_ok(&im, &out);
    put64(&im, EH_ENTRY, TEXT_VADDR + TEXT_SIZE - 1);
    expect_ok(&im, &out);
    assert_int_equal(out.entry, TEXT_VADDR + TEXT_SIZE - 1);
}

static void test_other_phdrs_ignored(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    // Garbage in a non-loadable header is none of the loader's business.
    set_phdr(&im, 2, PT_NOTE, PF_W | PF_X, UINT64_MAX, UINT64_MAX, UINT64_MAX, 1, 3);
    expect_ok(&im, &out);
    assert_int_equal(out.count, 2);
}

static void test_interp_rejected(void **state)
{
    (void)state;
    struct image im;
    build_good(&im);
    set_phdr(&im, 2, PT_INTERP, PF_R, 0x200, 0x400200, 28, 28, 1);
    expect_fault(&im, "elf: needs a dynamic linker (PT_INTERP)");
}

// Every proper prefix cuts the headers or the data segment, whose bytes end the file.
static void test_truncations(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    build_good(&im);
    for (size_t len = 0; len < im.len; len++) {
        const char *err = parse_bytes(im.b, len, USER_LIMIT, &out);
        assert_non_null(err);
        assert_int_equal(out.count, 0);
    }
    assert_null(parse_bytes(im.b, im.len, USER_LIMIT, &out));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    // xorshift64: deterministic, so a failure reproduces.
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void mutate(struct image *im)
{
    static const uint64_t interesting[] = {
        0,
        1,
        0xfff,
        0x1000,
        0x1001,
        GOOD_SIZE,
        USER_LIMIT,
        0x00007fffffffffffull,
        0x8000000000000000ull,
        UINT64_MAX - 0x1000,
        UINT64_MAX,
    };
    const size_t headers = PHOFF + 3 * PH_SIZE;
    unsigned kind = rng() % 8;
    if (kind < 5) { // flip a header byte: that is where the parser looks
        im->b[rng() % headers] ^= (uint8_t)(1u << (rng() % 8));
    } else if (kind == 5) { // an interesting value in an 8-byte aligned header field
        put64(im, (rng() % (headers / 8)) * 8,
              interesting[rng() % (sizeof(interesting) / sizeof(interesting[0]))]);
    } else if (kind == 6) { // a random byte anywhere
        im->b[rng() % GOOD_SIZE] = (uint8_t)rng();
    } else { // shorten the file
        im->len = rng() % (im->len + 1);
    }
}

static void test_fuzz(void **state)
{
    (void)state;
    struct image im;
    struct elf_image out;
    unsigned accepted = 0;
    for (unsigned iter = 0; iter < 20000; iter++) {
        build_good(&im);
        for (unsigned n = 1 + rng() % 4; n > 0; n--) {
            mutate(&im);
        }
        uint64_t limit = (iter % 16 == 0) ? UINT64_MAX : USER_LIMIT;
        if (parse_bytes(im.b, im.len, limit, &out) == NULL) {
            check_promises(&out, im.len, limit);
            accepted++;
        } else {
            assert_int_equal(out.count, 0);
        }
    }
    assert_true(accepted > 0); // some mutations hit don't-care bytes
    assert_true(accepted < 20000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_image),
        cmocka_unit_test(test_unaligned_buffer),
        cmocka_unit_test(test_null_arguments),
        cmocka_unit_test(test_header_truncated),
        cmocka_unit_test(test_not_elf),
        cmocka_unit_test(test_not_64bit),
        cmocka_unit_test(test_not_little_endian),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_not_x86_64),
        cmocka_unit_test(test_not_exec),
        cmocka_unit_test(test_bad_phentsize),
        cmocka_unit_test(test_phnum_limit),
        cmocka_unit_test(test_phdrs_outside_file),
        cmocka_unit_test(test_segment_data_outside_file),
        cmocka_unit_test(test_filesz_exceeds_memsz),
        cmocka_unit_test(test_memsz_zero_skipped),
        cmocka_unit_test(test_address_overflows),
        cmocka_unit_test(test_null_page),
        cmocka_unit_test(test_segment_outside_user_space),
        cmocka_unit_test(test_misaligned),
        cmocka_unit_test(test_align_not_power_of_two),
        cmocka_unit_test(test_segments_overlap),
        cmocka_unit_test(test_writable_executable),
        cmocka_unit_test(test_too_many_loadable_segments),
        cmocka_unit_test(test_no_loadable_segment),
        cmocka_unit_test(test_entry_not_executable),
        cmocka_unit_test(test_other_phdrs_ignored),
        cmocka_unit_test(test_interp_rejected),
        cmocka_unit_test(test_truncations),
        cmocka_unit_test(test_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
