/* supervisor/ctl/volumes.c: berthctl volume create, ls, inspect, rm, prune: one request each
 * (per name for inspect and rm), printed as the docker CLI prints. */
#include <config.h>

#include "supervisor/ctl/volumes.h"

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

static const char *
str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);

        return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

static void
usage(FILE *out)
{
        fprintf(out,
                "Usage: berthctl volume COMMAND\n"
                "\n"
                "Manage volumes\n"
                "\n"
                "Commands:\n"
                "  create [--name NAME] [-d local] [-o K=V]... [--label K=V]... [NAME]\n"
                "                             Create a volume\n"
                "  ls [-q] [-f K=V]... [--format TEMPLATE]\n"
                "                             List volumes (filters: dangling, name, label, driver)\n"
                "  inspect [-f TEMPLATE] NAME...\n"
                "                             Display detailed information on volumes\n"
                "  rm [-f] NAME...            Remove volumes\n"
                "  prune [-f] [--filter K=V]...\n"
                "                             Remove all unused local volumes (filters: label, label!)\n");
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

/* K=V into OBJ; -1 with docker's message when there is no "=" (labels may have none). */
static int
add_kv(struct json_object *obj, const char *arg, bool need_eq)
{
        const char *eq = strchr(arg, '=');
        cleanup_free char *k = NULL;

        if (eq == NULL && need_eq) {
                fprintf(stderr, "invalid argument \"%s\": expected key=value\n", arg);
                return -1;
        }
        k = eq ? xstrndup(arg, (size_t) (eq - arg)) : xstrdup(arg);
        json_object_object_add(obj, k, json_object_new_string(eq ? eq + 1 : ""));
        return 0;
}

static int
cmd_create(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                             {"driver", required_argument, NULL, 'd'},
                                             {"opt", required_argument, NULL, 'o'},
                                             {"label", required_argument, NULL, 'l'},
                                             {NULL, 0, NULL, 0}};
        cleanup_json struct json_object *body = json_object_new_object(), *doc = NULL;
        cleanup_json struct json_object *o = json_object_new_object();
        cleanup_json struct json_object *l = json_object_new_object();
        cleanup_error berth_error_t *err = NULL;
        const char *name = NULL, *driver = "local";
        struct ctl_reply r;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "d:o:", opts, NULL)) != -1) {
                if (c == 'n')
                        name = optarg;
                else if (c == 'd')
                        driver = optarg;
                else if (c == 'o') {
                        if (add_kv(o, optarg, true) < 0)
                                return 125;
                } else if (c == 'l') {
                        if (add_kv(l, optarg, false) < 0)
                                return 125;
                } else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (argc - optind > 1) {
                fprintf(stderr, "\"volume create\" requires at most 1 argument.\n");
                return 125;
        }
        if (optind < argc) {
                if (name && strcmp(name, argv[optind]) != 0) {
                        fprintf(stderr,
                                "conflicting options: either specify --name or provide positional arg, not both\n");
                        return 125;
                }
                name = argv[optind];
        }
        json_object_object_add(body, "Name", json_object_new_string(name ? name : ""));
        json_object_object_add(body, "Driver", json_object_new_string(driver));
        if (json_object_object_length(o) > 0)
                json_object_object_add(body, "DriverOpts", json_object_get(o));
        if (json_object_object_length(l) > 0)
                json_object_object_add(body, "Labels", json_object_get(l));
        if (ctl_request_json(host, "POST", "/volumes/create",
                             json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), &r)
            < 0)
                return 1;
        if (r.status != 201) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return 1;
        }
        if (json_parse_buffer(r.body, r.len, &doc, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                ctl_reply_done(&r);
                return 1;
        }
        ctl_reply_done(&r);
        printf("%s\n", str(doc, "Name"));
        return 0;
}

static int
cmd_ls(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"quiet", no_argument, NULL, 'q'},
                                             {"filter", required_argument, NULL, 'f'},
                                             {"format", required_argument, NULL, 'F'},
                                             {NULL, 0, NULL, 0}};
        cleanup_strv char **filters = NULL;
        cleanup_free char *fq = NULL, *path = NULL, *text = NULL;
        cleanup_json struct json_object *doc = NULL, *rows = json_object_new_array();
        cleanup_json struct json_object *headers = json_object_new_object();
        cleanup_error berth_error_t *err = NULL;
        const char *format = NULL;
        struct json_object *vols;
        bool quiet = false;
        struct ctl_reply r;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "qf:", opts, NULL)) != -1) {
                if (c == 'q')
                        quiet = true;
                else if (c == 'f')
                        strv_push(&filters, optarg);
                else if (c == 'F')
                        format = optarg;
                else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (ctl_volumes_filters(filters, &fq) < 0)
                return 125;
        if (fq) {
                cleanup_free char *e = ctl_escape(fq);
                path = xasprintf("/volumes?filters=%s", e);
        } else {
                path = xstrdup("/volumes");
        }
        if (ctl_request(host, "GET", path, NULL, NULL, &r) < 0)
                return 1;
        if (r.status != 200) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return 1;
        }
        if (json_parse_buffer(r.body, r.len, &doc, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                ctl_reply_done(&r);
                return 1;
        }
        ctl_reply_done(&r);
        vols = json_key(doc, "Volumes");
        for (size_t i = 0; vols && i < json_object_array_length(vols); i++)
                json_object_array_add(rows, ctl_volumes_row(json_object_array_get_idx(vols, i)));
        if (quiet && format == NULL)
                format = "{{.Name}}";
        if (format == NULL)
                format = "table {{.Driver}}\t{{.Name}}";
        json_object_object_add(headers, "Driver", json_object_new_string("DRIVER"));
        json_object_object_add(headers, "Name", json_object_new_string("VOLUME NAME"));
        json_object_object_add(headers, "Scope", json_object_new_string("SCOPE"));
        json_object_object_add(headers, "Mountpoint", json_object_new_string("MOUNTPOINT"));
        json_object_object_add(headers, "Labels", json_object_new_string("LABELS"));
        json_object_object_add(headers, "Links", json_object_new_string("LINKS"));
        json_object_object_add(headers, "Size", json_object_new_string("SIZE"));
        if (ctl_template_list(format, headers, rows, &text, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 1;
        }
        fputs(text, stdout);
        return 0;
}

static int
cmd_inspect(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
                                             {NULL, 0, NULL, 0}};
        cleanup_json struct json_object *out = json_object_new_array();
        const char *format = NULL;
        int c, rc = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
                if (c == 'f')
                        format = optarg;
                else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "\"volume inspect\" requires at least 1 argument.\n");
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *e = ctl_escape(argv[i]);
                cleanup_free char *p = xasprintf("/volumes/%s", e);
                cleanup_error berth_error_t *err = NULL;
                struct json_object *o = NULL;
                struct ctl_reply r;
                if (ctl_request(host, "GET", p, NULL, NULL, &r) < 0)
                        return 1;
                if (r.status == 200)
                        (void) json_parse_buffer(r.body, r.len, &o, &err);
                ctl_reply_done(&r);
                if (o == NULL) {
                        fprintf(stderr, "Error: No such volume: %s\n", argv[i]);
                        rc = 1;
                        continue;
                }
                json_object_array_add(out, o);
        }
        return ctl_inspect_print(format, out, rc);
}

