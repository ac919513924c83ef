// SPDX-License-Identifier: MIT
// Unit tests of the root task's boot configuration parser.
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../roottask/config.h"

static struct cfg cfg; // 23 KiB: not on the stack

// Parses an exact-size heap copy without a NUL, so ASan catches any read past len.
static void parse_n(struct cfg *c, const char *text, size_t len)
{
    char *copy = malloc(len ? len : 1);

    assert_non_null(copy);
    memcpy(copy, text, len);
    cfg_parse(c, copy, len);
    free(copy);
}

static void parse(const char *text)
{
    parse_n(&cfg, text, strlen(text));
}

static void expect_error(unsigned i, unsigned line, const char *message)
{
    assert_true(i < cfg.error_count);
    assert_string_equal(cfg.error[i].message, message);
    assert_int_equal(cfg.error[i].line, line);
}

static const struct cfg_program *expect_program(const char *name)
{
    const struct cfg_program *p = cfg_find(&cfg, name);

    assert_non_null(p);
    return p;
}

// ---- Good configurations ----

// The example of docs/roottask.md, word for word.
static const char full_example[] =
    "# Boot configuration of the demo system.\n"
    "\n"
    "# The console driver owns the UART and offers a log service.\n"
    "program serial module=serial.elf ioports=0x3f8-0x3ff irqs=4 prio=40 provides=log\n"
    "\n"
    "program fs module=bin/fs.elf args=\"--root /data --label \\\"main disk\\\"\" mem=2M "
    "provides=fs,blk uses=log restart=on-fault restarts=5\n"
    "program shell module=shell.elf mem=256K cpu=1 quantum=5000 uses=fs,log  # interactive\n"
    "program kbd module=kbd.elf ioports=0x60,0x64 irqs=1,12 prio=41 uses=log\n";

static void test_every_key(void **state)
{
    (void)state;
    parse(full_example);
    assert_int_equal(cfg.error_count, 0);
    assert_int_equal(cfg.count, 4);

    const struct cfg_program *p = &cfg.prog[0];
    assert_string_equal(p->name, "serial");
    assert_string_equal(p->module, "serial.elf");
    assert_int_equal(p->line, 4);
    assert_int_equal(p->io_count, 1);
    assert_int_equal(p->io[0].base, 0x3f8);
    assert_int_equal(p->io[0].last, 0x3ff);
    assert_int_equal(p->irq_count, 1);
    assert_int_equal(p->irq[0], 4);
    assert_int_equal(p->prio, 40);
    assert_int_equal(p->provides_count, 1);
    assert_string_equal(p->provides[0], "log");

    p = &cfg.prog[1];
    assert_string_equal(p->name, "fs");
    assert_string_equal(p->module, "bin/fs.elf");
    assert_string_equal(p->args, "--root /data --label \"main disk\"");
    assert_int_equal(p->mem, 2 * 1024 * 1024);
    assert_int_equal(p->provides_count, 2);
    assert_string_equal(p->provides[0], "fs");
    assert_string_equal(p->provides[1], "blk");
    assert_int_equal(p->uses_count, 1);
    assert_string_equal(p->uses[0], "log");
    assert_true(p->restart_on_fault);
    assert_int_equal(p->restarts, 5);
    assert_int_equal(p->line, 6);

    p = &cfg.prog[2];
    assert_string_equal(p->name, "shell");
    assert_int_equal(p->mem, 256 * 1024);
    assert_int_equal(p->cpu, 1);
    assert_int_equal(p->quantum_us, 5000);
    assert_int_equal(p->uses_count, 2);
    assert_string_equal(p->uses[1], "log");
    assert_int_equal(p->line, 7);

    p = &cfg.prog[3];
    assert_int_equal(p->io_count, 2);
    assert_int_equal(p->io[0].base, 0x60);
    assert_int_equal(p->io[0].last, 0x60);
    assert_int_equal(p->io[1].base, 0x64);
    assert_int_equal(p->io[1].last, 0x64);
    assert_int_equal(p->irq_count, 2);
    assert_int_equal(p->irq[0], 1);
    assert_int_equal(p->irq[1], 12);
    assert_int_equal(p->prio, 41);
}

