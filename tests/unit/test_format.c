// SPDX-License-Identifier: MIT
// Unit tests of the formatting engine, checked against the host libc and against fixed cases.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "lib/format.h"

#define BUF_SIZE 512

// Runs the same format through libc and through the engine; the format may be built at run
// time, which is how the combination tests reach thousands of cases.
static void check_like_libc(const char *fmt, ...)
{
    char want[BUF_SIZE], got[BUF_SIZE];
    va_list ap, ap2;

    va_start(ap, fmt);
    va_copy(ap2, ap);
    int want_n = vsnprintf(want, sizeof(want), fmt, ap);
    int got_n = fmt_vsnprintf(got, sizeof(got), fmt, ap2);
    va_end(ap2);
    va_end(ap);
    if (want_n != got_n || strcmp(want, got) != 0)
        fail_msg("format \"%s\": got \"%s\" (%d), libc \"%s\" (%d)", fmt, got, got_n, want, want_n);
}

// Malformed or redundant formats, which these tests use on purpose, would trip the compiler's
// printf checking; it sees fmt_snprintf's format attribute but not through this wrapper.
static int unchecked_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}

#define EXPECT(want, ...)                                                                          \
    do {                                                                                           \
        char buf_[BUF_SIZE];                                                                       \
        int n_ = fmt_snprintf(buf_, sizeof(buf_), __VA_ARGS__);                                    \
        assert_string_equal(buf_, want);                                                           \
        assert_int_equal(n_, strlen(want));                                                        \
    } while (0)

#define EXPECT_UNCHECKED(want, ...)                                                                \
    do {                                                                                           \
        char buf_[BUF_SIZE];                                                                       \
        int n_ = unchecked_snprintf(buf_, sizeof(buf_), __VA_ARGS__);                              \
        assert_string_equal(buf_, want);                                                           \
        assert_int_equal(n_, strlen(want));                                                        \
    } while (0)

static const char *const flag_sets[] = {"",   "-",  "0",  " ",  "+",  "#",  "-0", "-+",   "- ",
                                        "-#", "0+", "0 ", "0#", "+ ", "+#", " #", "-0+ #"};
static const char *const widths[] = {"", "1", "4", "12", "25"};
static const char *const precs[] = {"", ".", ".0", ".1", ".3", ".12", ".30"};
static const char *const lengths[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
static const char convs[] = "diuxXo";
static const long long values[] = {0,
                                   1,
                                   -1,
                                   7,
                                   8,
                                   42,
                                   -42,
                                   127,
                                   128,
                                   -129,
                                   255,
                                   256,
                                   300,
                                   32767,
                                   -32768,
                                   65535,
                                   65536,
                                   INT_MAX,
                                   INT_MIN,
                                   UINT_MAX,
                                   LLONG_MAX,
                                   LLONG_MIN,
                                   0x123456789abcdefLL};

// Passes v as exactly the type the length modifier makes the conversion read.
static void check_typed(const char *fmt, const char *len, bool is_signed, long long v)
{
    if (len[0] == '\0' || len[0] == 'h')
        is_signed ? check_like_libc(fmt, (int)v) : check_like_libc(fmt, (unsigned)v);
    else if (strcmp(len, "l") == 0)
        is_signed ? check_like_libc(fmt, (long)v) : check_like_libc(fmt, (unsigned long)v);
    else if (strcmp(len, "ll") == 0)
        is_signed ? check_like_libc(fmt, v) : check_like_libc(fmt, (unsigned long long)v);
    else if (strcmp(len, "z") == 0)
        is_signed ? check_like_libc(fmt, (ptrdiff_t)v) : check_like_libc(fmt, (size_t)v);
    else if (strcmp(len, "j") == 0)
        is_signed ? check_like_libc(fmt, (intmax_t)v) : check_like_libc(fmt, (uintmax_t)v);
    else
        check_like_libc(fmt, (ptrdiff_t)v);
}

static int check_all_values(const char *fmt, const char *len, char conv)
{
    bool is_signed = conv == 'd' || conv == 'i';
    int n = 0;

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++, n++)
        check_typed(fmt, len, is_signed, values[i]);
    return n;
}

