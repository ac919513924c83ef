// SPDX-License-Identifier: MIT
// Command-line parsing: blank-separated words in a buffer that may lack a terminator.
#include <stdbool.h>
#include <stddef.h>

#include "nova-user/cmdline.h"
#include "nova-user/string.h"

struct word {
    const char *s;
    size_t len;
};

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Advances *pos past the next word of line[0, max); false at the end of the line.
static bool next_word(const char *line, size_t max, size_t *pos, struct word *w)
{
    size_t i = *pos;
    while (i < max && line[i] && is_blank(line[i]))
        i++;
    size_t start = i;
    while (i < max && line[i] && !is_blank(line[i]))
        i++;
    *pos = i;
    *w = (struct word){line + start, i - start};
    return w->len > 0;
}

bool cmdline_has_word(const char *line, size_t max, const char *word)
{
    size_t pos = 0, n = strlen(word);
    struct word w;
    while (next_word(line, max, &pos, &w))
        if (w.len == n && memcmp(w.s, word, n) == 0)
            return true;
    return false;
}

static void copy_value(const struct word *w, size_t skip, char *buf, size_t size)
{
    size_t n = w->len - skip < size - 1 ? w->len - skip : size - 1;
    memcpy(buf, w->s + skip, n);
    buf[n] = 0;
}

bool cmdline_value(const char *line, size_t max, const char *key, char *buf, size_t size)
{
    size_t pos = 0, n = strlen(key);
    struct word w;
    while (next_word(line, max, &pos, &w)) {
        if (w.len > n && w.s[n] == '=' && memcmp(w.s, key, n) == 0) {
            copy_value(&w, n + 1, buf, size);
            return true;
        }
    }
    return false;
}