static void test_defaults(void **state)
{
    (void)state;
    parse("program a module=a.elf\n");
    assert_int_equal(cfg.error_count, 0);
    assert_int_equal(cfg.count, 1);

    const struct cfg_program *p = expect_program("a");
    assert_string_equal(p->module, "a.elf");
    assert_string_equal(p->args, "");
    assert_int_equal(p->mem, 64 * 1024);
    assert_int_equal(p->prio, 16);
    assert_int_equal(p->cpu, 0);
    assert_int_equal(p->quantum_us, 10000);
    assert_false(p->restart_on_fault);
    assert_int_equal(p->restarts, 3);
    assert_int_equal(p->provides_count + p->uses_count + p->io_count + p->irq_count, 0);
    assert_int_equal(p->line, 1);
}

static void test_comments_and_blank_lines(void **state)
{
    (void)state;
    parse("# a comment\n"
          "\n"
          "   \t  \n"
          "   # indented comment\n"
          "program a module=a # trailing comment with key=value \"\n"
          "program b module=b args=\"# not a comment\" #comment\n"
          "#program c module=c\n"
          "\n");
    assert_int_equal(cfg.error_count, 0);
    assert_int_equal(cfg.count, 2);
    assert_int_equal(expect_program("a")->line, 5);
    assert_string_equal(expect_program("b")->args, "# not a comment");
    assert_int_equal(expect_program("b")->line, 6);
    assert_null(cfg_find(&cfg, "c"));
}

static void test_crlf_tabs_last_line(void **state)
{
    (void)state;
    parse("# dos\r\n"
          "program\ta\tmodule=a\t\tprio=20\r\n"
          "\r\n"
          "program b module=b args=\"x y\"\r\n"
          "program c module=c mem=8K");
    assert_int_equal(cfg.error_count, 0);
    assert_int_equal(cfg.count, 3);
    assert_int_equal(expect_program("a")->prio, 20);
    assert_string_equal(expect_program("a")->module, "a");
    assert_string_equal(expect_program("b")->args, "x y");
    assert_int_equal(expect_program("b")->line, 4);
    assert_int_equal(expect_program("c")->mem, 8192);
    assert_int_equal(expect_program("c")->line, 5);
}

static void test_empty_input(void **state)
{
    (void)state;
    cfg_parse(&cfg, NULL, 0);
    assert_int_equal(cfg.count, 0);
    assert_int_equal(cfg.error_count, 0);
    parse("\n\n\r\n# nothing\n");
    assert_int_equal(cfg.count, 0);
    assert_int_equal(cfg.error_count, 0);
}

// The parser overwrites everything: nothing of an earlier parse survives.
static void test_reparse_clears(void **state)
{
    (void)state;
    parse("program a module=a\nbad\n");
    assert_int_equal(cfg.count, 1);
    assert_int_equal(cfg.error_count, 1);
    parse("program b module=b\n");
    assert_int_equal(cfg.count, 1);
    assert_int_equal(cfg.error_count, 0);
    assert_null(cfg_find(&cfg, "a"));
}

static void test_args_escapes(void **state)
{
    (void)state;
    parse("program a module=a args=\"say \\\"hi\\\" c:\\\\dir\"\n"
          "program b module=b args=\"\"\n"
          "program c module=c args=\"\\\\\"\n"
          "program d module=d args=\"=,#'\" mem=4K\n");
    assert_int_equal(cfg.error_count, 0);
    assert_string_equal(expect_program("a")->args, "say \"hi\" c:\\dir");
    assert_string_equal(expect_program("b")->args, "");
    assert_string_equal(expect_program("c")->args, "\\");
    assert_string_equal(expect_program("d")->args, "=,#'");
    assert_int_equal(expect_program("d")->mem, 4096);
}

