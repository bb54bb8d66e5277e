/* supervisor/ctl/containers.c: berthctl create, ps, inspect, rm, rename, container prune: one
 * request each (per name for rm and inspect), printed as docker 20.10's CLI prints. */
#include <config.h>

#include "supervisor/ctl/containers.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
#include "supervisor/ctl/create_flags.h"
#include "supervisor/ctl/images.h"
#include "supervisor/ctl/template.h"

extern char **environ;

static const char *
str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);
        return v ? json_object_get_string(v) : "";
}

/* docker's units.HumanDuration. */
static char *
human_duration(long long s)
{
        if (s < 1)
                return xstrdup("Less than a second");
        if (s == 1)
                return xstrdup("1 second");
        if (s < 60)
                return xasprintf("%lld seconds", s);
        if (s / 60 == 1)
                return xstrdup("About a minute");
        if (s < 3600)
                return xasprintf("%lld minutes", s / 60);
        if ((s + 1800) / 3600 == 1)
                return xstrdup("About an hour");
        if (s < 48 * 3600)
                return xasprintf("%lld hours", (s + 1800) / 3600);
        if (s < 14 * 86400)
                return xasprintf("%lld days", s / 86400);
        if (s < 90 * 86400)
                return xasprintf("%lld weeks", s / (7 * 86400));
        if (s < 730 * 86400)
                return xasprintf("%lld months", s / (30 * 86400));
        return xasprintf("%lld years", s / (365 * 86400));
}

/* docker's units.HumanSize ("1.2MB", 3 significant digits, decimal). */
static char *
human_size(long long n)
{
        const char *units[] = {"B", "kB", "MB", "GB", "TB"};
        double d = (double) n;
        size_t u = 0;

        while (d >= 1000 && u < 4) {
                d /= 1000;
                u++;
        }
        return xasprintf("%.3g%s", d, units[u]);
}

/* Go's strconv.Quote for the printable ASCII docker's commands are made of. */
static char *
go_quote(const char *s)
{
        size_t n = strlen(s);
        char *out = xmalloc(2 * n + 3), *p = out;

        *p++ = '"';
        for (; *s; s++) {
                if (*s == '"' || *s == '\\')
                        *p++ = '\\';
                *p++ = *s;
        }
        *p++ = '"';
        *p = '\0';
        return out;
}

/* docker's Ellipsis: at most MAX characters, the last one "…" when cut. */
static char *
ellipsis(const char *s, size_t max)
{
        size_t n = 0, bytes = 0;
        const char *p = s;

        while (*p) {
                size_t len = 1;
                while ((p[len] & 0xc0) == 0x80)
                        len++;
                if (n == max - 1 && p[len] != '\0') {
                        bytes = (size_t) (p - s);
                        return xasprintf("%.*s…", (int) bytes, s);
                }
                p += len;
                n++;
        }
        return xstrdup(s);
}

