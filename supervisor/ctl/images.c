/* supervisor/ctl/images.c: berthctl images, load, save, tag, rmi, history and image inspect,
 * each one request (or one per name) to berthd, printed as docker 20.10 prints it. */
#include <config.h>

#include "supervisor/ctl/images.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/images_format.h"
#include "supervisor/ctl/import.h"
#include "supervisor/ctl/login.h"
#include "supervisor/ctl/progress.h"
#include "supervisor/ctl/template.h"

static const char *
str(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || v == NULL)
                return "";
        return json_object_get_string(v);
}

static int64_t
num(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || v == NULL)
                return 0;
        return json_object_get_int64(v);
}

/* docker's units.HumanSize: decimal, 4 significant digits at most ("1.98MB"). */
static char *
human_size(int64_t n)
{
        const char *units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
        double d = (double) n;
        size_t u = 0;

        while (d >= 1000 && u < 5) {
                d /= 1000;
                u++;
        }
        return xasprintf("%.3g%s", d, units[u]);
}

/* docker's HumanDuration + " ago". */
static char *
ago(int64_t created)
{
        int64_t s = (int64_t) time(NULL) - created;

        if (created <= 0)
                return xstrdup("N/A");
        if (s < 60)
                return xasprintf("%lld seconds ago", (long long) (s < 1 ? 1 : s));
        if (s < 3600)
                return xasprintf("%lld minutes ago", (long long) (s / 60));
        if (s < 48 * 3600)
                return xasprintf("%lld hours ago", (long long) (s / 3600));
        if (s < 14 * 86400)
                return xasprintf("%lld days ago", (long long) (s / 86400));
        if (s < 60 * 86400)
                return xasprintf("%lld weeks ago", (long long) (s / (7 * 86400)));
        if (s < 2 * 365 * 86400)
                return xasprintf("%lld months ago", (long long) (s / (30 * 86400)));
        return xasprintf("%lld years ago", (long long) (s / (365 * 86400)));
}

static const char *
short_id(const char *id)
{
        static __thread char buf[13];
        const char *hex = strchr(id, ':') ? strchr(id, ':') + 1 : id;
        snprintf(buf, sizeof(buf), "%s", hex);
        return buf;
}

static int
cmd_images(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"digests", no_argument, NULL, 'D'},
                                             {"format", required_argument, NULL, 'F'},
                                             {NULL, 0, NULL, 0}};
        cleanup_json struct json_object *list = NULL;
        cleanup_free char *path = NULL;
        cleanup_strv char **seen = NULL;
        bool all = false, quiet = false, digests = false;
        const char *format = NULL;
        int c;

        optind = 0;
        while ((c = getopt_long(argc, argv, "aq", opts, NULL)) != -1) {
                if (c == 'a')
                        all = true;
                else if (c == 'q')
                        quiet = true;
                else if (c == 'D')
                        digests = true;
                else if (c == 'F')
                        format = optarg;
                else
                        return 125;
        }
        if (optind < argc) {
                cleanup_free char *f = xasprintf("{\"reference\":{\"%s\":true}}", argv[optind]);
                cleanup_free char *e = ctl_escape(f);
                path = xasprintf("/images/json?all=%d&filters=%s", all, e);
        } else {
                path = xasprintf("/images/json?all=%d", all);
        }
        list = ctl_get_json(host, path);
        if (list == NULL)
                return 1;
        if (format && !quiet)
                return ctl_images_print_format(list, format, (long long) time(NULL));
        if (!quiet)
                printf(digests ? "%-20s %-10s %-20s %-15s %-15s %s\n"
                               : "%-20s %-10s %-15s %-15s %s\n",
                       "REPOSITORY", "TAG", digests ? "DIGEST" : "IMAGE ID",
                       digests ? "IMAGE ID" : "CREATED", digests ? "CREATED" : "SIZE",
                       digests ? "SIZE" : "");
        for (size_t i = 0; i < json_object_array_length(list); i++) {
                struct json_object *img = json_object_array_get_idx(list, i), *tags = NULL;
                cleanup_free char *created = ago(num(img, "Created"));
                cleanup_free char *size = human_size(num(img, "Size"));
                const char *id = short_id(str(img, "Id"));
                bool dup = false;

                if (quiet) {
                        strv_foreach(s, seen)
                                dup = dup || strcmp(s, id) == 0;
                        if (!dup)
                                printf("%s\n", id);
                        strv_push(&seen, id);
                        continue;
                }
                json_object_object_get_ex(img, "RepoTags", &tags);
                for (size_t j = 0; tags && j < json_object_array_length(tags); j++) {
                        cleanup_free char *t =
                                xstrdup(json_object_get_string(json_object_array_get_idx(tags, j)));
                        char *colon = strrchr(t, ':');
                        const char *tag = "<none>";
                        if (colon && !strchr(colon, '/')) {
                                *colon = '\0';
                                tag = colon + 1;
                        }
                        if (digests)
                                printf("%-20s %-10s %-20s %-15s %-15s %s\n", t, tag, "<none>", id,
                                       created, size);
                        else
                                printf("%-20s %-10s %-15s %-15s %s\n", t, tag, id, created, size);
                }
        }
        return 0;
}