static int
cmd_rm(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
        bool force = false;
        int c, rc = 0;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
                if (c == 'f')
                        force = true;
                else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind >= argc) {
                fprintf(stderr, "\"volume rm\" requires at least 1 argument.\n");
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *e = ctl_escape(argv[i]);
                cleanup_free char *p = xasprintf("/volumes/%s%s", e, force ? "?force=1" : "");
                struct ctl_reply r;
                if (ctl_request(host, "DELETE", p, NULL, NULL, &r) < 0)
                        return 1;
                if (r.status / 100 != 2) {
                        ctl_print_error(&r);
                        rc = 1;
                } else {
                        printf("%s\n", argv[i]);
                }
                ctl_reply_done(&r);
        }
        return rc;
}

static int
cmd_prune(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"force", no_argument, NULL, 'f'},
                                             {"filter", required_argument, NULL, 'F'},
                                             {NULL, 0, NULL, 0}};
        cleanup_strv char **filters = NULL;
        cleanup_free char *fq = NULL, *path = NULL, *sz = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *del;
        bool force = false;
        struct ctl_reply r;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, "f", opts, NULL)) != -1) {
                if (c == 'f')
                        force = true;
                else if (c == 'F')
                        strv_push(&filters, optarg);
                else {
                        fprintf(stderr, "unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (ctl_volumes_filters(filters, &fq) < 0)
                return 125;
        if (!force) {
                char line[64] = "";
                printf("WARNING! This will remove all local volumes not used by at least one container.\n"
                       "Are you sure you want to continue? [y/N] ");
                fflush(stdout);
                if (fgets(line, sizeof(line), stdin) == NULL
                    || !(line[0] == 'y' || line[0] == 'Y')) {
                        printf("Total reclaimed space: 0B\n");
                        return 0;
                }
        }
        if (fq) {
                cleanup_free char *e = ctl_escape(fq);
                path = xasprintf("/volumes/prune?filters=%s", e);
        } else {
                path = xstrdup("/volumes/prune");
        }
        if (ctl_request(host, "POST", path, NULL, NULL, &r) < 0)
                return 1;
        if (r.status != 200) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return 1;
        }
        if (json_parse_buffer(r.body, r.len, &doc, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                ctl_reply_done(&r);
                return 1;
        }
        ctl_reply_done(&r);
        del = json_key(doc, "VolumesDeleted");
        if (del && json_object_array_length(del) > 0) {
                printf("Deleted Volumes:\n");
                for (size_t i = 0; i < json_object_array_length(del); i++)
                        printf("%s\n", json_object_get_string(json_object_array_get_idx(del, i)));
                printf("\n");
        }
        sz = human_size(json_object_get_int64(json_key(doc, "SpaceReclaimed")));
        printf("Total reclaimed space: %s\n", sz);
        return 0;
}

bool
ctl_volumes_known(const char *verb)
{
        return strcmp(verb, "volume") == 0;
}

int
ctl_volumes_main(const char *host, int argc, char **argv)
{
        if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
                usage(argc < 2 ? stderr : stdout);
                return argc < 2 ? 125 : 0;
        }
        argc--;
        argv++;
        if (strcmp(argv[0], "create") == 0)
                return cmd_create(host, argc, argv);
        if (strcmp(argv[0], "ls") == 0 || strcmp(argv[0], "list") == 0)
                return cmd_ls(host, argc, argv);
        if (strcmp(argv[0], "inspect") == 0)
                return cmd_inspect(host, argc, argv);
        if (strcmp(argv[0], "rm") == 0 || strcmp(argv[0], "remove") == 0)
                return cmd_rm(host, argc, argv);
        if (strcmp(argv[0], "prune") == 0)
                return cmd_prune(host, argc, argv);
        fprintf(stderr, "berthctl: unknown command \"volume %s\"\n", argv[0]);
        usage(stderr);
        return 125;
}