// Names and args at exactly their maximum length are fine; one more is not.
static void test_length_limits(void **state)
{
    (void)state;
    char text[512], name[40], module[70], args[140];

    memset(name, 'n', 31), name[31] = '\0';
    memset(module, 'm', 63), module[63] = '\0';
    memset(args, 'a', 127), args[127] = '\0';
    snprintf(text, sizeof(text), "program %s module=%s args=\"%s\" provides=%s\n", name, module,
             args, name);
    parse(text);
    assert_int_equal(cfg.error_count, 0);
    assert_string_equal(expect_program(name)->module, module);
    assert_string_equal(expect_program(name)->args, args);
    assert_string_equal(expect_program(name)->provides[0], name);

    // Escapes count once: 127 characters from 254 bytes of input.
    char escaped[300] = "";
    for (int i = 0; i < 127; i++)
        strcat(escaped, "\\\\");
    snprintf(text, sizeof(text), "program a module=a args=\"%s\"\n", escaped);
    parse(text);
    assert_int_equal(cfg.error_count, 0);
    assert_int_equal(strlen(expect_program("a")->args), 127);

    snprintf(text, sizeof(text), "program a module=a args=\"%sb\"\n", args);
    parse(text);
    expect_error(0, 1, "args too long (max 127)");
}

static void test_sizes_and_numbers(void **state)
{
    (void)state;
    parse("program a module=a mem=4096 prio=1 cpu=63 quantum=1 restarts=0\n"
          "program b module=b mem=0x2000 prio=63 quantum=1000000 restarts=255\n"
          "program c module=c mem=1m prio=0x10 cpu=0 restart=never\n"
          "program d module=d mem=16k prio=010\n"
          "program e module=e mem=4194304K\n");
    assert_int_equal(cfg.error_count, 0);
    assert_int_equal(cfg.prog[0].mem, 4096);
    assert_int_equal(cfg.prog[0].prio, 1);
    assert_int_equal(cfg.prog[0].cpu, 63);
    assert_int_equal(cfg.prog[0].quantum_us, 1);
    assert_int_equal(cfg.prog[0].restarts, 0);
    assert_int_equal(cfg.prog[1].mem, 0x2000);
    assert_int_equal(cfg.prog[1].prio, 63);
    assert_int_equal(cfg.prog[1].quantum_us, 1000000);
    assert_int_equal(cfg.prog[1].restarts, 255);
    assert_int_equal(cfg.prog[2].mem, 1 << 20);
    assert_int_equal(cfg.prog[2].prio, 16);
    assert_false(cfg.prog[2].restart_on_fault);
    assert_int_equal(cfg.prog[3].mem, 16384);
    assert_int_equal(cfg.prog[3].prio, 10);
    assert_int_equal(cfg.prog[4].mem, 4ull << 30);
}

static void test_list_limits(void **state)
{
    (void)state;
    parse("program a module=a provides=s1,s2,s3,s4,s5,s6,s7,s8 uses=u1,u2,u3,u4,u5,u6,u7,u8 "
          "ioports=1,2,3,4,5,6,7,0xfff0-0xffff irqs=0,1,2,3,4,5,6,255\n");
    assert_int_equal(cfg.error_count, 0);
    const struct cfg_program *p = expect_program("a");
    assert_int_equal(p->provides_count, 8);
    assert_int_equal(p->uses_count, 8);
    assert_int_equal(p->io_count, 8);
    assert_int_equal(p->irq_count, 8);
    assert_string_equal(p->provides[7], "s8");
    assert_string_equal(p->uses[7], "u8");
    assert_int_equal(p->io[7].base, 0xfff0);
    assert_int_equal(p->io[7].last, 0xffff);
    assert_int_equal(p->irq[7], 255);
}

// ---- Malformed lines ----

struct bad_line {
    const char *line, *message;
};

