/* supervisor/ctl/port.c: berthctl port (port.h). */
#include <config.h>

#include "supervisor/ctl/port.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"

bool
ctl_port_known(const char *verb)
{
        return strcmp(verb, "port") == 0;
}

int
ctl_port_main(const char *host, int argc, char **argv)
{
        cleanup_json struct json_object *info = NULL;
        cleanup_free char *e = NULL, *path = NULL, *out = NULL;
        cleanup_error berth_error_t *err = NULL;

        if (argc < 2 || argc > 3 || argv[1][0] == '-') {
                fprintf(stderr, "\"port\" requires at least 1 and at most 2 arguments.\n"
                                "Usage:  berthctl port CONTAINER [PRIVATE_PORT[/PROTO]]\n");
                return 1;
        }
        e = ctl_escape(argv[1]);
        path = xasprintf("/containers/%s/json", e);
        info = ctl_get_json(host, path);
        if (info == NULL)
                return 1;
        if (ctl_port_format(json_key(json_key(info, "NetworkSettings"), "Ports"),
                            argc == 3 ? argv[2] : NULL, argv[1], &out, &err)
            < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 1;
        }
        fputs(out, stdout);
        return 0;
}
