// SPDX-License-Identifier: MIT
// The boot configuration parser: program lines into struct cfg, faults with line numbers.
#include "config.h"
#include "config_lex.h"

// ---- Keys ----

typedef bool key_parser(struct cfg_program *p, const struct tok *t, struct msg *m);

static void msg_bad(struct msg *m, const char *what, const struct tok *t)
{
    msg_lit(m, "bad ");
    msg_lit(m, what);
    msg_char(m, ' ');
    msg_quote(m, t->raw, t->rawlen);
}

// A number in [lo, hi] into *dst.
static bool take_number(unsigned *dst, const struct tok *t, unsigned lo, unsigned hi, struct msg *m)
{
    uint64_t v;

    if (!parse_number(t->val, t->vlen, &v)) {
        msg_bad(m, "number", t);
        return false;
    }
    if (v < lo || v > hi) {
        msg_bad(m, "number", t);
        msg_lit(m, ": out of range ");
        msg_range(m, lo, hi);
        return false;
    }
    *dst = (unsigned)v;
    return true;
}

static bool key_module(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_name(p->module, t->val, t->vlen, CFG_MODULE_MAX, is_module_char, "module name", m);
}

// Unescapes \" and \\ (the only escapes scan_quoted let through).
static bool key_args(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    size_t n = 0;

    for (size_t i = 0; i < t->vlen; i++) {
        char c = t->val[i];

        if (c == '\\')
            c = t->val[++i];
        if (!is_args_char(c)) {
            msg_lit(m, "bad character in args");
            return false;
        }
        if (n == CFG_ARGS_MAX) {
            msg_lit(m, "args too long");
            msg_max(m, CFG_ARGS_MAX);
            return false;
        }
        p->args[n++] = c;
    }
    p->args[n] = '\0';
    return true;
}

static bool key_mem(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    uint64_t v;

    if (!parse_size(t->val, t->vlen, &v)) {
        msg_bad(m, "size", t);
        return false;
    }
    if (v == 0 || v % CFG_PAGE_SIZE != 0) {
        msg_bad(m, "size", t);
        msg_lit(m, ": not a nonzero multiple of 4K");
        return false;
    }
    p->mem = v;
    return true;
}

static bool key_prio(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_number(&p->prio, t, CFG_PRIO_MIN, CFG_PRIO_MAX, m);
}

static bool key_cpu(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_number(&p->cpu, t, 0, CFG_CPU_MAX, m);
}

static bool key_quantum(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_number(&p->quantum_us, t, 1, CFG_QUANTUM_MAX, m);
}

static bool key_restarts(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_number(&p->restarts, t, 0, CFG_RESTARTS_MAX, m);
}

static bool key_restart(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    if (span_is(t->val, t->vlen, "never"))
        p->restart_on_fault = false;
    else if (span_is(t->val, t->vlen, "on-fault"))
        p->restart_on_fault = true;
    else {
        msg_bad(m, "value", t);
        msg_lit(m, " (never or on-fault)");
        return false;
    }
    return true;
}

// A provides= or uses= list: service names, each at most once.
static bool take_services(char list[][32], unsigned *count, const struct tok *t, struct msg *m)
{
    struct items it = {.s = t->val, .n = t->vlen};
    const char *s;
    size_t n;

    while (next_item(&it, &s, &n)) {
        if (*count == CFG_MAX_NAMES) {
            msg_lit(m, "too many services in ");
            msg_quote(m, t->raw, t->rawlen);
            msg_max(m, CFG_MAX_NAMES);
            return false;
        }
        if (!take_name(list[*count], s, n, CFG_NAME_MAX, is_name_char, "service name", m))
            return false;
        for (unsigned i = 0; i < *count; i++) {
            if (str_eq(list[i], list[*count])) {
                msg_lit(m, "duplicate service ");
                msg_quote(m, s, n);
                msg_lit(m, " in the list");
                return false;
            }
        }
        ++*count;
    }
    return true;
}

static bool key_provides(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_services(p->provides, &p->provides_count, t, m);
}

static bool key_uses(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    return take_services(p->uses, &p->uses_count, t, m);
}

// "base-last" or a single port "base".
static bool parse_port_range(const char *s, size_t n, uint64_t *base, uint64_t *last)
{
    size_t dash = 0;

    while (dash < n && s[dash] != '-') {
        dash++;
    }
    if (!parse_number(s, dash, base))
        return false;
    if (dash == n)
        *last = *base;
    else if (!parse_number(s + dash + 1, n - dash - 1, last))
        return false;
    return *base <= *last && *last <= 0xffff;
}

// Overlapping ranges on one line are a typo, not an intent.
static bool io_overlaps(const struct cfg_program *p, uint64_t base, uint64_t last)
{
    for (unsigned i = 0; i < p->io_count; i++) {
        if (base <= p->io[i].last && p->io[i].base <= last)
            return true;
    }
    return false;
}

