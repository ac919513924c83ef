// SPDX-License-Identifier: MIT
// printf-style formatting engine shared by the kernel console and the hosted unit tests.
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "lib/format.h"

#define FMT_INT_MAX __INT_MAX__
#define FMT_INT_MIN (-__INT_MAX__ - 1)

// Octal needs the most digits: ceil(bits / 3).
#define FMT_DIGITS_MAX ((sizeof(uintmax_t) * 8 + 2) / 3)

enum {
    F_LEFT = 1u << 0,
    F_ZERO = 1u << 1,
    F_SPACE = 1u << 2,
    F_PLUS = 1u << 3,
    F_ALT = 1u << 4,
};

enum fmt_len { LEN_NONE, LEN_HH, LEN_H, LEN_L, LEN_LL, LEN_Z, LEN_J, LEN_T };

struct fmt_out {
    fmt_sink sink;
    void *ctx;
    size_t count; // size_t so that huge outputs are detected rather than overflowing an int
};

struct fmt_spec {
    unsigned flags;
    int width;
    int prec; // -1: none given
    bool width_star;
    bool prec_star;
    enum fmt_len len;
    char conv;
};

static void emit(struct fmt_out *out, char c)
{
    out->sink(out->ctx, c);
    out->count++;
}

static void emit_n(struct fmt_out *out, char c, size_t n)
{
    for (; n > 0; n--)
        emit(out, c);
}

static void emit_str(struct fmt_out *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        emit(out, s[i]);
}

// Bounded so that "%.Ns" never reads past N bytes of a buffer that lacks a terminator.
static size_t str_len(const char *s, int max)
{
    size_t n = 0;
    while ((max < 0 || n < (size_t)max) && s[n] != '\0')
        n++;
    return n;
}

// Emits prefix, nzeros '0's and body, padded to the field width. Zero padding goes between
// prefix and digits, so "-0042" and "0x00ff" come out right.
static void emit_field(struct fmt_out *out, const struct fmt_spec *s, bool zero_pad,
                       const char *prefix, size_t nzeros, const char *body, size_t nbody)
{
    size_t nprefix = str_len(prefix, -1);
    size_t used = nprefix + nzeros + nbody;
    size_t pad = (size_t)s->width > used ? (size_t)s->width - used : 0;
    bool left = s->flags & F_LEFT;

    if (!left && !zero_pad)
        emit_n(out, ' ', pad);
    emit_str(out, prefix, nprefix);
    if (!left && zero_pad)
        emit_n(out, '0', pad);
    emit_n(out, '0', nzeros);
    emit_str(out, body, nbody);
    if (left)
        emit_n(out, ' ', pad);
}

static unsigned parse_flag(char c)
{
    switch (c) {
    case '-':
        return F_LEFT;
    case '0':
        return F_ZERO;
    case ' ':
        return F_SPACE;
    case '+':
        return F_PLUS;
    case '#':
        return F_ALT;
    default:
        return 0;
    }
}

// Saturates so that an absurd width in a format string cannot cause signed overflow.
static int parse_num(const char **p)
{
    int n = 0;
    for (; **p >= '0' && **p <= '9'; (*p)++) {
        int d = **p - '0';
        n = n > (FMT_INT_MAX - d) / 10 ? FMT_INT_MAX : n * 10 + d;
    }
    return n;
}

static void parse_width_prec(const char **p, struct fmt_spec *s)
{
    if (**p == '*') {
        s->width_star = true;
        (*p)++;
    } else {
        s->width = parse_num(p);
    }
    if (**p != '.')
        return;
    (*p)++;
    if (**p == '*') {
        s->prec_star = true;
        (*p)++;
    } else {
        s->prec = parse_num(p); // a bare '.' means precision 0
    }
}

static enum fmt_len parse_len(const char **p)
{
    const char *c = *p;
    enum fmt_len len = LEN_NONE;

    if (c[0] == 'h')
        len = c[1] == 'h' ? LEN_HH : LEN_H;
    else if (c[0] == 'l')
        len = c[1] == 'l' ? LEN_LL : LEN_L;
    else if (c[0] == 'z')
        len = LEN_Z;
    else if (c[0] == 'j')
        len = LEN_J;
    else if (c[0] == 't')
        len = LEN_T;
    *p += len == LEN_NONE ? 0 : (len == LEN_HH || len == LEN_LL) ? 2 : 1;
    return len;
}

