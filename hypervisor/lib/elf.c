// SPDX-License-Identifier: MIT
// Validation of an ELF64 x86-64 executable image and a description of its loadable segments

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"

/*
 * References: System V ABI, generic part (gABI), chapters 4 "Object Files" (ELF header) and 5
 * "Program Loading" (program header); System V ABI AMD64 supplement for EM_X86_64 and the page
 * size. Only what a static executable needs is accepted; everything else is refused with a
 * message rather than half-supported.
 */

// gABI "ELF Header": e_ident indices and values.
#define EI_MAG0     0
#define EI_CLASS    4
#define EI_DATA     5
#define EI_VERSION  6
#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62

// gABI "Program Header": segment types and permission flags.
#define PT_LOAD   1
#define PT_INTERP 3
#define PF_X      0x1u
#define PF_W      0x2u
#define PF_R      0x4u

#define PAGE_MASK ((uint64_t)ELF_PAGE_SIZE - 1)

typedef struct {
    uint8_t e_ident[EI_NIDENT];
    uint16_t e_type;
    uint16_t e_machine;
    uint32_t e_version;
    uint64_t e_entry;
    uint64_t e_phoff;
    uint64_t e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize;
    uint16_t e_phentsize;
    uint16_t e_phnum;
    uint16_t e_shentsize;
    uint16_t e_shnum;
    uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
    uint32_t p_type;
    uint32_t p_flags;
    uint64_t p_offset;
    uint64_t p_vaddr;
    uint64_t p_paddr;
    uint64_t p_filesz;
    uint64_t p_memsz;
    uint64_t p_align;
} Elf64_Phdr;

