// SPDX-License-Identifier: MIT
// Unit tests of the VMM's instruction decoder: I/O lengths, MOV CR operands, fetching.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "decode.h"

#define RAM_SIZE 0x20000
#define EFER_LMA 0x400
#define CS_L     0x200

static uint8_t ram[RAM_SIZE];

// The decoder's only view of guest memory: here a flat array at guest-physical 0.
void *vm_gpa_ptr(struct vm *vm, uint64_t gpa, size_t size)
{
    (void)vm;
    return gpa < RAM_SIZE && size <= RAM_SIZE - gpa ? &ram[gpa] : NULL;
}

static unsigned io_len(const uint8_t *b, unsigned n, bool lm)
{
    return decode_io_length(b, n, lm);
}

static void test_io_lengths(void **state)
{
    (void)state;
    assert_int_equal(io_len((const uint8_t[]){0xee}, 1, false), 1);             // out %al,%dx
    assert_int_equal(io_len((const uint8_t[]){0xec}, 1, false), 1);             // in %dx,%al
    assert_int_equal(io_len((const uint8_t[]){0x66, 0xef}, 2, false), 2);       // out %eax,%dx
    assert_int_equal(io_len((const uint8_t[]){0xe6, 0x80}, 2, false), 2);       // out %al,$0x80
    assert_int_equal(io_len((const uint8_t[]){0x66, 0xe5, 0x60}, 3, false), 3); // in $0x60,%eax
    assert_int_equal(io_len((const uint8_t[]){0xf3, 0x6e}, 2, false), 2);       // rep outsb
    assert_int_equal(io_len((const uint8_t[]){0x48, 0xef}, 2, true), 2);        // REX.W out
    assert_int_equal(io_len((const uint8_t[]){0x2e, 0x66, 0xed}, 3, false), 3);
}

static void test_io_rejects(void **state)
{
    (void)state;
    assert_int_equal(io_len((const uint8_t[]){0x90}, 1, false), 0);       // nop
    assert_int_equal(io_len((const uint8_t[]){0xe6}, 1, false), 0);       // imm8 missing
    assert_int_equal(io_len((const uint8_t[]){0x66}, 1, false), 0);       // prefix only
    assert_int_equal(io_len((const uint8_t[]){0x48, 0xef}, 2, false), 0); // 0x48: dec %eax
    uint8_t prefixes[16];
    memset(prefixes, 0x66, sizeof(prefixes));
    assert_int_equal(io_len(prefixes, sizeof(prefixes), false), 0);
}

static void test_mov_cr(void **state)
{
    (void)state;
    struct mov_cr m;
    assert_true(decode_mov_cr((const uint8_t[]){0x0f, 0x22, 0xc0}, 3, false, &m));
    assert_true(m.write && m.cr == 0 && m.gpr == 0 && m.len == 3); // mov %eax,%cr0
    assert_true(decode_mov_cr((const uint8_t[]){0x0f, 0x20, 0xe3}, 3, false, &m));
    assert_true(!m.write && m.cr == 4 && m.gpr == 3 && m.len == 3); // mov %cr4,%ebx
    assert_true(decode_mov_cr((const uint8_t[]){0x45, 0x0f, 0x22, 0xc3}, 4, true, &m));
    assert_true(m.write && m.cr == 8 && m.gpr == 11 && m.len == 4); // mov %r11,%cr8
    assert_false(decode_mov_cr((const uint8_t[]){0x45, 0x0f, 0x22, 0xc3}, 4, false, &m));
    assert_false(decode_mov_cr((const uint8_t[]){0x0f, 0x22}, 2, false, &m));
    assert_false(decode_mov_cr((const uint8_t[]){0x0f, 0xa2, 0x00}, 3, false, &m)); // cpuid
}

static void test_fetch(void **state)
{
    (void)state;
    struct nova_vcpu_state s = {0};
    uint8_t b[INSN_MAX];
    ram[0x10005] = 0xee, ram[0x5] = 0xec;
    s.cs.base = 0x10000, s.rip = 5; // real mode: CS base + IP
    assert_int_equal(decode_fetch(NULL, &s, b, 1), 1);
    assert_int_equal(b[0], 0xee);
    s.efer = EFER_LMA, s.cs.attr = CS_L; // 64-bit code: the base does not count
    assert_false(decode_long_mode(&(struct nova_vcpu_state){.efer = EFER_LMA}));
    assert_true(decode_long_mode(&s));
    assert_int_equal(decode_fetch(NULL, &s, b, 1), 1);
    assert_int_equal(b[0], 0xec);
    s.rip = RAM_SIZE - 2; // the end of RAM cuts the fetch short
    assert_int_equal(decode_fetch(NULL, &s, b, INSN_MAX), 2);
}

static void test_gpr(void **state)
{
    (void)state;
    struct nova_vcpu_state s = {0};
    assert_ptr_equal(decode_gpr(&s, 0), &s.rax);
    assert_ptr_equal(decode_gpr(&s, 3), &s.rbx);
    assert_ptr_equal(decode_gpr(&s, 4), &s.rsp);
    assert_ptr_equal(decode_gpr(&s, 15), &s.r15);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_io_lengths), cmocka_unit_test(test_io_rejects),
        cmocka_unit_test(test_mov_cr),     cmocka_unit_test(test_fetch),
        cmocka_unit_test(test_gpr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
