// SPDX-License-Identifier: MIT
// The boot configuration: which programs the root task starts, and with what (pure logic).
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * The configuration is a text boot module, one `program` line per program; the format is
 * specified in docs/roottask.md. cfg_parse keeps every good line and records every bad one
 * with its line number; it never looks at text[len] or beyond and needs no NUL terminator,
 * so it may run straight on module memory. Builds freestanding (root task) and hosted
 * (unit tests) alike.
 */

#define CFG_MAX_PROGRAMS 16
#define CFG_MAX_NAMES    8  // services in one provides= or uses= list
#define CFG_MAX_RANGES   8  // entries in one ioports= or irqs= list
#define CFG_MAX_ERRORS   16 // the last slot says "more errors" when there are more

#define CFG_NAME_MAX   31  // program and service names, without the NUL
#define CFG_MODULE_MAX 63  // module file names
#define CFG_ARGS_MAX   127 // the command line, after unescaping

// Limits of the numeric keys (the ABI's: create_sc, the HIP, the root's GSI semaphores).
#define CFG_PRIO_MIN     1
#define CFG_PRIO_MAX     63
#define CFG_CPU_MAX      63 // NOVA_HIP_MAX_CPUS - 1
#define CFG_QUANTUM_MAX  1000000
#define CFG_RESTARTS_MAX 255
#define CFG_GSI_MAX      255 // the root holds semaphores for GSIs 0-255 only
#define CFG_PAGE_SIZE    4096

// Defaults of the optional keys.
#define CFG_DEFAULT_MEM      (64u * 1024)
#define CFG_DEFAULT_PRIO     16
#define CFG_DEFAULT_CPU      0
#define CFG_DEFAULT_QUANTUM  10000
#define CFG_DEFAULT_RESTARTS 3

struct cfg_program {
    char name[32], module[64], args[128]; // NUL-terminated; args unescaped, "" if none
    uint64_t mem;                         // bytes, a nonzero multiple of CFG_PAGE_SIZE
    unsigned prio, cpu, quantum_us, restarts;
    bool restart_on_fault; // restart=on-fault; restarts is the most restarts then
    unsigned provides_count, uses_count, io_count, irq_count;
    char provides[CFG_MAX_NAMES][32], uses[CFG_MAX_NAMES][32];
    struct {
        uint16_t base, last; // inclusive: one port is base == last
    } io[CFG_MAX_RANGES];
    uint32_t irq[CFG_MAX_RANGES]; // GSIs
    unsigned line;                // where the program line is, for messages
};

struct cfg_error {
    unsigned line; // 1-based
    char message[96];
};

// About 23 KiB: keep it static rather than on a stack.
struct cfg {
    unsigned count;
    struct cfg_program prog[CFG_MAX_PROGRAMS];
    unsigned error_count; // at most CFG_MAX_ERRORS
    struct cfg_error error[CFG_MAX_ERRORS];
};

// Parses text[0, len) into *out, which it overwrites completely. Lines with faults are
// recorded in out->error (the first fault of each line) and skipped; good lines are kept.
void cfg_parse(struct cfg *out, const char *text, size_t len);

// The program called name (a NUL-terminated string), or NULL.
const struct cfg_program *cfg_find(const struct cfg *c, const char *name);

// The name service's grant check: true if p lists service in uses=.
bool cfg_may_use(const struct cfg_program *p, const char *service);
