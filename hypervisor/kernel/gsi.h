// SPDX-License-Identifier: MIT
// Interrupts as semaphores: one semaphore per global system interrupt, routed by assign_gsi.
#pragma once

#include <stdint.h>

#include "nova/status.h"

struct pd;
struct sm;

// Creates the GSI semaphores and gives the root PD a capability to each.
enum nova_status gsi_init(struct pd *root) __attribute__((warn_unused_result));
// Routes sm's GSI to cpu; MSI address and data for the same vector come back.
enum nova_status gsi_assign(struct sm *sm, unsigned cpu, unsigned flags, uint64_t *msi_addr,
                            uint64_t *msi_data) __attribute__((warn_unused_result));
// The interrupt of vector arrived.
void gsi_irq(unsigned vector);
// A level-triggered line may interrupt again once its driver has handled it.
void gsi_unmask(unsigned gsi);