struct json_object *
ctl_ps_row(struct json_object *c, bool trunc, long long now)
{
        struct json_object *row = json_object_new_object(), *names = json_key(c, "Names");
        struct json_object *labels = json_key(c, "Labels");
        const char *id = str(c, "Id");
        cleanup_free char *cmd =
                trunc ? ellipsis(str(c, "Command"), 20) : xstrdup(str(c, "Command"));
        cleanup_free char *q = go_quote(cmd);
        long long created = json_object_get_int64(json_key(c, "Created"));
        cleanup_free char *ago = human_duration(now - created);
        cleanup_free char *running_for = xasprintf("%s ago", ago);
        char created_at[64];
        struct tm tm;
        time_t t = (time_t) created;
        cleanup_strv char **nv = NULL, **lv = NULL;
        cleanup_free char *nj = NULL, *lj = NULL;

        gmtime_r(&t, &tm);
        strftime(created_at, sizeof(created_at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
        for (size_t i = 0; names && i < json_object_array_length(names); i++) {
                const char *n = json_object_get_string(json_object_array_get_idx(names, i));
                strv_push(&nv, n[0] == '/' ? n + 1 : n);
        }
        nj = nv ? strv_join(nv, ",") : xstrdup("");
        if (labels && json_object_is_type(labels, json_type_object)) {
                json_object_object_foreach(labels, k, v) {
                        cleanup_free char *kv =
                                xasprintf("%s=%s", k, v ? json_object_get_string(v) : "");
                        strv_push(&lv, kv);
                }
        }
        lj = lv ? strv_join(lv, ",") : xstrdup("");
        {
                cleanup_free char *sid = trunc ? xstrndup(id, 12) : xstrdup(id);
                json_object_object_add(row, "ID", json_object_new_string(sid));
        }
        {
                /* An image shown by ID (its name is gone): docker truncates it as an ID. */
                const char *img = str(c, "Image");
                cleanup_free char *short_img =
                        strncmp(img, "sha256:", 7) == 0
                                ? (trunc ? xstrndup(img + 7, 12) : xstrdup(img))
                                : xstrdup(img);
                json_object_object_add(row, "Image", json_object_new_string(short_img));
        }
        json_object_object_add(row, "Command", json_object_new_string(q));
        json_object_object_add(row, "CreatedAt", json_object_new_string(created_at));
        json_object_object_add(row, "RunningFor", json_object_new_string(running_for));
        json_object_object_add(row, "Ports", json_object_new_string(""));
        json_object_object_add(row, "Status", json_object_new_string(str(c, "Status")));
        if (json_key(c, "SizeRw")) {
                cleanup_free char *rw = human_size(json_object_get_int64(json_key(c, "SizeRw")));
                cleanup_free char *root =
                        human_size(json_object_get_int64(json_key(c, "SizeRootFs")));
                cleanup_free char *sz = xasprintf("%s (virtual %s)", rw, root);
                json_object_object_add(row, "Size", json_object_new_string(sz));
        } else {
                json_object_object_add(row, "Size", json_object_new_string("0B"));
        }
        json_object_object_add(row, "Names", json_object_new_string(nj));
        json_object_object_add(row, "Labels", json_object_new_string(lj));
        json_object_object_add(row, "Mounts", json_object_new_string(""));
        json_object_object_add(row, "Networks", json_object_new_string(""));
        json_object_object_add(row, "State", json_object_new_string(str(c, "State")));
        json_object_object_add(row, "LocalVolumes", json_object_new_string("0"));
        return row;
}

static struct json_object *
ps_headers(void)
{
        struct json_object *h = json_object_new_object();
        static const char *const kv[][2] = {
                {"ID", "CONTAINER ID"},    {"Image", "IMAGE"},
                {"Command", "COMMAND"},    {"CreatedAt", "CREATED AT"},
                {"RunningFor", "CREATED"}, {"Ports", "PORTS"},
                {"Status", "STATUS"},      {"Size", "SIZE"},
                {"Names", "NAMES"},        {"Labels", "LABELS"},
                {"Mounts", "MOUNTS"},      {"Networks", "NETWORKS"},
                {"State", "STATE"},        {"LocalVolumes", "LOCAL VOLUMES"},
        };
        for (size_t i = 0; i < sizeof(kv) / sizeof(kv[0]); i++)
                json_object_object_add(h, kv[i][0], json_object_new_string(kv[i][1]));
        return h;
}

/* --filter KEY=VALUE, repeated, into the API's {"KEY":{"VALUE":true}}. */
static int
add_filter(struct json_object *filters, const char *kv)
{
        const char *eq = strchr(kv, '=');
        cleanup_free char *k = NULL;
        struct json_object *m = NULL;

        if (eq == NULL || eq == kv) {
                fprintf(stderr,
                        "invalid argument \"%s\" for \"-f, --filter\" flag: bad format of filter (expected name=value)\n",
                        kv);
                return -1;
        }
        k = xstrndup(kv, (size_t) (eq - kv));
        if (!json_object_object_get_ex(filters, k, &m)) {
                m = json_object_new_object();
                json_object_object_add(filters, k, m);
        }
        json_object_object_add(m, eq + 1, json_object_new_boolean(true));
        return 0;
}

static int
cmd_ps(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"all", no_argument, NULL, 'a'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"last", required_argument, NULL, 'n'},
                                             {"latest", no_argument, NULL, 'l'},
                                             {"size", no_argument, NULL, 's'},
                                             {"filter", required_argument, NULL, 'f'},
                                             {"format", required_argument, NULL, 'F'},
                                             {"no-trunc", no_argument, NULL, 'T'},
                                             {NULL, 0, NULL, 0}};
        cleanup_json struct json_object *filters = json_object_new_object();
        cleanup_json struct json_object *list = NULL, *rows = json_object_new_array();
        cleanup_json struct json_object *headers = ps_headers();
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *path = NULL, *fq = NULL, *out = NULL, *fmt = NULL;
        bool all = false, quiet = false, size = false, trunc = true;
        long limit = -1;
        const char *format = NULL;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "aqn:lsf:", opts, NULL)) != -1) {
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'n':
                        limit = strtol(optarg, NULL, 10);
                        break;
                case 'l':
                        limit = 1;
                        break;
                case 's':
                        size = true;
                        break;
                case 'f':
                        if (add_filter(filters, optarg) < 0)
                                return 125;
                        break;
                case 'F':
                        format = optarg;
                        break;
                case 'T':
                        trunc = false;
                        break;
                default:
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        fq = ctl_escape(json_object_to_json_string_ext(filters, JSON_C_TO_STRING_PLAIN));
        path = xasprintf("/containers/json?all=%d&size=%d&filters=%s%s%ld", all, size, fq,
                         limit > 0 ? "&limit=" : "", limit > 0 ? limit : 0L);
        if (limit <= 0)
                path[strlen(path) - 1] = '\0'; /* drop the "0" */
        list = ctl_get_json(host, path);
        if (list == NULL)
                return 1;
        for (size_t i = 0; i < json_object_array_length(list); i++)
                json_object_array_add(rows, ctl_ps_row(json_object_array_get_idx(list, i), trunc,
                                                       (long long) time(NULL)));
        if (quiet)
                fmt = xstrdup("{{.ID}}");
        else if (format)
                fmt = xstrdup(format);
        else
                fmt = xasprintf(
                        "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}%s",
                        size ? "\t{{.Size}}" : "");
        if (ctl_template_list(fmt, headers, rows, &out, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 1;
        }
        fputs(out, stdout);
        return 0;
}

static int
pull_image(const char *host, const char *image)
{
        char *args[] = {(char *) "pull", (char *) image, NULL};
        return ctl_images_main(host, 2, args);
}

int
ctl_container_create(const char *host, int argc, char **argv, char **ret_id, bool *ret_detach,
                     bool *ret_tty)
{
        cleanup_error berth_error_t *err = NULL;
        struct ctl_create c = {0};
        cleanup_free char *path = NULL;
        cleanup_json struct json_object *reply = NULL;
        struct ctl_reply r;
        const char *body;
        int rc = 0;

        if (ctl_create_parse(argc, argv, environ, &c, &err) < 0) {
                fprintf(stderr, "berthctl: %s\n", err->msg);
                return 125;
        }
        if (c.cidfile && access(c.cidfile, F_OK) == 0) {
                fprintf(stderr,
                        "Container ID file found, make sure the other container isn't running or delete %s\n",
                        c.cidfile);
                ctl_create_done(&c);
                return 125;
        }
        if (c.name) {
                cleanup_free char *e = ctl_escape(c.name);
                path = xasprintf("/containers/create?name=%s", e);
        } else {
                path = xstrdup("/containers/create");
        }
        body = json_object_to_json_string_ext(c.body, JSON_C_TO_STRING_PLAIN);
        for (int attempt = 0; attempt < 2; attempt++) {
                if (ctl_request_json(host, "POST", path, body, &r) < 0) {
                        ctl_create_done(&c);
                        return 1;
                }
                if (r.status == 404 && attempt == 0 && r.body && strstr(r.body, "No such image")) {
                        const char *img = str(c.body, "Image");
                        /* As the docker CLI: pull, then create again. */
                        fprintf(stderr, "Unable to find image '%s' locally\n", img);
                        ctl_reply_done(&r);
                        if (pull_image(host, img) != 0) {
                                ctl_create_done(&c);
                                return 125;
                        }
                        continue;
                }
                break;
        }
        if (r.status != 201) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                ctl_create_done(&c);
                return 125;
        }
        if (json_parse_buffer(r.body, r.len, &reply, &err) == 0) {
                const char *id = str(reply, "Id");
                if (ret_id) {
                        *ret_id = xstrdup(id);
                        if (ret_detach)
                                *ret_detach = c.detach;
                        if (ret_tty)
                                *ret_tty = json_object_get_boolean(json_key(c.body, "Tty"));
                } else {
                        printf("%s\n", id);
                }
                if (c.cidfile) {
                        FILE *f = fopen(c.cidfile, "wx");
                        if (f == NULL || fputs(id, f) < 0) {
                                fprintf(stderr,
                                        "failed to write the container ID to the file: %s\n",
                                        strerror(errno));
                                rc = 125;
                        }
                        if (f)
                                fclose(f);
                }
        }
        ctl_reply_done(&r);
        ctl_create_done(&c);
        return rc;
}