static const struct bad_line bad_lines[] = {
    {"program a module=a colour=red", "unknown key \"colour\""},
    {"program a module=a prio=99", "bad number \"prio=99\": out of range 1-63"},
    {"program a module=a prio=0", "bad number \"prio=0\": out of range 1-63"},
    {"program a module=a prio=x", "bad number \"prio=x\""},
    {"program a module=a prio=-1", "bad number \"prio=-1\""},
    {"program a module=a prio=0x", "bad number \"prio=0x\""},
    {"program a module=a prio=99999999999999999999999",
     "bad number \"prio=99999999999999999999999\""},
    {"program a module=a cpu=64", "bad number \"cpu=64\": out of range 0-63"},
    {"program a module=a quantum=0", "bad number \"quantum=0\": out of range 1-1000000"},
    {"program a module=a quantum=1000001",
     "bad number \"quantum=1000001\": out of range 1-1000000"},
    {"program a module=a restarts=256", "bad number \"restarts=256\": out of range 0-255"},
    {"program a module=a mem=1000", "bad size \"mem=1000\": not a nonzero multiple of 4K"},
    {"program a module=a mem=0", "bad size \"mem=0\": not a nonzero multiple of 4K"},
    {"program a module=a mem=12Q", "bad size \"mem=12Q\""},
    {"program a module=a mem=4KK", "bad size \"mem=4KK\""},
    {"program a module=a mem=K", "bad size \"mem=K\""},
    {"program a module=a mem=17592186044416M", "bad size \"mem=17592186044416M\""},
    {"program a", "missing module="},
    {"program a prio=3", "missing module="},
    {"program", "missing program name"},
    {"program # comment", "missing program name"},
    {"program module=a", "missing program name"},
    {"progam a module=a", "unknown directive \"progam\""},
    {"mem=4K", "unknown directive \"mem=4K\""},
    {"program=a module=a", "unknown directive \"program=a\""},
    {"program a module=a args=\"abc", "unterminated quote"},
    {"program a module=a args=\"abc\\", "unterminated quote"},
    {"program a module=a args=\"abc\\\"", "unterminated quote"},
    {"program a module=a args=\"a\\nb\"", "bad escape \"\\n\" (only \\\" and \\\\)"},
    {"program a module=a args=\"x\"y", "text right after closing quote"},
    {"program a module=a args=plain", "args needs a quoted value"},
    {"program a module=a args=", "args needs a quoted value"},
    {"program a module=a args=\"tab\there\"", "bad character in args"},
    {"program a module=a args=\"\xc3\xa9\"", "bad character in args"},
    {"program a module=\"a\"", "quoted value for \"module\" (only args takes quotes)"},
    {"program a module=a prio=3 prio=4", "duplicate key \"prio\""},
    {"program a module=a module=b", "duplicate key \"module\""},
    {"program a module=a junk", "expected key=value, not \"junk\""},
    {"program a module=a =3", "unknown key \"\""},
    {"program a module=a mem=", "empty value \"mem=\""},
    {"program a module=", "empty value \"module=\""},
    {"program a module=a restart=always", "bad value \"restart=always\" (never or on-fault)"},
    {"program 0123456789012345678901234567890123 module=a",
     "name too long \"01234567890123456789012345678...\" (max 31)"},
    {"program a/b module=a", "bad character in name \"a/b\""},
    {"program a module=a\\b", "bad character in module name \"a\\b\""},
    {"program a module=0123456789012345678901234567890123456789012345678901234567890123",
     "module name too long \"01234567890123456789012345678...\" (max 63)"},
    {"program a module=a uses=fs,,net", "empty service name"},
    {"program a module=a uses=fs,", "empty service name"},
    {"program a module=a uses=fs,fs", "duplicate service \"fs\" in the list"},
    {"program a module=a uses=b@d", "bad character in service name \"b@d\""},
    {"program a module=a provides=s1,s2,s3,s4,s5,s6,s7,s8,s9",
     "too many services in \"provides=s1,s2,s3,s4,s5,s6,s7...\" (max 8)"},
    {"program a module=a provides=0123456789012345678901234567890123",
     "service name too long \"01234567890123456789012345678...\" (max 31)"},
    {"program a module=a ioports=0x3ff-0x3f8", "bad port range \"0x3ff-0x3f8\""},
    {"program a module=a ioports=0x10000", "bad port range \"0x10000\""},
    {"program a module=a ioports=1-", "bad port range \"1-\""},
    {"program a module=a ioports=-1", "bad port range \"-1\""},
    {"program a module=a ioports=1-2-3", "bad port range \"1-2-3\""},
    {"program a module=a ioports=1,,2", "bad port range \"\""},
    {"program a module=a ioports=1-4,4-8", "overlapping port range \"4-8\""},
    {"program a module=a ioports=1,2,3,4,5,6,7,8,9", "too many port ranges (max 8)"},
    {"program a module=a irqs=256", "bad irq \"256\" (0-255)"},
    {"program a module=a irqs=x", "bad irq \"x\" (0-255)"},
    {"program a module=a irqs=1,1", "duplicate irq 1"},
    {"program a module=a irqs=0,1,2,3,4,5,6,7,8", "too many irqs (max 8)"},
    {"program first module=x", "duplicate program name \"first\" (first on line 1)"},
    {"program a module=a provides=svc", "service \"svc\" already provided by \"first\" (line 1)"},
    {"program a module=a\rprio=3", "bad character in module name \"a?prio=3\""},
};

