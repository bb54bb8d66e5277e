/* supervisor/ctl/push.c: berthctl push NAME[:TAG]: POST /images/{name}/push?tag=, the progress
 * printed as the docker CLI prints it without a terminal (no progress bars). */
#include <config.h>

#include "supervisor/ctl/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"

static int
print_progress(const char *body, size_t len)
{
        const char *p = body, *end = body + len;
        int failed = 0;

        while (p && p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                cleanup_json struct json_object *o = NULL;
                cleanup_error berth_error_t *err = NULL; /* a line that is not JSON is skipped */
                struct json_object *v = NULL, *id = NULL, *detail = NULL;
                const char *line = p;

                p = nl ? nl + 1 : NULL;
                if (n == 0 || json_parse_buffer(line, n, &o, &err) < 0)
                        continue;
                if (json_object_object_get_ex(o, "error", &v) && v) {
                        fprintf(stderr, "%s\n", json_object_get_string(v));
                        failed = 1;
                        continue;
                }
                if (!json_object_object_get_ex(o, "status", &v) || v == NULL)
                        continue; /* the aux object */
                if (json_object_object_get_ex(o, "progressDetail", &detail) && detail
                    && json_object_object_get_ex(detail, "current", NULL))
                        continue; /* a progress bar */
                if (json_object_object_get_ex(o, "id", &id) && id)
                        printf("%s: ", json_object_get_string(id));
                printf("%s\n", json_object_get_string(v));
        }
        return failed;
}

int
ctl_push_main(const char *host, int argc, char **argv)
{
        cleanup_free char *repo = NULL, *path = NULL, *erepo = NULL, *etag = NULL;
        const char *slash, *colon, *tag = "latest";
        struct ctl_reply r;
        int rc;

        if (argc != 2) {
                fprintf(stderr, "\"berthctl push\" requires exactly 1 argument\n");
                return 125;
        }
        /* NAME[:TAG]: a ":" after the last "/" starts the tag (before it, it is a port). As
         * docker 20.10's CLI, no tag means "latest". */
        repo = xstrdup(argv[1]);
        slash = strrchr(repo, '/');
        colon = strrchr(slash ? slash : repo, ':');
        if (strchr(repo, '@')) {
                fprintf(stderr, "berthctl push: cannot push a digest reference\n");
                return 125;
        }
        if (colon) {
                repo[colon - repo] = '\0';
                tag = colon + 1;
        } else {
                printf("Using default tag: latest\n");
        }
        erepo = xstrdup(repo);
        etag = ctl_escape(tag);
        path = xasprintf("/images/%s/push?tag=%s", erepo, etag);
        if (ctl_request(host, "POST", path, NULL, NULL, &r) < 0)
                return 1;
        rc = r.status == 200 ? print_progress(r.body, r.len) : ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}
