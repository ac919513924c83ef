// SPDX-License-Identifier: MIT
// Asks for "echo" without the grant: the name service must refuse, and no capability arrive.
#include "nova-user/console.h"
#include "nova-user/hypercall.h"
#include "nova-user/names.h"
#include "nova-user/program.h"

enum { SEL_ECHO = NOVA_PROG_SEL_FREE };

int main(const struct nova_start_info *info)
{
    unsigned type = NOVA_OBJ_PT;
    enum svc_status svc = name_lookup("echo", SEL_ECHO);
    enum nova_status st = nova_lookup(SEL_ECHO, &type, 0);
    if (svc != SVC_DENIED || st != NOVA_OK || type != NOVA_OBJ_NULL) {
        con_printf("thief: check failed: lookup of echo: %s, object type %u\n",
                   svc_status_name(svc), type);
        return 1;
    }
    con_printf("thief: lookup of echo refused\n");
    return 0;
}