// Each bad line between two good ones: the bad one is reported at line 3, the others kept.
static void test_bad_lines(void **state)
{
    (void)state;
    char text[512];

    for (size_t i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++) {
        snprintf(text, sizeof(text),
                 "program first module=f provides=svc\n# comment\n%s\nprogram last module=l\n",
                 bad_lines[i].line);
        parse(text);
        if (cfg.error_count != 1 || strcmp(cfg.error[0].message, bad_lines[i].message) != 0)
            print_error("line '%s': %u errors, first '%s'\n", bad_lines[i].line, cfg.error_count,
                        cfg.error_count ? cfg.error[0].message : "");
        assert_int_equal(cfg.error_count, 1);
        expect_error(0, 3, bad_lines[i].message);
        assert_int_equal(cfg.count, 2);
        assert_non_null(cfg_find(&cfg, "first"));
        assert_int_equal(expect_program("last")->line, 4);
    }
}

// A NUL in the text is a character like any other, not an end.
static void test_nul_byte(void **state)
{
    (void)state;
    static const char text[] = "program a module=a\0b\nprogram c module=c\n";

    parse_n(&cfg, text, sizeof(text) - 1);
    assert_int_equal(cfg.count, 1);
    expect_error(0, 1, "bad character in module name \"a?b\"");
    assert_non_null(cfg_find(&cfg, "c"));
}

// Several faults on one line: the first is the one reported.
static void test_first_fault_wins(void **state)
{
    (void)state;
    parse("program a module=a prio=99 colour=red cpu=999\n");
    assert_int_equal(cfg.error_count, 1);
    expect_error(0, 1, "bad number \"prio=99\": out of range 1-63");
    assert_int_equal(cfg.count, 0);
}

// The len bound: a cut anywhere ends the text there, never a read beyond.
static void test_cut_text(void **state)
{
    (void)state;
    static const char text[] = "program a module=abc args=\"x\\\"y\" mem=8K";

    parse_n(&cfg, text, strlen("program a module=ab"));
    assert_string_equal(expect_program("a")->module, "ab");
    parse_n(&cfg, text, strlen("program a module=abc args=\"x\\"));
    expect_error(0, 1, "unterminated quote");
    parse_n(&cfg, text, strlen("program a module=abc args=\"x\\\"y\" mem=8"));
    expect_error(0, 1, "bad size \"mem=8\": not a nonzero multiple of 4K");
    for (size_t len = 0; len <= sizeof(text) - 1; len++) {
        parse_n(&cfg, text, len);
        assert_int_equal(cfg.count + cfg.error_count, len == 0 ? 0 : 1);
    }
}

static void test_too_many_programs(void **state)
{
    (void)state;
    char text[2048] = "";
    char line[64];

    for (int i = 0; i < 18; i++) {
        snprintf(line, sizeof(line), "program p%d module=p%d.elf\n", i, i);
        strcat(text, line);
    }
    strcat(text, "bad line\n");
    parse(text);
    assert_int_equal(cfg.count, CFG_MAX_PROGRAMS);
    assert_int_equal(cfg.error_count, 3);
    expect_error(0, 17, "too many programs (max 16)");
    expect_error(1, 18, "too many programs (max 16)");
    expect_error(2, 19, "unknown directive \"bad\"");
    assert_non_null(cfg_find(&cfg, "p15"));
    assert_null(cfg_find(&cfg, "p16"));
}

