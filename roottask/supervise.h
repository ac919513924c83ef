// SPDX-License-Identifier: MIT
// Supervision: the root starts every program, reports faults, tears programs down, restarts.
#pragma once

#include <stdbool.h>

/*
 * Runs the configured programs (programs_init first): a supervisor EC of the root task,
 * above every program's priority, starts them in configuration order, then handles what
 * the service ECs report: a fault (the report, the teardown, a restart if the
 * configuration asks for one) or an exit (the teardown). Returns once every program that
 * provides no service has ended; servers go on running.
 */
void supervise_run(void);