// Syntax only: '*' arguments are fetched later, once the conversion is known to be valid, so
// that an unknown conversion consumes nothing. Returns a pointer to the conversion character.
static const char *parse_spec(const char *p, struct fmt_spec *s)
{
    unsigned f;

    *s = (struct fmt_spec){.prec = -1};
    for (; (f = parse_flag(*p)) != 0; p++)
        s->flags |= f;
    parse_width_prec(&p, s);
    s->len = parse_len(&p);
    s->conv = *p;
    return p;
}

static bool is_known_conv(char c)
{
    switch (c) {
    case 'd':
    case 'i':
    case 'u':
    case 'x':
    case 'X':
    case 'o':
    case 'c':
    case 's':
    case 'p':
    case '%':
        return true;
    default:
        return false;
    }
}

static void resolve_stars(struct fmt_spec *s, va_list *ap)
{
    if (s->width_star) {
        int w = va_arg(*ap, int);
        // C: a negative '*' width is a '-' flag plus a positive width.
        if (w < 0) {
            s->flags |= F_LEFT;
            w = w == FMT_INT_MIN ? FMT_INT_MAX : -w;
        }
        s->width = w;
    }
    if (s->prec_star) {
        int p = va_arg(*ap, int);
        s->prec = p < 0 ? -1 : p; // C: a negative '*' precision counts as omitted
    }
}

// The narrow cases read an int because that is what default promotion passed.
static intmax_t fetch_signed(enum fmt_len len, va_list *ap)
{
    switch (len) {
    case LEN_HH:
        return (signed char)va_arg(*ap, int);
    case LEN_H:
        return (short)va_arg(*ap, int);
    case LEN_L:
        return va_arg(*ap, long);
    case LEN_LL:
        return va_arg(*ap, long long);
    case LEN_Z: // C has no named signed size_t; ptrdiff_t has its width on every ABI we target
    case LEN_T:
        return va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, intmax_t);
    default:
        return va_arg(*ap, int);
    }
}

static uintmax_t fetch_unsigned(enum fmt_len len, va_list *ap)
{
    switch (len) {
    case LEN_HH:
        return (unsigned char)va_arg(*ap, unsigned int);
    case LEN_H:
        return (unsigned short)va_arg(*ap, unsigned int);
    case LEN_L:
        return va_arg(*ap, unsigned long);
    case LEN_LL:
        return va_arg(*ap, unsigned long long);
    case LEN_Z:
        return va_arg(*ap, size_t);
    case LEN_T:
        return (size_t)va_arg(*ap, ptrdiff_t);
    case LEN_J:
        return va_arg(*ap, uintmax_t);
    default:
        return va_arg(*ap, unsigned int);
    }
}

// Writes the digits right-aligned into buf and returns where they start.
static char *to_digits(uintmax_t v, unsigned base, bool upper, char *end)
{
    const char *set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char *p = end;

    do {
        *--p = set[v % base];
        v /= base;
    } while (v != 0);
    return p;
}

static void fmt_integer(struct fmt_out *out, const struct fmt_spec *s, uintmax_t v, unsigned base,
                        const char *prefix)
{
    char buf[FMT_DIGITS_MAX];
    char *end = buf + sizeof(buf);
    // C: zero with precision 0 has no digits at all.
    char *digits = v == 0 && s->prec == 0 ? end : to_digits(v, base, s->conv == 'X', end);
    size_t ndigits = (size_t)(end - digits);
    size_t nzeros = s->prec > 0 && (size_t)s->prec > ndigits ? (size_t)s->prec - ndigits : 0;

    // '#' with 'o' demands a leading zero digit, unless precision or the value supplies one.
    if (s->conv == 'o' && (s->flags & F_ALT) && nzeros == 0 && (v != 0 || ndigits == 0))
        nzeros = 1;
    emit_field(out, s, (s->flags & F_ZERO) && s->prec < 0, prefix, nzeros, digits, ndigits);
}