// The file layout is fixed by the gABI; natural alignment must reproduce it exactly, because
// headers are copied byte for byte (x86-64 is little-endian, like the ELFDATA2LSB file).
_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(offsetof(Elf64_Ehdr, e_phoff) == 32, "e_phoff at 32");
_Static_assert(offsetof(Elf64_Ehdr, e_phentsize) == 54, "e_phentsize at 54");
_Static_assert(sizeof(Elf64_Phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(offsetof(Elf64_Phdr, p_align) == 48, "p_align at 48");

// The image may sit at any byte address, so headers are never dereferenced in place.
static void copy_in(void *dst, const uint8_t *src, size_t n)
{
    uint8_t *d = dst;
    for (size_t i = 0; i < n; i++) {
        d[i] = src[i];
    }
}

static uint64_t page_down(uint64_t a)
{
    return a & ~PAGE_MASK;
}

// Callers guarantee a <= UINT64_MAX - PAGE_MASK.
static uint64_t page_up(uint64_t a)
{
    return (a + PAGE_MASK) & ~PAGE_MASK;
}

static const char *check_ident(const uint8_t *id)
{
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};
    for (unsigned i = 0; i < sizeof(magic); i++) {
        if (id[EI_MAG0 + i] != magic[i]) {
            return "elf: not an ELF file";
        }
    }
    if (id[EI_CLASS] != ELFCLASS64) {
        return "elf: not 64-bit";
    }
    if (id[EI_DATA] != ELFDATA2LSB) {
        return "elf: not little-endian";
    }
    if (id[EI_VERSION] != EV_CURRENT) {
        return "elf: unsupported ELF version";
    }
    return NULL;
}

static const char *check_header(const Elf64_Ehdr *eh, size_t size)
{
    const char *err = check_ident(eh->e_ident);
    if (err != NULL) {
        return err;
    }
    if (eh->e_version != EV_CURRENT) {
        return "elf: unsupported ELF version";
    }
    if (eh->e_machine != EM_X86_64) {
        return "elf: not x86-64";
    }
    if (eh->e_type != ET_EXEC) {
        return "elf: not an executable (ET_EXEC)";
    }
    if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
        return "elf: unexpected program header entry size";
    }
    if (eh->e_phnum > ELF_MAX_PHDRS) {
        return "elf: too many program headers";
    }
    // e_phnum <= 64, so the table size cannot overflow; compare without forming phoff + table.
    uint64_t table = (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
    if (eh->e_phoff > size || table > size - eh->e_phoff) {
        return "elf: program headers outside the file";
    }
    return NULL;
}

// Sizes and file range: gABI requires p_filesz <= p_memsz, and p_align 0/1 or a power of two.
static const char *check_extent(const Elf64_Phdr *ph, size_t size)
{
    if ((ph->p_align & (ph->p_align - 1)) != 0) {
        return "elf: segment alignment not a power of two";
    }
    if (ph->p_filesz > ph->p_memsz) {
        return "elf: segment file size exceeds memory size";
    }
    if (ph->p_offset > size || ph->p_filesz > size - ph->p_offset) {
        return "elf: segment data outside the file";
    }
    return NULL;
}

/*
 * Placement in memory. The end is rounded up to a page because whole pages get mapped. The
 * gABI (and the AMD64 supplement) make p_vaddr and p_offset congruent modulo the page size for
 * loadable segments; we rely on it whenever file bytes are present, whatever p_align says.
 */
static const char *check_placement(const Elf64_Phdr *ph, uint64_t user_limit)
{
    if (ph->p_vaddr > UINT64_MAX - ph->p_memsz ||
        ph->p_vaddr + ph->p_memsz > UINT64_MAX - PAGE_MASK) {
        return "elf: segment address overflows";
    }
    if (ph->p_vaddr < ELF_MIN_VADDR) {
        return "elf: segment in the null page";
    }
    if (page_up(ph->p_vaddr + ph->p_memsz) > user_limit) {
        return "elf: segment outside user space";
    }
    if (ph->p_filesz != 0 && ((ph->p_vaddr - ph->p_offset) & PAGE_MASK) != 0) {
        return "elf: misaligned segment";
    }
    if ((ph->p_flags & PF_W) != 0 && (ph->p_flags & PF_X) != 0) {
        return "elf: segment is writable and executable";
    }
    return NULL;
}

// Segments are mapped page by page, so two segments sharing a page would fight over it.
static bool overlaps(const struct elf_segment *a, const struct elf_segment *b)
{
    uint64_t a_lo = page_down(a->vaddr), a_hi = page_up(a->vaddr + a->memsz);
    uint64_t b_lo = page_down(b->vaddr), b_hi = page_up(b->vaddr + b->memsz);
    return a_lo < b_hi && b_lo < a_hi;
}

static const char *add_segment(struct elf_image *out, const Elf64_Phdr *ph)
{
    struct elf_segment s = {
        .vaddr = ph->p_vaddr,
        .memsz = ph->p_memsz,
        .offset = ph->p_offset,
        .filesz = ph->p_filesz,
        .read = (ph->p_flags & PF_R) != 0,
        .write = (ph->p_flags & PF_W) != 0,
        .exec = (ph->p_flags & PF_X) != 0,
    };
    for (unsigned i = 0; i < out->count; i++) {
        if (overlaps(&out->seg[i], &s)) {
            return "elf: segments overlap";
        }
    }
    if (out->count == ELF_MAX_SEGMENTS) {
        return "elf: too many loadable segments";
    }
    out->seg[out->count++] = s;
    return NULL;
}

static const char *load_phdr(struct elf_image *out, const Elf64_Phdr *ph, size_t size,
                             uint64_t user_limit)
{
    if (ph->p_type == PT_INTERP) {
        return "elf: needs a dynamic linker (PT_INTERP)";
    }
    if (ph->p_type != PT_LOAD) {
        return NULL; // PT_NOTE, PT_GNU_STACK, PT_TLS, ...: nothing to map
    }
    const char *err = check_extent(ph, size);
    if (err == NULL && ph->p_memsz == 0) {
        return NULL; // occupies no memory: nothing to map, nothing to overlap
    }
    if (err == NULL) {
        err = check_placement(ph, user_limit);
    }
    return err != NULL ? err : add_segment(out, ph);
}

static bool entry_ok(const struct elf_image *img)
{
    for (unsigned i = 0; i < img->count; i++) {
        const struct elf_segment *s = &img->seg[i];
        if (s->exec && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz) {
            return true;
        }
    }
    return false;
}

static const char *parse(const uint8_t *base, size_t size, uint64_t user_limit,
                         struct elf_image *out)
{
    Elf64_Ehdr eh;
    if (base == NULL) {
        return "elf: no image";
    }
    if (size < sizeof(eh)) {
        return "elf: file smaller than the ELF header";
    }
    copy_in(&eh, base, sizeof(eh));
    const char *err = check_header(&eh, size);
    for (unsigned i = 0; err == NULL && i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        copy_in(&ph, base + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
        err = load_phdr(out, &ph, size, user_limit);
    }
    if (err != NULL) {
        return err;
    }
    if (out->count == 0) {
        return "elf: no loadable segment";
    }
    out->entry = eh.e_entry;
    return entry_ok(out) ? NULL : "elf: entry point not in an executable segment";
}

const char *elf_parse(const void *image, size_t size, uint64_t user_limit, struct elf_image *out)
{
    if (out == NULL) {
        return "elf: no output";
    }
    out->count = 0;
    out->entry = 0;
    const char *err = parse(image, size, user_limit, out);
    if (err != NULL) {
        out->count = 0;
        out->entry = 0;
    }
    return err;
}
