// SPDX-License-Identifier: MIT
// Test "system": the root task as a system, running the programs of the boot configuration.
#include "check.h"
#include "config.h"
#include "modules.h"
#include "nova-user/console.h"
#include "pool.h"
#include "programs.h"
#include "supervise.h"
#include "tests.h"

// About 23 KiB: static, not on the root's stack.
static struct cfg cfg;

// Every bad line is reported, with its line number; the good ones still run.
static void report_errors(const struct module *m)
{
    for (unsigned i = 0; i < cfg.error_count; i++)
        con_printf("root: %s:%u: %s\n", m->name, cfg.error[i].line, cfg.error[i].message);
}

void test_system(const struct nova_hip *hip)
{
    struct module m;
    if (!module_config(hip, &m)) {
        CHECK(!"a boot configuration module (*.cfg, or config=NAME)");
        return;
    }
    con_printf("root: boot configuration %s, %lu bytes\n", m.name, (unsigned long)m.size);
    cfg_parse(&cfg, m.data, m.size);
    report_errors(&m);
    con_printf("root: %u program(s) configured, %u bad line(s)\n", cfg.count, cfg.error_count);
    if (!pool_init(hip) || !programs_init(&cfg, hip))
        return;
    supervise_run();
}