/* Print a JSON-lines progress stream as docker does; 1 when it carried an error. */
static int
print_stream(const char *body, size_t len, bool quiet)
{
        int failed = 0;
        const char *p = body, *end = body + len;

        (void) quiet;
        while (p && p < end) {
                const char *nl = memchr(p, '\n', (size_t) (end - p));
                size_t n = nl ? (size_t) (nl - p) : (size_t) (end - p);
                cleanup_json struct json_object *o = NULL;
                berth_error_t *err = NULL;
                if (n > 0 && json_parse_buffer(p, n, &o, &err) == 0) {
                        struct json_object *v = NULL;
                        if (json_object_object_get_ex(o, "error", &v) && v) {
                                fprintf(stderr, "%s\n", json_object_get_string(v));
                                failed = 1;
                        } else if (json_object_object_get_ex(o, "stream", &v) && v) {
                                fputs(json_object_get_string(v), stdout);
                        } else if (json_object_object_get_ex(o, "status", &v) && v) {
                                struct json_object *id = NULL;
                                if (json_object_object_get_ex(o, "id", &id) && id)
                                        printf("%s: ", json_object_get_string(id));
                                printf("%s\n", json_object_get_string(v));
                        }
                }
                berth_error_free(err);
                p = nl ? nl + 1 : NULL;
        }
        return failed;
}

static int
cmd_load(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"input", required_argument, NULL, 'i'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {NULL, 0, NULL, 0}};
        cleanup_fclose FILE *in = NULL;
        struct ctl_reply r;
        const char *file = NULL;
        bool quiet = false;
        int c, rc;

        optind = 0;
        while ((c = getopt_long(argc, argv, "i:q", opts, NULL)) != -1) {
                if (c == 'i')
                        file = optarg;
                else if (c == 'q')
                        quiet = true;
                else
                        return 125;
        }
        if (file) {
                in = fopen(file, "rbe");
                if (in == NULL) {
                        fprintf(stderr, "open %s: %m\n", file);
                        return 1;
                }
        } else if (isatty(STDIN_FILENO)) {
                fprintf(stderr, "requested load from stdin, but stdin is empty\n");
                return 1;
        }
        if (ctl_request(host, "POST", quiet ? "/images/load?quiet=1" : "/images/load?quiet=0",
                        in ? in : stdin, NULL, &r)
            < 0)
                return 1;
        rc = r.status == 200 ? print_stream(r.body, r.len, quiet) : ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}

/* berthctl pull [--platform P] NAME[:TAG|@DIGEST]: POST /images/create, progress shown as
 * it arrives, as docker does. */
