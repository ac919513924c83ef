// SPDX-License-Identifier: MIT
// Boot modules by name: the words of their command lines, as the boot loaders set them.
#include "modules.h"
#include "nova-user/cmdline.h"
#include "nova-user/string.h"
#include "pages.h"

struct word {
    const char *s;
    size_t len;
};

static bool blank(char c)
{
    return c == ' ' || c == '\t';
}

// The n-th blank-separated word of a module's command line (not NUL-terminated).
static bool nth_word(const char *line, unsigned n, struct word *w)
{
    size_t i = 0;
    for (unsigned k = 0;; k++) {
        while (i < NOVA_HIP_CMDLINE && line[i] && blank(line[i]))
            i++;
        size_t start = i;
        while (i < NOVA_HIP_CMDLINE && line[i] && !blank(line[i]))
            i++;
        if (i == start)
            return false;
        if (k == n) {
            *w = (struct word){line + start, i - start};
            return true;
        }
    }
}

static bool has_char(const struct word *w, char c)
{
    for (size_t i = 0; i < w->len; i++)
        if (w->s[i] == c)
            return true;
    return false;
}

static void basename_of(struct word *w)
{
    for (size_t i = w->len; i > 0; i--) {
        if (w->s[i - 1] == '/') {
            w->s += i;
            w->len -= i;
            return;
        }
    }
}

static void module_name(const char *line, char *out)
{
    struct word first = {"", 0}, second;
    nth_word(line, 0, &first);
    if (!(has_char(&first, '/') && nth_word(line, 1, &second) && !has_char(&second, '=')))
        second = first;
    basename_of(&second);
    size_t n = second.len < MODULE_NAME_MAX - 1 ? second.len : MODULE_NAME_MAX - 1;
    memcpy(out, second.s, n);
    out[n] = 0;
}

bool module_get(const struct nova_hip *hip, unsigned i, struct module *m)
{
    if (i >= hip->mod_count || i >= NOVA_HIP_MAX_MODS)
        return false;
    const struct nova_hip_module *hm = &hip->mod[i];
    m->data = pages_virt(hm->base);
    m->size = hm->size;
    module_name(hm->cmdline, m->name);
    return true;
}

static bool ends_with(const struct word *w, const char *tail)
{
    size_t n = strlen(tail);
    return w->len >= n && memcmp(w->s + w->len - n, tail, n) == 0 &&
           (w->len == n || w->s[w->len - n - 1] == '/');
}

static bool matches(const struct nova_hip_module *hm, const struct module *m, const char *name)
{
    struct word first;
    if (strcmp(m->name, name) == 0)
        return true;
    return nth_word(hm->cmdline, 0, &first) && ends_with(&first, name);
}

bool module_find(const struct nova_hip *hip, const char *name, struct module *m)
{
    for (unsigned i = 1; module_get(hip, i, m); i++)
        if (matches(&hip->mod[i], m, name))
            return true;
    return false;
}

bool module_config(const struct nova_hip *hip, struct module *m)
{
    char want[MODULE_NAME_MAX];
    if (cmdline_value(hip->mod[0].cmdline, NOVA_HIP_CMDLINE, "config", want, sizeof(want)))
        return module_find(hip, want, m);
    for (unsigned i = 1; module_get(hip, i, m); i++) {
        size_t n = strlen(m->name);
        if (n > 4 && strcmp(m->name + n - 4, ".cfg") == 0)
            return true;
    }
    return false;
}
