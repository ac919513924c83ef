// SPDX-License-Identifier: MIT
// The boot configuration's lexical layer: characters, messages, tokens and values.
#pragma once

#include "config.h"

/*
 * Everything here works on spans (pointer and length) into the caller's text, which need
 * not be NUL-terminated: the only bound is len, and nothing is copied out before it has
 * been checked against the size of its destination. No libc: the root task has none.
 */

#define MSG_SIZE  sizeof(((struct cfg_error *)0)->message)
#define QUOTE_MAX 32 // characters of the input a message shows before "..."

// A message under construction; whatever does not fit is cut, the NUL always fits.
struct msg {
    char buf[MSG_SIZE];
    size_t len;
};

// One line without its line end: s[0, end).
struct cursor {
    const char *s;
    size_t pos, end;
};

// A word, or key=value with value either bare or in double quotes (escapes still in it).
struct tok {
    const char *raw, *key, *val;
    size_t rawlen, klen, vlen;
    bool eq, quoted;
};

enum tok_result { TOK_NONE, TOK_OK, TOK_ERR };

// Splits a list value at commas: the next item, false when there is none left.
struct items {
    const char *s;
    size_t n, pos;
    bool done;
};

bool is_name_char(char c);
bool is_module_char(char c);
bool is_args_char(char c);
bool span_is(const char *s, size_t n, const char *lit);
bool str_eq(const char *a, const char *b);
void msg_char(struct msg *m, char c);
void msg_lit(struct msg *m, const char *s);
void msg_uint(struct msg *m, uint64_t v);
void msg_quote(struct msg *m, const char *s, size_t n);
void msg_max(struct msg *m, uint64_t n);
void msg_range(struct msg *m, uint64_t lo, uint64_t hi);
void record_error(struct cfg *out, unsigned line, const struct msg *m);
enum tok_result next_token(struct cursor *c, struct tok *t, struct msg *m);
bool parse_number(const char *s, size_t n, uint64_t *out);
bool parse_size(const char *s, size_t n, uint64_t *out);
bool next_item(struct items *it, const char **item, size_t *ilen);
bool take_name(char *dst, const char *s, size_t n, size_t max, bool (*ok)(char), const char *what,
               struct msg *m);
