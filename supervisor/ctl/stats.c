/* supervisor/ctl/stats.c: berthctl stats [--no-stream] [--no-trunc] [--format] [-a] [CONTAINER...]
 * and berthctl update [flags] CONTAINER... (the docker CLI's output; the math in stats_pure.c). */
#include <config.h>

#include "supervisor/ctl/stats.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/template.h"

#define STATS_FORMAT                                                                               \
        "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t"        \
        "{{.BlockIO}}\t{{.PIDs}}"

bool
ctl_stats_known(const char *verb)
{
        return strcmp(verb, "stats") == 0 || strcmp(verb, "update") == 0;
}

/* The IDs of the running (ALL: every) container. */
static int
list_ids(const char *host, bool all, char ***ret)
{
        cleanup_free char *path = xasprintf("/containers/json?all=%d", all ? 1 : 0);
        cleanup_json struct json_object *list = ctl_get_json(host, path);

        if (list == NULL || !json_object_is_type(list, json_type_array))
                return -1;
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *id = NULL;
                if (json_object_object_get_ex(json_object_array_get_idx(list, i), "Id", &id))
                        strv_push(ret, json_object_get_string(id));
        }
        return 0;
}

/* One table of every container in REFS; false when one failed (its error printed). */
static bool
render(const char *host, char *const *refs, bool named, bool no_trunc, const char *fmt,
       char **ret)
{
        cleanup_json struct json_object *rows = json_object_new_array();
        cleanup_json struct json_object *headers = ctl_stats_headers();
        cleanup_error berth_error_t *err = NULL;
        bool ok = true;

        strv_foreach(ref, refs) {
                cleanup_free char *esc = ctl_escape(ref);
                cleanup_free char *path = xasprintf("/containers/%s/stats?stream=0", esc);
                struct json_object *s = ctl_get_json(host, path);
                if (s == NULL) {
                        ok = false;
                        continue;
                }
                json_object_array_add(rows, ctl_stats_row(s, named ? ref : NULL, no_trunc));
                json_object_put(s);
        }
        if (ctl_template_list(fmt, headers, rows, ret, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return false;
        }
        return ok;
}

static int
cmd_stats(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {
                {"no-stream", no_argument, NULL, 's'},
                {"no-trunc", no_argument, NULL, 't'},
                {"format", required_argument, NULL, 'f'},
                {"all", no_argument, NULL, 'a'},
                {NULL, 0, NULL, 0},
        };
        bool no_stream = false, no_trunc = false, all = false;
        const char *format = NULL;
        cleanup_strv char **refs = NULL;
        cleanup_free char *fmt = NULL;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+a", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                        no_stream = true;
                        break;
                case 't':
                        no_trunc = true;
                        break;
                case 'f':
                        format = optarg;
                        break;
                case 'a':
                        all = true;
                        break;
                default:
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        fmt = xstrdup(format && *format ? format : STATS_FORMAT);
        if (strcmp(fmt, "table") == 0) {
                free(fmt);
                fmt = xstrdup(STATS_FORMAT);
        }
        for (int i = optind; i < argc; i++)
                strv_push(&refs, argv[i]);
        for (;;) {
                cleanup_strv char **listed = NULL;
                cleanup_free char *out = NULL;
                bool named = refs != NULL, ok;

                if (!named && list_ids(host, all, &listed) < 0)
                        return 1;
                ok = render(host, named ? refs : listed, named, no_trunc, fmt, &out);
                if (!no_stream)
                        fputs("\033[2J\033[H", stdout);
                if (out)
                        fputs(out, stdout);
                fflush(stdout);
                if (!ok && (no_stream || named))
                        return 1;
                if (no_stream)
                        return 0;
        }
}

static int
cmd_update(const char *host, int argc, char **argv)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        const char *json;
        int first = 0, rc = 0;

        if (ctl_update_parse(argc, argv, &body, &first, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 125;
        }
        json = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
        for (int i = first; i < argc; i++) {
                cleanup_free char *esc = ctl_escape(argv[i]);
                cleanup_free char *path = xasprintf("/containers/%s/update", esc);
                struct ctl_reply r;
                if (ctl_request_json(host, "POST", path, json, &r) < 0)
                        return 1;
                if (r.status != 200) {
                        ctl_print_error(&r);
                        rc = 1;
                } else {
                        printf("%s\n", argv[i]);
                }
                ctl_reply_done(&r);
        }
        return rc;
}

int
ctl_stats_main(const char *host, int argc, char **argv)
{
        if (strcmp(argv[0], "update") == 0)
                return cmd_update(host, argc, argv);
        return cmd_stats(host, argc, argv);
}