static void test_integer_combinations_like_libc(void **state)
{
    (void)state;
    char fmt[64];
    int cases = 0;

    for (size_t f = 0; f < sizeof(flag_sets) / sizeof(flag_sets[0]); f++)
        for (size_t w = 0; w < sizeof(widths) / sizeof(widths[0]); w++)
            for (size_t p = 0; p < sizeof(precs) / sizeof(precs[0]); p++)
                for (size_t l = 0; l < sizeof(lengths) / sizeof(lengths[0]); l++)
                    for (size_t c = 0; convs[c] != '\0'; c++) {
                        snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flag_sets[f], widths[w],
                                 precs[p], lengths[l], convs[c]);
                        cases += check_all_values(fmt, lengths[l], convs[c]);
                    }
    assert_true(cases > 100000);
}

static void test_star_combinations_like_libc(void **state)
{
    (void)state;
    static const int stars[] = {INT_MIN + 1, -20, -5, -1, 0, 1, 3, 7, 20};
    static const char *const fmts[] = {"[%*.*d]",  "[%-*.*d]", "[%0*.*d]", "[%+*.*x]",
                                       "[%#*.*o]", "[%*.*s]",  "[%-*.*s]"};

    for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (size_t w = 0; w < sizeof(stars) / sizeof(stars[0]); w++)
            for (size_t p = 0; p < sizeof(stars) / sizeof(stars[0]); p++) {
                int width = stars[w] < -100 ? -30 : stars[w]; // keep the output printable
                if (strchr(fmts[f], 's') != NULL)
                    check_like_libc(fmts[f], width, stars[p], "hello, world");
                else
                    check_like_libc(fmts[f], width, stars[p], -1234);
            }
}

static void test_text_like_libc(void **state)
{
    (void)state;
    static const char *const strs[] = {"", "a", "hello", "a longer string of text"};
    static const char *const fmts[] = {"%s",      "%10s", "%-10s",  "%.3s", "%10.3s",
                                       "%-10.0s", "%.0s", "%.100s", "%1s",  "<%s>%s"};

    for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++)
        for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++)
            check_like_libc(fmts[f], strs[s], "tail");
    check_like_libc("%c", 'x');
    check_like_libc("%5c|%-5c|%c%c", 'a', 'b', 'c', 'd');
    check_like_libc("%%");
    check_like_libc("100%% sure, %d%%", 50);
    check_like_libc("no directives at all");
    check_like_libc("");
    check_like_libc("%s=%d %s=%#x", "a", -3, "b", 0xbeef);
}

static void test_fixed_integers(void **state)
{
    (void)state;
    EXPECT("42", "%d", 42);
    EXPECT("-42", "%i", -42);
    EXPECT("4294967295", "%u", UINT_MAX);
    EXPECT("deadbeef DEADBEEF", "%x %X", 0xdeadbeefu, 0xdeadbeefu);
    EXPECT("777", "%o", 0777);
    EXPECT("18446744073709551615", "%llu", ULLONG_MAX);
    EXPECT("ffffffffffffffff", "%zx", SIZE_MAX);
    EXPECT("-1", "%td", (ptrdiff_t)-1);
    EXPECT("-1", "%zd", (ptrdiff_t)-1);
    EXPECT("18446744073709551615", "%ju", UINTMAX_MAX);
}

static void test_width_and_precision(void **state)
{
    (void)state;
    EXPECT("     005", "%8.3d", 5);
    EXPECT("005     |", "%-8.3d|", 5);
    EXPECT_UNCHECKED("     005", "%08.3d", 5); // precision overrides the '0' flag
    EXPECT("-0005", "%05d", -5);
    EXPECT("+0005", "%+05d", 5);
    EXPECT(" 0005", "% 05d", 5);
    EXPECT("+005", "%+.3d", 5);
    EXPECT_UNCHECKED("+5", "%+ d", 5); // '+' beats ' '
    EXPECT("", "%.0d", 0);
    EXPECT("    ", "%4.0d", 0);
    EXPECT("0", "%#.0o", 0);
    EXPECT("0", "%#x", 0); // no prefix for zero
    EXPECT("0x0000ff", "%#08x", 255);
    EXPECT("0XFF", "%#X", 255);
    EXPECT("010", "%#o", 8);
    EXPECT("00010", "%#.5o", 8);
    EXPECT_UNCHECKED("5", "%+u", 5);
    EXPECT("000000000000000000000000000001", "%.30d", 1);
}

