// SPDX-License-Identifier: MIT
// UTCB messages: untyped words followed by typed items, as call and reply carry them.
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "nova/crd.h"
#include "nova/utcb.h"

// An empty message: no untyped words, no typed items.
void msg_clear(struct nova_utcb *u);

// n untyped words copied from words (n <= NOVA_UTCB_WORDS), no typed items.
void msg_set_words(struct nova_utcb *u, const uint64_t *words, unsigned n);

// Appends the typed item (crd, dest) after the untyped words and the items already there;
// false if the message has no room left for it.
bool msg_add_item(struct nova_utcb *u, nova_crd crd, uint64_t dest);

// The typed items of a message (as sent) or the descriptors of what arrived (as received):
// head.typed of them, right after the untyped words.
struct nova_typed_item *msg_items(struct nova_utcb *u);
