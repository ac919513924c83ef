// SPDX-License-Identifier: MIT
// The program's own image: where the linker script (lib/user.ld) put each part.
#pragma once

// Page-aligned starts; the ends are exact (round them up to whole pages).
extern char __text_start[], __text_end[];     // read + execute
extern char __rodata_start[], __rodata_end[]; // read
extern char __data_start[], __bss_end[];      // read + write: .data, then .bss
