/* supervisor/ctl/push.c: berthctl push NAME[:TAG]: POST /images/{name}/push?tag= with the
 * credentials of berthctl login (X-Registry-Auth, as berthctl pull), the progress rendered as
 * it arrives (progress.h: in place on a terminal, plain lines elsewhere). */
#include <config.h>

#include "supervisor/ctl/push.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/login.h"
#include "supervisor/ctl/progress.h"

int
ctl_push_main(const char *host, int argc, char **argv)
{
        cleanup_free char *repo = NULL, *path = NULL, *erepo = NULL, *etag = NULL, *auth = NULL;
        const char *slash, *colon, *tag = "latest";
        char *hdrs[2] = {NULL, NULL};
        struct ctl_progress *p;
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
                fflush(stdout);
        }
        erepo = xstrdup(repo);
        etag = ctl_escape(tag);
        path = xasprintf("/images/%s/push?tag=%s", erepo, etag);
        /* The docker CLI always sends the header (base64 "{}" without a login); berthd takes a
         * missing one the same way. */
        auth = ctl_registry_auth_header(repo);
        hdrs[0] = auth;
        p = ctl_progress_new(stdout, stderr, isatty(STDOUT_FILENO));
        if (ctl_request_stream(host, "POST", path, auth ? hdrs : NULL, ctl_progress_feed_cb, p, &r)
            < 0) {
                ctl_progress_finish(p);
                return 1;
        }
        rc = ctl_progress_finish(p);
        if (r.status != 200)
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}
