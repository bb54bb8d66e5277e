/* supervisor/ctl/import.c: berthctl import, as docker import (its flags and output). */
#include <config.h>

#include "supervisor/ctl/import.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/progress.h"

static void
add_arg(char **path, const char *key, const char *value)
{
        cleanup_free char *e = ctl_escape(value), *old = *path;
        *path = xasprintf("%s&%s=%s", old, key, e);
}

int
ctl_import_main(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"change", required_argument, NULL, 'c'},
                                             {"message", required_argument, NULL, 'm'},
                                             {"platform", required_argument, NULL, 'p'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *path = xstrdup("/images/create?fromSrc=-");
        cleanup_fclose FILE *in = NULL;
        struct ctl_progress *prog = NULL;
        struct ctl_reply r;
        FILE *sink;
        int c, rc;

        optind = 0;
        while ((c = getopt_long(argc, argv, "c:m:", opts, NULL)) != -1) {
                if (c == 'c')
                        add_arg(&path, "changes", optarg);
                else if (c == 'm')
                        add_arg(&path, "message", optarg);
                else if (c == 'p')
                        add_arg(&path, "platform", optarg);
                else
                        return 125;
        }
        if (argc - optind < 1 || argc - optind > 2) {
                fprintf(stderr, "\"import\" requires at least 1 and at most 2 arguments.\n");
                return 1;
        }
        if (strcmp(argv[optind], "-") != 0) {
                in = fopen(argv[optind], "rbe");
                if (in == NULL) {
                        fprintf(stderr, "open %s: %m\n", argv[optind]);
                        return 1;
                }
        }
        if (argc - optind == 2) {
                /* REPO[:TAG]: a colon after the last slash starts the tag. */
                cleanup_free char *repo = xstrdup(argv[optind + 1]);
                char *colon = strrchr(repo, ':');
                if (colon && strchr(colon, '/') == NULL) {
                        *colon = '\0';
                        add_arg(&path, "tag", colon + 1);
                }
                add_arg(&path, "repo", repo);
        }
        prog = ctl_progress_new(stdout, stderr, false);
        sink = ctl_progress_sink(prog);
        if (ctl_request(host, "POST", path, in ? in : stdin, sink, &r) < 0) {
                fclose(sink);
                ctl_progress_finish(prog);
                return 1;
        }
        fclose(sink);
        rc = ctl_progress_finish(prog);
        if (r.status != 200)
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}