static int
simple(const char *host, const char *method, const char *path, const char *print)
{
        struct ctl_reply r;
        int rc = 0;

        if (ctl_request(host, method, path, NULL, NULL, &r) < 0)
                return 1;
        if (r.status >= 300)
                rc = ctl_print_error(&r);
        else if (print)
                printf("%s\n", print);
        ctl_reply_done(&r);
        return rc;
}

static int
cmd_rm(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                             {"volumes", no_argument, NULL, 'v'},
                                             {"link", no_argument, NULL, 'l'},
                                             {NULL, 0, NULL, 0}};
        bool force = false, vol = false;
        int c, rc = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "fvl", opts, NULL)) != -1) {
                if (c == 'f')
                        force = true;
                else if (c == 'v')
                        vol = true;
                else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "\"rm\" requires at least 1 argument.\n");
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *e = ctl_escape(argv[i]);
                cleanup_free char *path = xasprintf("/containers/%s?force=%d&v=%d", e, force, vol);
                if (simple(host, "DELETE", path, argv[i]) != 0)
                        rc = 1;
        }
        return rc;
}

static int
cmd_rename(const char *host, int argc, char **argv)
{
        cleanup_free char *e = NULL, *n = NULL, *path = NULL;

        if (argc != 3) {
                fprintf(stderr, "\"rename\" requires exactly 2 arguments.\n");
                return 1;
        }
        e = ctl_escape(argv[1]);
        n = ctl_escape(argv[2]);
        path = xasprintf("/containers/%s/rename?name=%s", e, n);
        return simple(host, "POST", path, NULL);
}

