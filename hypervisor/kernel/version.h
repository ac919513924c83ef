// SPDX-License-Identifier: MIT
// Name and version the kernel reports in its banner.
#pragma once

#define NOVA_NAME    "NOVA-x86 microhypervisor"
#define NOVA_VERSION "0.1"
