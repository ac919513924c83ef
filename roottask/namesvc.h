// SPDX-License-Identifier: MIT
// The name service: portals registered by name, handed to the programs granted the name.
#pragma once

#include "programs.h"

// Forgets the names p registered and revokes their portals from everyone who looked them up.
void namesvc_release_all(struct program *p);
