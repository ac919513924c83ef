// SPDX-License-Identifier: MIT
// The guest's console: bytes written to COM1, printed a line at a time as "vm<id>: <line>".
#include "nova-user/console.h"
#include "vmm_int.h"

static void flush(struct vm *vm)
{
    vm->line[vm->line_len] = '\0';
    con_printf("vm%u: %s\n", vm->id, vm->line);
    if (vm->cfg.on_line)
        vm->cfg.on_line(vm, vm->line);
    vm->line_len = 0;
}

void console_out(struct vm *vm, char c)
{
    if (c == '\r')
        return;
    if (c != '\n') // anything unprintable shows as '?', so a guest cannot garble the log
        vm->line[vm->line_len++] = c >= ' ' && c < 0x7f ? c : '?';
    if (c == '\n' || vm->line_len == VM_LINE_MAX - 1)
        flush(vm);
}
