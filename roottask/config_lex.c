// SPDX-License-Identifier: MIT
// The boot configuration's lexical layer: characters, messages, tokens and values.
#include "config_lex.h"
// ---- Characters and spans ----

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

bool is_name_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

// Module names are file names, so they may have directories.
bool is_module_char(char c)
{
    return is_name_char(c) || c == '/';
}

// The command line reaches the program's console and its own parser: printable ASCII only.
bool is_args_char(char c)
{
    return c >= 0x20 && c <= 0x7e;
}

bool span_is(const char *s, size_t n, const char *lit)
{
    size_t i = 0;

    for (; i < n; i++) {
        if (lit[i] == '\0' || lit[i] != s[i]) // s may hold a NUL: test lit's end first
            return false;
    }
    return lit[i] == '\0';
}

bool str_eq(const char *a, const char *b)
{
    while (*a != '\0' && *a == *b) {
        a++, b++;
    }
    return *a == *b;
}

// dst has room for n + 1 characters: the callers checked n against the field.
static void copy_span(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        dst[i] = src[i];
    }
    dst[n] = '\0';
}

// ---- Error messages ----

void msg_char(struct msg *m, char c)
{
    if (m->len + 1 < MSG_SIZE) {
        m->buf[m->len++] = c;
        m->buf[m->len] = '\0';
    }
}

void msg_lit(struct msg *m, const char *s)
{
    while (*s != '\0') {
        msg_char(m, *s++);
    }
}

void msg_uint(struct msg *m, uint64_t v)
{
    char digits[20];
    unsigned n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        msg_char(m, digits[--n]);
    }
}

// Input quoted, shortened and made printable: the message goes to a console as it is.
void msg_quote(struct msg *m, const char *s, size_t n)
{
    size_t shown = n > QUOTE_MAX ? QUOTE_MAX - 3 : n;

    msg_char(m, '"');
    for (size_t i = 0; i < shown; i++) {
        msg_char(m, is_args_char(s[i]) ? s[i] : '?');
    }
    if (shown < n)
        msg_lit(m, "...");
    msg_char(m, '"');
}

// " (max n)", from the limit itself so that the message follows the header.
void msg_max(struct msg *m, uint64_t n)
{
    msg_lit(m, " (max ");
    msg_uint(m, n);
    msg_char(m, ')');
}

void msg_range(struct msg *m, uint64_t lo, uint64_t hi)
{
    msg_uint(m, lo);
    msg_char(m, '-');
    msg_uint(m, hi);
}

// Keeps the first CFG_MAX_ERRORS faults; when there are more, the last slot says so.
void record_error(struct cfg *out, unsigned line, const struct msg *m)
{
    static const char more[] = "too many errors: this one and later ones not shown";
    struct cfg_error *e;

    if (out->error_count == CFG_MAX_ERRORS) {
        e = &out->error[CFG_MAX_ERRORS - 1];
        copy_span(e->message, more, sizeof(more) - 1);
        return;
    }
    e = &out->error[out->error_count++];
    e->line = line;
    copy_span(e->message, m->buf, m->len);
}

// ---- Tokens ----

// Scans "..." from the opening quote; only \" and \\ are escapes.
static bool scan_quoted(struct cursor *c, struct tok *t, struct msg *m)
{
    t->quoted = true;
    t->val = c->s + ++c->pos;
    for (;;) {
        if (c->pos == c->end) {
            msg_lit(m, "unterminated quote");
            return false;
        }
        char ch = c->s[c->pos];

        if (ch == '"')
            break;
        if (ch == '\\') {
            if (c->pos + 1 == c->end) {
                msg_lit(m, "unterminated quote");
                return false;
            }
            if (c->s[c->pos + 1] != '"' && c->s[c->pos + 1] != '\\') {
                msg_lit(m, "bad escape ");
                msg_quote(m, c->s + c->pos, 2);
                msg_lit(m, " (only \\\" and \\\\)");
                return false;
            }
            c->pos++;
        }
        c->pos++;
    }
    t->vlen = (size_t)(c->s + c->pos - t->val);
    c->pos++; // the closing quote
    if (c->pos < c->end && !is_space(c->s[c->pos])) {
        msg_lit(m, "text right after closing quote");
        return false;
    }
    return true;
}

