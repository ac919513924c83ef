// SPDX-License-Identifier: MIT
// The root task: greets, runs the test its command line names, reports PASS or FAIL.
#include <stddef.h>

#include "check.h"
#include "hipinfo.h"
#include "modules.h"
#include "nova-user/cmdline.h"
#include "nova-user/console.h"
#include "nova-user/exit.h"
#include "nova-user/format.h"
#include "nova-user/start.h"
#include "nova-user/string.h"
#include "pages.h"
#include "tests.h"

#define TEST_NAME_MAX 32

struct test {
    const char *name;
    void (*run)(const struct nova_hip *hip);
};

static const struct test tests[] = {
    {"objects", test_objects},
    {"badargs", test_badargs},
    {"fault", test_fault},
    {"pingpong", test_pingpong},
    {"revoke", test_revoke},
    {"pager", test_pager},
    {"badtyped", test_badtyped},
    {"events", test_events},
    {"bench", test_bench},
    {"eventutcb", test_eventutcb},
    {"cpus", test_cpus},
    {"rr", test_rr},
    {"preempt", test_preempt},
    {"timeout", test_timeout},
    {"xcpu", test_xcpu},
    {"irq", test_irq},
    {"shootdown", test_shootdown},
    {"bench5", test_bench5},
    {"system", test_system},
    {"vm", test_vm},
    {"vm2", test_vm2},
    {"vmbad", test_vmbad},
    {"vmbench", test_vmbench},
    {"vmbadstate", test_vmbadstate},
    {"vmrecall", test_vmrecall},
    {"vmwindow", test_vmwindow},
    {"vmquantum", test_vmquantum},
    {"vmrevoke", test_vmrevoke},
    {"vminject", test_vminject},
};

static const struct test *find_test(const char *name)
{
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        if (strcmp(tests[i].name, name) == 0)
            return &tests[i];
    return NULL;
}

// Without a "test=NAME" word the root task runs the system of its boot configuration if
// there is one (docs/roottask.md), else it shows off the objects demo.
static void test_name(const struct nova_hip *hip, char *buf, size_t size)
{
    struct module cfg;
    const char *line = hip->mod_count ? hip->mod[0].cmdline : "";
    if (!cmdline_value(line, NOVA_HIP_CMDLINE, "test", buf, size))
        fmt_snprintf(buf, size, "%s", module_config(hip, &cfg) ? "system" : "objects");
}

static void run(const struct nova_hip *hip, const char *name)
{
    const struct test *t = find_test(name);
    if (!CHECK(t != NULL)) {
        con_printf("roottask: no test named \"%s\"\n", name);
        return;
    }
    con_printf("roottask: running test %s\n", name);
    t->run(hip);
}

int main(const struct nova_hip *hip, struct nova_utcb *utcb)
{
    char name[TEST_NAME_MAX] = "hip";
    if (hip_print(hip)) {
        con_printf("roottask: UTCB at %p\n", (void *)utcb);
        pages_init(hip);
        test_name(hip, name, sizeof(name));
        run(hip, name);
    }
    if (check_failures == 0)
        con_printf("roottask: PASS %s\n", name);
    else
        con_printf("roottask: FAIL %s (%u failed checks)\n", name, check_failures);
    nova_exit(check_failures == 0);
}
