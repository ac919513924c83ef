// SPDX-License-Identifier: MIT
// Validation of an ELF64 x86-64 executable image and a description of its loadable segments

#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The parser is pure logic: no allocation, no libc, no hardware, so it builds freestanding in
 * the kernel (loading the root task from a boot module) and hosted in user space and the unit
 * tests. The image is hostile: every byte read is bounds-checked first, headers are copied out
 * byte by byte (the buffer need not be aligned), and all arithmetic is overflow-checked.
 */

#define ELF_MAX_SEGMENTS 8             // PT_LOAD segments kept; more is an error, not a truncation
#define ELF_MAX_PHDRS    64            // program header entries accepted (loadable or not)
#define ELF_PAGE_SIZE    4096          // the granule of the guarantees below
#define ELF_MIN_VADDR    ELF_PAGE_SIZE // page 0 stays unmapped so that NULL faults

/*
 * One PT_LOAD segment: memory [vaddr, vaddr + memsz) is file [offset, offset + filesz) followed
 * by memsz - filesz zero bytes (.bss). Guaranteed for every reported segment:
 *   - 0 < memsz, filesz <= memsz, and offset + filesz <= the image size;
 *   - ELF_MIN_VADDR <= vaddr, and vaddr + memsz rounded up to a page is <= user_limit;
 *   - if filesz > 0, vaddr and offset are congruent modulo ELF_PAGE_SIZE, so whole pages of the
 *     file can be mapped (or copied) page by page;
 *   - no two segments share a page (after rounding both out to pages);
 *   - not both write and exec.
 */
struct elf_segment {
    uint64_t vaddr, memsz;   // where the segment lives, and its size in memory
    uint64_t offset, filesz; // where its initialised bytes are in the image
    bool read, write, exec;  // PF_R, PF_W, PF_X
};

struct elf_image {
    uint64_t entry;                           // inside an exec segment
    unsigned count;                           // 1..ELF_MAX_SEGMENTS on success
    struct elf_segment seg[ELF_MAX_SEGMENTS]; // in program header order
};

/*
 * Validate the ELF64 little-endian x86-64 ET_EXEC image [image, image + size) and describe its
 * loadable segments in *out. user_limit is the exclusive end of the address range a segment
 * may occupy (the caller leaves a guard below the canonical hole, e.g. 0x00007ffffffff000).
 * Nothing outside the image is read. Other program headers are ignored, except PT_INTERP,
 * which is rejected: nobody would run the dynamic linker it asks for.
 * Returns NULL on success, else a constant message naming the fault ("elf: ..."), in which case
 * out->count and out->entry are 0 and the rest of *out must not be used.
 */
const char *elf_parse(const void *image, size_t size, uint64_t user_limit, struct elf_image *out);