static int
cmd_prune(const char *host, int argc, char **argv)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *del;
        struct ctl_reply r;
        cleanup_free char *sz = NULL;

        (void) argc;
        (void) argv; /* -f: berthctl never prompts */
        if (ctl_request(host, "POST", "/containers/prune", NULL, NULL, &r) < 0)
                return 1;
        if (r.status != 200) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return 1;
        }
        if (json_parse_buffer(r.body, r.len, &doc, &err) < 0) {
                ctl_reply_done(&r);
                return 1;
        }
        ctl_reply_done(&r);
        del = json_key(doc, "ContainersDeleted");
        if (del && json_object_array_length(del) > 0) {
                printf("Deleted Containers:\n");
                for (size_t i = 0; i < json_object_array_length(del); i++)
                        printf("%s\n", json_object_get_string(json_object_array_get_idx(del, i)));
                printf("\n");
        }
        sz = human_size(json_object_get_int64(json_key(doc, "SpaceReclaimed")));
        printf("Total reclaimed space: %s\n", sz);
        return 0;
}

/* docker inspect: a container, else an image, for each name; -f renders each with a template. */
static int
cmd_inspect(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                             {"type", required_argument, NULL, 't'},
                                             {"size", no_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
        cleanup_json struct json_object *out = json_object_new_array();
        const char *format = NULL, *type = NULL;
        bool size = false;
        int c, rc = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f:s", opts, NULL)) != -1) {
                if (c == 'f')
                        format = optarg;
                else if (c == 't')
                        type = optarg;
                else if (c == 's')
                        size = true;
                else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "\"inspect\" requires at least 1 argument.\n");
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *e = ctl_escape(argv[i]);
                struct json_object *o = NULL;
                struct ctl_reply r;
                cleanup_error berth_error_t *err = NULL;
                if (type == NULL || strcmp(type, "container") == 0) {
                        cleanup_free char *p = xasprintf("/containers/%s/json?size=%d", e, size);
                        if (ctl_request(host, "GET", p, NULL, NULL, &r) < 0)
                                return 1;
                        if (r.status == 200)
                                json_parse_buffer(r.body, r.len, &o, &err);
                        ctl_reply_done(&r);
                }
                if (o == NULL && (type == NULL || strcmp(type, "image") == 0)) {
                        cleanup_free char *p = xasprintf("/images/%s/json", argv[i]);
                        if (ctl_request(host, "GET", p, NULL, NULL, &r) < 0)
                                return 1;
                        if (r.status == 200)
                                json_parse_buffer(r.body, r.len, &o, &err);
                        ctl_reply_done(&r);
                }
                if (o == NULL) {
                        fprintf(stderr, "Error: No such object: %s\n", argv[i]);
                        rc = 1;
                        continue;
                }
                json_object_array_add(out, o);
        }
        return ctl_inspect_print(format, out, rc);
}