static void test_star_width_negative_means_left(void **state)
{
    (void)state;
    EXPECT("42   |", "%*d|", -5, 42);
    EXPECT("42   |", "%-*d|", -5, 42);
    EXPECT("   42|", "%*d|", 5, 42);
    EXPECT("ab    |", "%*s|", -6, "ab");
    EXPECT("7", "%.*d", -1, 7);                 // negative precision counts as omitted
    EXPECT_UNCHECKED("00007", "%05.*d", -1, 7); // ...so the '0' flag applies again
    EXPECT_UNCHECKED("  007", "%05.*d", 3, 7);
    EXPECT("hel", "%.*s", 3, "hello");
    EXPECT("  hel|", "%*.*s|", 5, 3, "hello");
}

static void test_int64_min(void **state)
{
    (void)state;
    EXPECT("-9223372036854775808", "%lld", LLONG_MIN);
    EXPECT("-9223372036854775808", "%ld", LONG_MIN);
    EXPECT("-9223372036854775808", "%" PRId64, INT64_MIN);
    EXPECT("-9223372036854775808", "%jd", INTMAX_MIN);
    EXPECT("-9223372036854775808", "%td", (ptrdiff_t)INT64_MIN);
    EXPECT("     -9223372036854775808", "%25lld", LLONG_MIN);
    EXPECT("-9223372036854775808     |", "%-+25lld|", LLONG_MIN);
    EXPECT("-000009223372036854775808", "%025lld", LLONG_MIN);
    EXPECT("8000000000000000", "%llx", (unsigned long long)LLONG_MIN);
    EXPECT("-2147483648", "%d", INT_MIN);
    EXPECT("-128", "%hhd", (signed char)-128);
    EXPECT("-32768", "%hd", (short)-32768);
}

static void test_hh_h_truncate(void **state)
{
    (void)state;
    // Out-of-range ints on purpose: the conversion itself must narrow them.
    EXPECT_UNCHECKED("44", "%hhd", 300);
    EXPECT_UNCHECKED("-56", "%hhd", 200);
    EXPECT_UNCHECKED("255", "%hhu", -1);
    EXPECT_UNCHECKED("ff", "%hhx", 0x1ff);
    EXPECT_UNCHECKED("2345", "%hx", 0x12345);
    EXPECT_UNCHECKED("-25536", "%hd", 40000);
    EXPECT_UNCHECKED("65535", "%hu", -1);
    EXPECT_UNCHECKED("177777", "%ho", -1);
}

static void test_null_string(void **state)
{
    (void)state;
    const char *null = NULL;

    // Unchecked: at -O2 the compiler itself warns that a NULL %s is undefined in C.
    EXPECT_UNCHECKED("(null)", "%s", null);
    EXPECT_UNCHECKED("  (null)|", "%8s|", null);
    EXPECT_UNCHECKED("(null)  |", "%-8s|", null);
    EXPECT_UNCHECKED("(nu", "%.3s", null); // cut like any other string, unlike glibc
}

static void test_pointer(void **state)
{
    (void)state;
    EXPECT("0xffffffff80100000", "%p", (void *)0xffffffff80100000ull);
    EXPECT("0x0000000000000000", "%p", NULL);
    EXPECT("0x0000000000001000", "%p", (void *)0x1000);
    EXPECT("  0x0000000000001000|", "%20p|", (void *)0x1000);
    EXPECT("0x0000000000001000  |", "%-20p|", (void *)0x1000);
    EXPECT("[0x00000000deadbeef 7]", "[%p %d]", (void *)0xdeadbeef, 7);
}

static void test_unknown_conversion_is_literal(void **state)
{
    (void)state;
    EXPECT_UNCHECKED("%q", "%q");
    EXPECT_UNCHECKED("a%qb", "a%qb");
    // The following arguments stay in place, proving nothing was read for the bad directive.
    EXPECT_UNCHECKED("%q 5 x", "%q %d %s", 5, "x");
    EXPECT_UNCHECKED("%-5.3lq 5", "%-5.3lq %d", 5);
    EXPECT_UNCHECKED("%*.*q 9", "%*.*q %d", 9);
    EXPECT_UNCHECKED("%L %f 1", "%L %f %d", 1);
    EXPECT_UNCHECKED("%hhq", "%hhq");
}

static void test_trailing_percent(void **state)
{
    (void)state;
    EXPECT_UNCHECKED("%", "%");
    EXPECT_UNCHECKED("abc%", "abc%");
    EXPECT_UNCHECKED("7%", "%d%", 7);
    EXPECT_UNCHECKED("%-5", "%-5");
    EXPECT_UNCHECKED("%.*l", "%.*l");
}

