// SPDX-License-Identifier: MIT
// Test checks: each failed check prints where and why, and is counted.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/caps.h"
#include "nova/status.h"

// Failed checks so far, of every EC of the root task (they all run on one CPU).
extern unsigned check_failures;

const char *status_name(uint64_t st);

bool check_status_at(const char *file, int line, const char *expr, uint64_t got,
                     enum nova_status want);
bool check_true_at(const char *file, int line, const char *expr, bool ok);
bool check_object_at(const char *file, int line, nova_sel sel, unsigned type, unsigned perms);

#ifdef __FILE_NAME__
#define CHECK_FILE __FILE_NAME__
#else
#define CHECK_FILE __FILE__
#endif

// expr returns a status (enum nova_status or a raw 64-bit RAX); want is what the ABI says.
#define CHECK_STATUS(expr, want) check_status_at(CHECK_FILE, __LINE__, #expr, (expr), (want))
#define CHECK(cond)              check_true_at(CHECK_FILE, __LINE__, #cond, (cond))
// lookup(sel) succeeds and reports this object type and these permission bits.
#define CHECK_OBJECT(sel, type, perms) check_object_at(CHECK_FILE, __LINE__, (sel), (type), (perms))
#define CHECK_EMPTY(sel)               CHECK_OBJECT((sel), NOVA_OBJ_NULL, 0)