// Errors beyond CFG_MAX_ERRORS: the last slot says there were more; good lines still count.
static void test_too_many_errors(void **state)
{
    (void)state;
    char text[2048] = "";

    for (int i = 0; i < 20; i++)
        strcat(text, "oops\nprogram x module=x\n");
    strcat(text, "program y module=y\n");
    parse(text);
    assert_int_equal(cfg.count, 2);
    assert_int_equal(cfg.error_count, CFG_MAX_ERRORS);
    expect_error(0, 1, "unknown directive \"oops\"");
    expect_error(1, 3, "unknown directive \"oops\"");
    expect_error(2, 4, "duplicate program name \"x\" (first on line 2)");
    expect_error(14, 16, "duplicate program name \"x\" (first on line 2)");
    expect_error(15, 17, "too many errors: this one and later ones not shown");
    assert_int_equal(expect_program("y")->line, 41);

    // Exactly CFG_MAX_ERRORS errors are all shown.
    text[0] = '\0';
    for (int i = 0; i < CFG_MAX_ERRORS; i++)
        strcat(text, "oops\n");
    parse(text);
    assert_int_equal(cfg.error_count, CFG_MAX_ERRORS);
    expect_error(15, 16, "unknown directive \"oops\"");
}

// ---- Services ----

static void test_duplicate_provider(void **state)
{
    (void)state;
    parse("program a module=a provides=fs,log\n"
          "program b module=b provides=net,log\n"
          "program c module=c provides=net\n"
          "program d module=d provides=fs\n");
    assert_int_equal(cfg.count, 2);
    assert_int_equal(cfg.error_count, 2);
    expect_error(0, 2, "service \"log\" already provided by \"a\" (line 1)");
    expect_error(1, 4, "service \"fs\" already provided by \"a\" (line 1)");
    assert_null(cfg_find(&cfg, "b"));
    assert_string_equal(expect_program("c")->provides[0], "net");
}

static void test_duplicate_name(void **state)
{
    (void)state;
    parse("program a module=a\nprogram b module=b\nprogram a module=other prio=2\n");
    assert_int_equal(cfg.count, 2);
    expect_error(0, 3, "duplicate program name \"a\" (first on line 1)");
    assert_string_equal(expect_program("a")->module, "a");
    assert_int_equal(expect_program("a")->prio, 16);
}

static void test_grants(void **state)
{
    (void)state;
    parse("program fs module=fs provides=fs uses=log,blk\n"
          "program log module=log provides=log\n");
    const struct cfg_program *fs = expect_program("fs"), *log = expect_program("log");

    assert_true(cfg_may_use(fs, "log"));
    assert_true(cfg_may_use(fs, "blk"));
    assert_false(cfg_may_use(fs, "fs")); // providing is not using
    assert_false(cfg_may_use(fs, "lo"));
    assert_false(cfg_may_use(fs, "logs"));
    assert_false(cfg_may_use(fs, ""));
    assert_false(cfg_may_use(log, "fs"));
    assert_false(cfg_may_use(log, "log"));
    assert_false(cfg_may_use(NULL, "log"));
    assert_false(cfg_may_use(fs, NULL));
    assert_null(cfg_find(&cfg, "f"));
    assert_null(cfg_find(&cfg, "fsx"));
    assert_null(cfg_find(&cfg, ""));
    assert_null(cfg_find(&cfg, NULL));
    assert_null(cfg_find(NULL, "fs"));
}

// ---- Random mutations ----

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

// Bytes that matter to the grammar come up far more often than chance would have them.
static char random_byte(void)
{
    static const char special[] = "\"\\\n\r\t #=,-xK0123456789aprogamodule";

    if (rng() % 4 == 0)
        return (char)rng();
    return special[rng() % (sizeof(special) - 1)];
}

static size_t mutate(char *buf, size_t len, size_t cap)
{
    size_t at = len ? rng() % len : 0;

    switch (rng() % 5) {
    case 0: // replace
        if (len)
            buf[at] = random_byte();
        break;
    case 1: // insert
        if (len < cap) {
            memmove(buf + at + 1, buf + at, len - at);
            buf[at] = random_byte(), len++;
        }
        break;
    case 2: // delete
        if (len) {
            memmove(buf + at, buf + at + 1, len - at - 1);
            len--;
        }
        break;
    case 3: { // duplicate a chunk
        size_t n = rng() % 32;
        if (n > len - at)
            n = len - at;
        if (len + n <= cap) {
            memmove(buf + at + n, buf + at, len - at);
            len += n;
        }
        break;
    }
    default: // cut
        if (rng() % 8 == 0)
            len = at;
        break;
    }
    return len;
}

