// SPDX-License-Identifier: MIT
// Boot modules by name: what the configuration's module= and the config module itself name.
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "nova/hip.h"

/*
 * A module's command line starts with its file name; QEMU's -kernel loader puts the path
 * of the file before it ("build/servers/echo/echo.elf echo.elf ..."), GRUB does not. The
 * module's name is therefore the second word if the first is a path (has a '/') and a
 * second word without '=' follows, else the first word without its directories.
 */
#define MODULE_NAME_MAX 64

struct module {
    const void *data; // the module's bytes, through the root's window of physical memory
    size_t size;
    char name[MODULE_NAME_MAX];
};

// Module i of the HIP; false if there is none.
bool module_get(const struct nova_hip *hip, unsigned i, struct module *m);

// The module called name (by its name, its first word, or a path ending in "/name"),
// skipping module 0, the root task. False if there is none.
bool module_find(const struct nova_hip *hip, const char *name, struct module *m);

// The boot configuration: the module that the root's "config=NAME" names, else the first
// whose name ends in ".cfg". False if there is none.
bool module_config(const struct nova_hip *hip, struct module *m);