// Fills the buffer first so that any byte written beyond size is caught.
static void check_truncated(size_t size, const char *want, int want_n, const char *fmt, ...)
{
    char buf[64];
    va_list ap;

    memset(buf, '#', sizeof(buf));
    va_start(ap, fmt);
    int n = fmt_vsnprintf(size == 0 ? NULL : buf, size, fmt, ap);
    va_end(ap);
    assert_int_equal(n, want_n);
    if (size > 0)
        assert_string_equal(buf, want);
    for (size_t i = size; i < sizeof(buf); i++)
        assert_int_equal(buf[i], '#');
}

static void test_truncation(void **state)
{
    (void)state;
    check_truncated(0, "", 5, "hello");
    check_truncated(1, "", 5, "hello");
    check_truncated(2, "h", 5, "hello");
    check_truncated(5, "hell", 5, "hello");
    check_truncated(6, "hello", 5, "hello"); // exact fit
    check_truncated(7, "hello", 5, "hello");
    check_truncated(4, "-12", 6, "%d", -12345);
    check_truncated(3, "  ", 10, "%10s", "x");
    check_truncated(1, "", 0, "");

    char untouched = '#';
    assert_int_equal(fmt_snprintf(&untouched, 0, "%s", "abc"), 3);
    assert_int_equal(untouched, '#');
}

static void test_truncation_like_libc(void **state)
{
    (void)state;
    char want[32], got[32];

    for (size_t size = 0; size <= sizeof(want); size++) {
        memset(want, '#', sizeof(want));
        memset(got, '#', sizeof(got));
        int want_n = snprintf(want, size, "%s|%-6d|%#x", "truncate", -77, 0xabc);
        int got_n = fmt_snprintf(got, size, "%s|%-6d|%#x", "truncate", -77, 0xabc);
        assert_int_equal(got_n, want_n);
        assert_memory_equal(got, want, sizeof(want));
    }
}

static void test_return_values(void **state)
{
    (void)state;
    char buf[16];

    assert_int_equal(unchecked_snprintf(buf, sizeof(buf), ""), 0);
    assert_string_equal(buf, "");
    assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%40d", 1), 40);
    assert_int_equal(fmt_snprintf(NULL, 0, "%s%s", "abc", "defg"), 7);
    assert_int_equal(fmt_snprintf(NULL, 0, "%p", NULL), 18);
}

struct collect {
    char text[64];
    int calls;
};

static void collect_sink(void *ctx, char c)
{
    struct collect *col = ctx;

    if ((size_t)col->calls < sizeof(col->text))
        col->text[col->calls] = c;
    col->calls++;
}

static int collect_v(struct collect *col, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = fmt_vformat(collect_sink, col, fmt, ap);
    va_end(ap);
    return n;
}

static void test_sink_counting(void **state)
{
    (void)state;
    struct collect col = {.calls = 0};

    assert_int_equal(fmt_format(collect_sink, &col, "x=%5d %s", 12, "ok"), 10);
    assert_int_equal(col.calls, 10);
    assert_memory_equal(col.text, "x=   12 ok", 10);

    // An embedded NUL is a character like any other to a sink.
    col = (struct collect){.calls = 0};
    assert_int_equal(fmt_format(collect_sink, &col, "a%cb", 0), 3);
    assert_int_equal(col.calls, 3);
    assert_memory_equal(col.text, "a\0b", 3);

    col = (struct collect){.calls = 0};
    assert_int_equal(collect_v(&col, "%s", ""), 0);
    assert_int_equal(col.calls, 0);
    assert_int_equal(collect_v(&col, "%%%c", '!'), 2);
    assert_int_equal(col.calls, 2);
    assert_memory_equal(col.text, "%!", 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_combinations_like_libc),
        cmocka_unit_test(test_star_combinations_like_libc),
        cmocka_unit_test(test_text_like_libc),
        cmocka_unit_test(test_fixed_integers),
        cmocka_unit_test(test_width_and_precision),
        cmocka_unit_test(test_star_width_negative_means_left),
        cmocka_unit_test(test_int64_min),
        cmocka_unit_test(test_hh_h_truncate),
        cmocka_unit_test(test_null_string),
        cmocka_unit_test(test_pointer),
        cmocka_unit_test(test_unknown_conversion_is_literal),
        cmocka_unit_test(test_trailing_percent),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_truncation_like_libc),
        cmocka_unit_test(test_return_values),
        cmocka_unit_test(test_sink_counting),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