static bool is_cstring(const char *s, size_t size)
{
    return memchr(s, '\0', size) != NULL;
}

// Whatever the input, what comes out is well-formed.
static void check_invariants(const struct cfg *c, size_t len)
{
    assert_true(c->count <= CFG_MAX_PROGRAMS);
    assert_true(c->error_count <= CFG_MAX_ERRORS);
    for (unsigned i = 0; i < c->count; i++) {
        const struct cfg_program *p = &c->prog[i];

        assert_true(is_cstring(p->name, sizeof(p->name)) && p->name[0] != '\0');
        assert_true(is_cstring(p->module, sizeof(p->module)) && p->module[0] != '\0');
        assert_true(is_cstring(p->args, sizeof(p->args)));
        assert_true(p->prio >= 1 && p->prio <= 63 && p->cpu <= 63);
        assert_true(p->quantum_us >= 1 && p->quantum_us <= 1000000 && p->restarts <= 255);
        assert_true(p->mem != 0 && p->mem % 4096 == 0);
        assert_true(p->provides_count <= CFG_MAX_NAMES && p->uses_count <= CFG_MAX_NAMES);
        assert_true(p->io_count <= CFG_MAX_RANGES && p->irq_count <= CFG_MAX_RANGES);
        for (unsigned j = 0; j < p->io_count; j++)
            assert_true(p->io[j].base <= p->io[j].last);
        for (unsigned j = 0; j < p->irq_count; j++)
            assert_true(p->irq[j] <= 255);
        assert_true(p->line >= 1 && p->line <= len);
        assert_true(i == 0 || p->line > c->prog[i - 1].line);
        assert_ptr_equal(cfg_find(c, p->name), p);
    }
    for (unsigned i = 0; i < c->error_count; i++) {
        assert_true(is_cstring(c->error[i].message, sizeof(c->error[i].message)));
        assert_true(c->error[i].message[0] != '\0');
        assert_true(c->error[i].line >= 1 && c->error[i].line <= len);
        assert_true(i == 0 || c->error[i].line > c->error[i - 1].line);
    }
}

static void test_random_mutations(void **state)
{
    (void)state;
    enum { CAP = 2048 };
    static struct cfg again;
    char buf[CAP];
    size_t len = 0;
    unsigned good = 0, bad = 0;

    for (int iter = 0; iter < 10000; iter++) {
        if (iter % 8 == 0) { // start over from a good text now and then
            len = strlen(full_example);
            memcpy(buf, full_example, len);
        }
        for (unsigned k = 1 + rng() % 3; k > 0; k--)
            len = mutate(buf, len, CAP);
        parse_n(&cfg, buf, len);
        check_invariants(&cfg, len);
        parse_n(&again, buf, len);
        assert_int_equal(again.count, cfg.count);
        assert_int_equal(again.error_count, cfg.error_count);
        for (unsigned i = 0; i < cfg.count; i++)
            assert_string_equal(again.prog[i].name, cfg.prog[i].name);
        for (unsigned i = 0; i < cfg.error_count; i++)
            assert_string_equal(again.error[i].message, cfg.error[i].message);
        good += cfg.count, bad += cfg.error_count;
    }
    // Both kinds of line came up often: the mutations neither left the text alone nor
    // wrecked all of it.
    assert_true(good > 10000 && bad > 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_key),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_comments_and_blank_lines),
        cmocka_unit_test(test_crlf_tabs_last_line),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_reparse_clears),
        cmocka_unit_test(test_args_escapes),
        cmocka_unit_test(test_length_limits),
        cmocka_unit_test(test_sizes_and_numbers),
        cmocka_unit_test(test_list_limits),
        cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_first_fault_wins),
        cmocka_unit_test(test_cut_text),
        cmocka_unit_test(test_too_many_programs),
        cmocka_unit_test(test_too_many_errors),
        cmocka_unit_test(test_duplicate_provider),
        cmocka_unit_test(test_duplicate_name),
        cmocka_unit_test(test_grants),
        cmocka_unit_test(test_random_mutations),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