// The next token; TOK_NONE at the end of the line or at a comment.
enum tok_result next_token(struct cursor *c, struct tok *t, struct msg *m)
{
    while (c->pos < c->end && is_space(c->s[c->pos])) {
        c->pos++;
    }
    if (c->pos == c->end || c->s[c->pos] == '#')
        return TOK_NONE;
    *t = (struct tok){.raw = c->s + c->pos, .key = c->s + c->pos};
    while (c->pos < c->end && !is_space(c->s[c->pos]) && c->s[c->pos] != '=') {
        c->pos++;
    }
    t->klen = (size_t)(c->s + c->pos - t->key);
    if (c->pos < c->end && c->s[c->pos] == '=') {
        t->eq = true;
        c->pos++;
        if (c->pos < c->end && c->s[c->pos] == '"') {
            if (!scan_quoted(c, t, m))
                return TOK_ERR;
        } else {
            t->val = c->s + c->pos;
            while (c->pos < c->end && !is_space(c->s[c->pos])) {
                c->pos++;
            }
            t->vlen = (size_t)(c->s + c->pos - t->val);
        }
    }
    t->rawlen = (size_t)(c->s + c->pos - t->raw);
    return TOK_OK;
}

// ---- Values ----

static bool parse_digits(const char *s, size_t n, unsigned base, uint64_t *out)
{
    uint64_t v = 0;

    if (n == 0)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        unsigned d;

        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return false;
        if (v > (UINT64_MAX - d) / base)
            return false;
        v = v * base + d;
    }
    *out = v;
    return true;
}

// Decimal, or hexadecimal after 0x; the whole span, no sign, no overflow.
bool parse_number(const char *s, size_t n, uint64_t *out)
{
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        return parse_digits(s + 2, n - 2, 16, out);
    return parse_digits(s, n, 10, out);
}

// A number with an optional K or M suffix (binary: 1K = 1024).
bool parse_size(const char *s, size_t n, uint64_t *out)
{
    unsigned shift = 0;
    uint64_t v;

    if (n > 0 && (s[n - 1] == 'K' || s[n - 1] == 'k'))
        shift = 10, n--;
    else if (n > 0 && (s[n - 1] == 'M' || s[n - 1] == 'm'))
        shift = 20, n--;
    if (!parse_number(s, n, &v) || v > UINT64_MAX >> shift)
        return false;
    *out = v << shift;
    return true;
}

bool next_item(struct items *it, const char **item, size_t *ilen)
{
    if (it->done)
        return false;
    size_t start = it->pos;

    while (it->pos < it->n && it->s[it->pos] != ',') {
        it->pos++;
    }
    *item = it->s + start;
    *ilen = it->pos - start;
    if (it->pos == it->n)
        it->done = true;
    else
        it->pos++;
    return true;
}

enum name_check { NAME_OK, NAME_EMPTY, NAME_LONG, NAME_BAD_CHAR };

static enum name_check check_name(const char *s, size_t n, size_t max, bool (*ok)(char))
{
    if (n == 0)
        return NAME_EMPTY;
    if (n > max)
        return NAME_LONG;
    for (size_t i = 0; i < n; i++) {
        if (!ok(s[i]))
            return NAME_BAD_CHAR;
    }
    return NAME_OK;
}

// Checks a name and copies it into dst (max + 1 bytes), or explains why not.
bool take_name(char *dst, const char *s, size_t n, size_t max, bool (*ok)(char), const char *what,
               struct msg *m)
{
    switch (check_name(s, n, max, ok)) {
    case NAME_OK:
        copy_span(dst, s, n);
        return true;
    case NAME_EMPTY:
        msg_lit(m, "empty ");
        msg_lit(m, what);
        return false;
    case NAME_LONG:
        msg_lit(m, what);
        msg_lit(m, " too long ");
        msg_quote(m, s, n);
        msg_max(m, max);
        return false;
    case NAME_BAD_CHAR:
        break;
    }
    msg_lit(m, "bad character in ");
    msg_lit(m, what);
    msg_char(m, ' ');
    msg_quote(m, s, n);
    return false;
}