static bool key_ioports(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    struct items it = {.s = t->val, .n = t->vlen};
    const char *s;
    size_t n;
    uint64_t base, last;

    while (next_item(&it, &s, &n)) {
        if (p->io_count == CFG_MAX_RANGES) {
            msg_lit(m, "too many port ranges");
            msg_max(m, CFG_MAX_RANGES);
            return false;
        }
        if (!parse_port_range(s, n, &base, &last)) {
            msg_lit(m, "bad port range ");
            msg_quote(m, s, n);
            return false;
        }
        if (io_overlaps(p, base, last)) {
            msg_lit(m, "overlapping port range ");
            msg_quote(m, s, n);
            return false;
        }
        p->io[p->io_count].base = (uint16_t)base;
        p->io[p->io_count++].last = (uint16_t)last;
    }
    return true;
}

static bool irq_listed(const struct cfg_program *p, uint64_t gsi)
{
    for (unsigned i = 0; i < p->irq_count; i++) {
        if (p->irq[i] == gsi)
            return true;
    }
    return false;
}

static bool key_irqs(struct cfg_program *p, const struct tok *t, struct msg *m)
{
    struct items it = {.s = t->val, .n = t->vlen};
    const char *s;
    size_t n;
    uint64_t gsi;

    while (next_item(&it, &s, &n)) {
        if (p->irq_count == CFG_MAX_RANGES) {
            msg_lit(m, "too many irqs");
            msg_max(m, CFG_MAX_RANGES);
            return false;
        }
        if (!parse_number(s, n, &gsi) || gsi > CFG_GSI_MAX) {
            msg_lit(m, "bad irq ");
            msg_quote(m, s, n);
            msg_lit(m, " (");
            msg_range(m, 0, CFG_GSI_MAX);
            msg_char(m, ')');
            return false;
        }
        if (irq_listed(p, gsi)) {
            msg_lit(m, "duplicate irq ");
            msg_uint(m, gsi);
            return false;
        }
        p->irq[p->irq_count++] = (uint32_t)gsi;
    }
    return true;
}

enum key_id {
    KEY_MODULE,
    KEY_ARGS,
    KEY_MEM,
    KEY_PRIO,
    KEY_CPU,
    KEY_QUANTUM,
    KEY_PROVIDES,
    KEY_USES,
    KEY_IOPORTS,
    KEY_IRQS,
    KEY_RESTART,
    KEY_RESTARTS,
    KEY_COUNT
};

static const struct key {
    const char *name;
    key_parser *parse;
} keys[KEY_COUNT] = {
    [KEY_MODULE] = {"module", key_module},
    [KEY_ARGS] = {"args", key_args},
    [KEY_MEM] = {"mem", key_mem},
    [KEY_PRIO] = {"prio", key_prio},
    [KEY_CPU] = {"cpu", key_cpu},
    [KEY_QUANTUM] = {"quantum", key_quantum},
    [KEY_PROVIDES] = {"provides", key_provides},
    [KEY_USES] = {"uses", key_uses},
    [KEY_IOPORTS] = {"ioports", key_ioports},
    [KEY_IRQS] = {"irqs", key_irqs},
    [KEY_RESTART] = {"restart", key_restart},
    [KEY_RESTARTS] = {"restarts", key_restarts},
};

static int find_key(const struct tok *t)
{
    for (int i = 0; i < KEY_COUNT; i++) {
        if (span_is(t->key, t->klen, keys[i].name))
            return i;
    }
    return -1;
}

// One key=value of a program line; seen has a bit per key, for duplicates.
static bool parse_pair(struct cfg_program *p, const struct tok *t, unsigned *seen, struct msg *m)
{
    int k = t->eq ? find_key(t) : -1;

    if (!t->eq) {
        msg_lit(m, "expected key=value, not ");
        msg_quote(m, t->raw, t->rawlen);
    } else if (k < 0) {
        msg_lit(m, "unknown key ");
        msg_quote(m, t->key, t->klen);
    } else if (*seen & 1u << k) {
        msg_lit(m, "duplicate key ");
        msg_quote(m, t->key, t->klen);
    } else if (k == KEY_ARGS && !t->quoted) {
        msg_lit(m, "args needs a quoted value");
    } else if (k != KEY_ARGS && t->quoted) {
        msg_lit(m, "quoted value for ");
        msg_quote(m, t->key, t->klen);
        msg_lit(m, " (only args takes quotes)");
    } else if (!t->quoted && t->vlen == 0) {
        msg_lit(m, "empty value ");
        msg_quote(m, t->raw, t->rawlen);
    } else {
        *seen |= 1u << k;
        return keys[k].parse(p, t, m);
    }
    return false;
}

// ---- Lines ----