static int
cmd_pull(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"platform", required_argument, NULL, 'p'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *from = NULL, *path = NULL, *auth = NULL;
        char *hdrs[2] = {NULL, NULL};
        struct ctl_progress *prog = NULL;
        const char *platform = NULL;
        struct ctl_reply r;
        int c, rc;

        optind = 0;
        while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                if (c == 'p')
                        platform = optarg;
                else
                        return 125;
        }
        if (argc - optind != 1) {
                fprintf(stderr, "\"berthctl pull\" requires exactly 1 argument\n");
                return 125;
        }
        from = ctl_escape(argv[optind]);
        path = xasprintf("/images/create?fromImage=%s", from);
        if (platform) {
                cleanup_free char *e = ctl_escape(platform), *old = path;
                path = xasprintf("%s&platform=%s", old, e);
        }
        auth = ctl_registry_auth_header(argv[optind]);
        if (auth)
                hdrs[0] = auth;
        prog = ctl_progress_new(stdout, stderr, isatty(STDOUT_FILENO));
        if (ctl_request_stream(host, "POST", path, auth ? hdrs : NULL, ctl_progress_feed_cb, prog,
                               &r)
            < 0) {
                ctl_progress_finish(prog);
                return 1;
        }
        rc = ctl_progress_finish(prog);
        if (r.status != 200)
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}

static int
cmd_save(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"output", required_argument, NULL, 'o'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *path = xstrdup("/images/get?");
        cleanup_fclose FILE *out = NULL;
        struct ctl_reply r;
        const char *file = NULL;
        int c, rc = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, "o:", opts, NULL)) != -1) {
                if (c == 'o')
                        file = optarg;
                else
                        return 125;
        }
        if (optind >= argc) {
                fprintf(stderr, "\"save\" requires at least 1 argument.\n");
                return 1;
        }
        if (file == NULL && isatty(STDOUT_FILENO)) {
                fprintf(stderr,
                        "cowardly refusing to save to a terminal. Use the -o flag or redirect\n");
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *e = ctl_escape(argv[i]);
                cleanup_free char *old = path;
                path = xasprintf("%s%snames=%s", old, i > optind ? "&" : "", e);
        }
        if (file) {
                out = fopen(file, "wbe");
                if (out == NULL) {
                        fprintf(stderr, "open %s: %m\n", file);
                        return 1;
                }
        }
        if (ctl_request(host, "GET", path, NULL, out ? out : stdout, &r) < 0)
                rc = 1;
        else if (r.status != 200)
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        if (rc != 0 && file)
                unlink(file);
        return rc;
}

static int
cmd_tag(const char *host, int argc, char **argv)
{
        cleanup_free char *repo = NULL, *erepo = NULL, *etag = NULL, *path = NULL;
        struct ctl_reply r;
        char *colon;
        const char *tag = "";
        int rc;

        if (argc != 3) {
                fprintf(stderr, "\"tag\" requires exactly 2 arguments.\n");
                return 1;
        }
        repo = xstrdup(argv[2]);
        colon = strrchr(repo, ':');
        if (colon && !strchr(colon, '/')) {
                *colon = '\0';
                tag = colon + 1;
        }
        erepo = ctl_escape(repo);
        etag = ctl_escape(tag);
        path = xasprintf("/images/%s/tag?repo=%s&tag=%s", argv[1], erepo, etag);
        if (ctl_request(host, "POST", path, NULL, NULL, &r) < 0)
                return 1;
        rc = r.status == 201 ? 0 : ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}

