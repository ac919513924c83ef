// SPDX-License-Identifier: MIT
// Client of the root's memory service: pages on request, within the program's quota.
#pragma once

#include <stdint.h>

#include "nova-user/services.h"

// pages fresh zeroed read-write pages, mapped at *addr (chosen from the program's heap
// window). Returns an enum svc_status: SVC_QUOTA once the quota is used up.
enum svc_status mem_alloc(uint64_t pages, uint64_t *addr);

// Gives back the pages of earlier allocations in [addr, addr + pages * 4096).
enum svc_status mem_free(uint64_t addr, uint64_t pages);

// The program's quota and the pages it holds now.
enum svc_status mem_info(uint64_t *quota_pages, uint64_t *held_pages);
