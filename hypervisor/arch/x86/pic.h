// SPDX-License-Identifier: MIT
// Legacy 8259 PIC pair: moved off the exception vectors and masked.
#pragma once

void pic_disable(void);