static const struct cfg_program *find_provider(const struct cfg *c, const char *service)
{
    for (unsigned i = 0; i < c->count; i++) {
        for (unsigned j = 0; j < c->prog[i].provides_count; j++) {
            if (str_eq(c->prog[i].provides[j], service))
                return &c->prog[i];
        }
    }
    return NULL;
}

// Checks a parsed program against the programs before it.
static bool fits_others(const struct cfg *c, const struct cfg_program *p, struct msg *m)
{
    const struct cfg_program *other = cfg_find(c, p->name);

    if (other != NULL) {
        msg_lit(m, "duplicate program name \"");
        msg_lit(m, p->name);
        msg_lit(m, "\" (first on line ");
        msg_uint(m, other->line);
        msg_char(m, ')');
        return false;
    }
    for (unsigned i = 0; i < p->provides_count; i++) {
        other = find_provider(c, p->provides[i]);
        if (other != NULL) {
            msg_lit(m, "service \"");
            msg_lit(m, p->provides[i]);
            msg_lit(m, "\" already provided by \"");
            msg_lit(m, other->name);
            msg_lit(m, "\" (line ");
            msg_uint(m, other->line);
            msg_char(m, ')');
            return false;
        }
    }
    return true;
}

// The rest of a program line after the keyword: name, then key=value pairs.
static bool parse_program(const struct cfg *c, struct cfg_program *p, struct cursor *cur,
                          struct msg *m)
{
    struct tok t;
    unsigned seen = 0;
    enum tok_result r = next_token(cur, &t, m);

    if (r == TOK_ERR)
        return false;
    if (r == TOK_NONE || t.eq) {
        msg_lit(m, "missing program name");
        return false;
    }
    if (!take_name(p->name, t.key, t.klen, CFG_NAME_MAX, is_name_char, "name", m))
        return false;
    while ((r = next_token(cur, &t, m)) == TOK_OK) {
        if (!parse_pair(p, &t, &seen, m))
            return false;
    }
    if (r == TOK_ERR)
        return false;
    if (!(seen & 1u << KEY_MODULE)) {
        msg_lit(m, "missing module=");
        return false;
    }
    return fits_others(c, p, m);
}

static void set_defaults(struct cfg_program *p, unsigned line)
{
    *p = (struct cfg_program){
        .mem = CFG_DEFAULT_MEM,
        .prio = CFG_DEFAULT_PRIO,
        .cpu = CFG_DEFAULT_CPU,
        .quantum_us = CFG_DEFAULT_QUANTUM,
        .restarts = CFG_DEFAULT_RESTARTS,
        .line = line,
    };
}

// One line; a program it describes goes into the next free slot, which only a good line
// keeps.
static bool parse_line(struct cfg *out, const char *s, size_t n, unsigned line, struct msg *m)
{
    struct cursor cur = {.s = s, .end = n};
    struct tok t;
    enum tok_result r = next_token(&cur, &t, m);

    if (r != TOK_OK)
        return r == TOK_NONE; // blank or comment
    if (t.eq || !span_is(t.key, t.klen, "program")) {
        msg_lit(m, "unknown directive ");
        msg_quote(m, t.raw, t.rawlen);
        return false;
    }
    if (out->count == CFG_MAX_PROGRAMS) {
        msg_lit(m, "too many programs");
        msg_max(m, CFG_MAX_PROGRAMS);
        return false;
    }
    struct cfg_program *p = &out->prog[out->count];

    set_defaults(p, line);
    if (!parse_program(out, p, &cur, m)) {
        *p = (struct cfg_program){0}; // a half-parsed program leaves nothing behind
        return false;
    }
    out->count++;
    return true;
}

void cfg_parse(struct cfg *out, const char *text, size_t len)
{
    size_t pos = 0;
    unsigned line = 1;

    *out = (struct cfg){0};
    while (pos < len) {
        size_t eol = pos;

        while (eol < len && text[eol] != '\n') {
            eol++;
        }
        size_t end = eol > pos && text[eol - 1] == '\r' ? eol - 1 : eol; // CRLF
        struct msg m = {.len = 0};

        if (!parse_line(out, text + pos, end - pos, line, &m))
            record_error(out, line, &m);
        pos = eol + 1;
        line++;
    }
}

const struct cfg_program *cfg_find(const struct cfg *c, const char *name)
{
    if (c == NULL || name == NULL)
        return NULL;
    for (unsigned i = 0; i < c->count; i++) {
        if (str_eq(c->prog[i].name, name))
            return &c->prog[i];
    }
    return NULL;
}

bool cfg_may_use(const struct cfg_program *p, const char *service)
{
    if (p == NULL || service == NULL)
        return false;
    for (unsigned i = 0; i < p->uses_count; i++) {
        if (str_eq(p->uses[i], service))
            return true;
    }
    return false;
}