static int
cmd_rmi(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                             {"no-prune", no_argument, NULL, 'n'},
                                             {NULL, 0, NULL, 0}};
        bool force = false, noprune = false;
        int c, rc = 0;

        optind = 0;
        while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
                if (c == 'f')
                        force = true;
                else if (c == 'n')
                        noprune = true;
                else
                        return 125;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *path =
                        xasprintf("/images/%s?force=%d&noprune=%d", argv[i], force, noprune);
                cleanup_json struct json_object *doc = NULL;
                berth_error_t *err = NULL;
                struct ctl_reply r;
                if (ctl_request(host, "DELETE", path, NULL, NULL, &r) < 0)
                        return 1;
                if (r.status != 200) {
                        rc = ctl_print_error(&r);
                } else if (json_parse_buffer(r.body, r.len, &doc, &err) == 0) {
                        for (size_t j = 0; j < json_object_array_length(doc); j++) {
                                json_object_object_foreach(json_object_array_get_idx(doc, j), k, v)
                                        printf("%s: %s\n", k, json_object_get_string(v));
                        }
                }
                berth_error_free(err);
                ctl_reply_done(&r);
        }
        return rc;
}

static int
cmd_inspect(const char *host, int argc, char **argv)
{
        cleanup_json struct json_object *out = json_object_new_array();
        int rc = 0;

        if (argc < 2) {
                fprintf(stderr, "\"image inspect\" requires at least 1 argument.\n");
                return 1;
        }
        for (int i = 1; i < argc; i++) {
                cleanup_free char *path = xasprintf("/images/%s/json", argv[i]);
                struct json_object *o = ctl_get_json(host, path);
                if (o == NULL) {
                        rc = 1;
                        continue;
                }
                json_object_array_add(out, o);
        }
        return ctl_inspect_print(NULL, out, rc);
}

static int
cmd_history(const char *host, int argc, char **argv)
{
        cleanup_json struct json_object *h = NULL;
        cleanup_free char *path = NULL;

        if (argc != 2) {
                fprintf(stderr, "\"history\" requires exactly 1 argument.\n");
                return 1;
        }
        path = xasprintf("/images/%s/history", argv[1]);
        h = ctl_get_json(host, path);
        if (h == NULL)
                return 1;
        printf("%-15s %-15s %-30s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT");
        for (size_t i = 0; i < json_object_array_length(h); i++) {
                struct json_object *e = json_object_array_get_idx(h, i);
                cleanup_free char *created = ago(num(e, "Created"));
                cleanup_free char *size = human_size(num(e, "Size"));
                const char *id = str(e, "Id");
                printf("%-15s %-15s %-30.30s %-10s %s\n",
                       strcmp(id, "<missing>") == 0 ? id : short_id(id), created,
                       str(e, "CreatedBy"), size, str(e, "Comment"));
        }
        return 0;
}

bool
ctl_images_known(const char *verb)
{
        static const char *const verbs[] = {"images",  "load",  "save", "tag",   "rmi",
                                            "history", "image", "pull", "import"};
        for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
                if (strcmp(verb, verbs[i]) == 0)
                        return true;
        return false;
}

int
ctl_images_main(const char *host, int argc, char **argv)
{
        if (strcmp(argv[0], "images") == 0)
                return cmd_images(host, argc, argv);
        if (strcmp(argv[0], "load") == 0)
                return cmd_load(host, argc, argv);
        if (strcmp(argv[0], "save") == 0)
                return cmd_save(host, argc, argv);
        if (strcmp(argv[0], "pull") == 0)
                return cmd_pull(host, argc, argv);
        if (strcmp(argv[0], "tag") == 0)
                return cmd_tag(host, argc, argv);
        if (strcmp(argv[0], "import") == 0)
                return ctl_import_main(host, argc, argv);
        if (strcmp(argv[0], "rmi") == 0)
                return cmd_rmi(host, argc, argv);
        if (strcmp(argv[0], "history") == 0)
                return cmd_history(host, argc, argv);
        if (argc >= 2 && strcmp(argv[1], "inspect") == 0)
                return cmd_inspect(host, argc - 1, argv + 1);
        if (argc >= 2 && strcmp(argv[1], "ls") == 0)
                return cmd_images(host, argc - 1, argv + 1);
        fprintf(stderr, "berthctl: unknown command \"image %s\"\n", argc >= 2 ? argv[1] : "");
        return 125;
}