bool
ctl_containers_known(const char *verb)
{
        static const char *const verbs[] = {"create", "ps",        "inspect", "rm",
                                            "rename", "container", NULL};
        for (size_t i = 0; verbs[i]; i++)
                if (strcmp(verbs[i], verb) == 0)
                        return true;
        return false;
}

int
ctl_containers_main(const char *host, int argc, char **argv)
{
        if (strcmp(argv[0], "container") == 0) {
                if (argc < 2) {
                        fprintf(stderr, "\"container\" requires a subcommand\n");
                        return 125;
                }
                argc--;
                argv++;
                if (strcmp(argv[0], "ls") == 0 || strcmp(argv[0], "list") == 0)
                        return cmd_ps(host, argc, argv);
                if (strcmp(argv[0], "prune") == 0)
                        return cmd_prune(host, argc, argv);
        }
        if (strcmp(argv[0], "create") == 0)
                return ctl_container_create(host, argc, argv, NULL, NULL, NULL);
        if (strcmp(argv[0], "ps") == 0)
                return cmd_ps(host, argc, argv);
        if (strcmp(argv[0], "inspect") == 0)
                return cmd_inspect(host, argc, argv);
        if (strcmp(argv[0], "rm") == 0)
                return cmd_rm(host, argc, argv);
        if (strcmp(argv[0], "rename") == 0)
                return cmd_rename(host, argc, argv);
        fprintf(stderr, "berthctl: unknown command \"container %s\"\n", argv[0]);
        return 125;
}
