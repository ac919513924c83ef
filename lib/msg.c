// SPDX-License-Identifier: MIT
// UTCB messages: untyped words followed by typed items, as call and reply carry them.
#include "nova-user/msg.h"
#include "nova-user/string.h"

void msg_clear(struct nova_utcb *u)
{
    u->head.untyped = 0;
    u->head.typed = 0;
}

void msg_set_words(struct nova_utcb *u, const uint64_t *words, unsigned n)
{
    if (n > NOVA_UTCB_WORDS)
        n = NOVA_UTCB_WORDS;
    memcpy(u->msg, words, n * sizeof(uint64_t));
    u->head.untyped = n;
    u->head.typed = 0;
}

struct nova_typed_item *msg_items(struct nova_utcb *u)
{
    return (struct nova_typed_item *)&u->msg[u->head.untyped];
}

bool msg_add_item(struct nova_utcb *u, nova_crd crd, uint64_t dest)
{
    uint64_t used = (uint64_t)u->head.untyped + 2ull * u->head.typed;
    if (used + 2 > NOVA_UTCB_WORDS)
        return false;
    msg_items(u)[u->head.typed++] = (struct nova_typed_item){crd, dest};
    return true;
}
