// SPDX-License-Identifier: MIT
// Client of the root's name service: register a portal by name, look one up.
#pragma once

#include <stdint.h>

#include "nova-user/services.h"
#include "nova/caps.h"

// Registers the portal at portal_sel under name (as configured with provides=).
enum svc_status name_register(const char *name, nova_sel portal_sel);

// Asks for the portal registered under name (as configured with uses=); on SVC_OK a
// capability to it (CALL permission) is at dest_sel.
enum svc_status name_lookup(const char *name, nova_sel dest_sel);

// The same, but waits up to timeout_ms for a provider that has not registered yet.
enum svc_status name_lookup_wait(const char *name, nova_sel dest_sel, unsigned timeout_ms);