static void fmt_signed(struct fmt_out *out, const struct fmt_spec *s, va_list *ap)
{
    intmax_t v = fetch_signed(s->len, ap);
    // Negating in the unsigned domain keeps INTMAX_MIN well-defined.
    uintmax_t mag = v < 0 ? (uintmax_t)0 - (uintmax_t)v : (uintmax_t)v;
    const char *sign = v < 0 ? "-" : (s->flags & F_PLUS) ? "+" : (s->flags & F_SPACE) ? " " : "";

    fmt_integer(out, s, mag, 10, sign);
}

static void fmt_unsigned(struct fmt_out *out, const struct fmt_spec *s, va_list *ap)
{
    uintmax_t v = fetch_unsigned(s->len, ap);
    unsigned base = s->conv == 'o' ? 8 : s->conv == 'u' ? 10 : 16;
    const char *prefix = "";

    if (base == 16 && (s->flags & F_ALT) && v != 0)
        prefix = s->conv == 'X' ? "0X" : "0x";
    fmt_integer(out, s, v, base, prefix);
}

// Fixed width so that addresses line up in logs; only field width and '-' are honoured.
static void fmt_pointer(struct fmt_out *out, const struct fmt_spec *s, va_list *ap)
{
    struct fmt_spec ps = *s;
    uintptr_t v = (uintptr_t)va_arg(*ap, void *);

    ps.prec = (int)(sizeof(void *) * 2);
    ps.conv = 'x';
    fmt_integer(out, &ps, v, 16, "0x");
}

static void fmt_char(struct fmt_out *out, const struct fmt_spec *s, va_list *ap)
{
    char c = (char)va_arg(*ap, int);

    emit_field(out, s, false, "", 0, &c, 1);
}

static void fmt_string(struct fmt_out *out, const struct fmt_spec *s, va_list *ap)
{
    const char *str = va_arg(*ap, const char *);

    if (str == NULL)
        str = "(null)";
    emit_field(out, s, false, "", 0, str, str_len(str, s->prec));
}

static void convert(struct fmt_out *out, const struct fmt_spec *s, va_list *ap)
{
    switch (s->conv) {
    case 'd':
    case 'i':
        fmt_signed(out, s, ap);
        break;
    case 'c':
        fmt_char(out, s, ap);
        break;
    case 's':
        fmt_string(out, s, ap);
        break;
    case 'p':
        fmt_pointer(out, s, ap);
        break;
    case '%':
        emit(out, '%');
        break;
    default:
        fmt_unsigned(out, s, ap);
        break;
    }
}

// Handles the directive starting at pct and returns the position just after it.
static const char *format_directive(struct fmt_out *out, const char *pct, va_list *ap)
{
    struct fmt_spec s;
    const char *conv = parse_spec(pct + 1, &s);

    if (!is_known_conv(s.conv)) {
        // Echo it (a trailing '%' included) so the mistake shows up in the output.
        size_t n = (size_t)(conv - pct) + (*conv != '\0');
        emit_str(out, pct, n);
        return pct + n;
    }
    resolve_stars(&s, ap);
    convert(out, &s, ap);
    return conv + 1;
}

int fmt_vformat(fmt_sink sink, void *ctx, const char *fmt, va_list ap)
{
    struct fmt_out out = {.sink = sink, .ctx = ctx, .count = 0};
    va_list args;

    // Helpers need a pointer to the va_list, and &ap of an array-typed va_list parameter has
    // the wrong type on x86_64; a local copy has the right one.
    va_copy(args, ap);
    while (*fmt != '\0') {
        if (*fmt == '%')
            fmt = format_directive(&out, fmt, &args);
        else
            emit(&out, *fmt++);
    }
    va_end(args);
    return out.count > (size_t)FMT_INT_MAX ? -1 : (int)out.count;
}

int fmt_format(fmt_sink sink, void *ctx, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = fmt_vformat(sink, ctx, fmt, ap);
    va_end(ap);
    return n;
}

struct buf_sink {
    char *buf;
    size_t size;
    size_t pos;
};

static void buf_put(void *ctx, char c)
{
    struct buf_sink *b = ctx;

    // Keep the last byte for the terminator; what does not fit is only counted.
    if (b->pos + 1 < b->size)
        b->buf[b->pos] = c;
    b->pos++;
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
    struct buf_sink b = {.buf = buf, .size = size, .pos = 0};
    int n = fmt_vformat(buf_put, &b, fmt, ap);

    if (size > 0)
        buf[b.pos < size ? b.pos : size - 1] = '\0';
    return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    int n = fmt_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
