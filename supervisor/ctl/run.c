/* supervisor/ctl/run.c: berthctl run, start, stop, kill, wait, restart, pause, unpause, top and
 * logs, as the docker CLI does them (run without -d attaches, starts, waits and exits with the
 * container's status: attach.c). */
#include <config.h>

#include "supervisor/ctl/run.h"
#include "supervisor/ctl/attach.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"
#include "supervisor/ctl/containers.h"
#include "supervisor/ctl/create_flags.h"
#include "supervisor/logger/jsonfile.h"

static int
post(const char *host, const char *path, bool quiet_304)
{
        struct ctl_reply r;
        int rc = 0;

        if (ctl_request(host, "POST", path, NULL, NULL, &r) < 0)
                return 1;
        if (r.status >= 300 && !(quiet_304 && r.status == 304))
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}

/* VERB [-t N | -s SIG] NAME...: POST /containers/NAME/ACTION for each, printing NAME. */
static int
each(const char *host, int argc, char **argv, const char *action)
{
        static const struct option opts[] = {{"time", required_argument, NULL, 't'},
                                             {"signal", required_argument, NULL, 's'},
                                             {NULL, 0, NULL, 0}};
        const char *t = NULL, *sig = NULL;
        int c, rc = 0;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+t:s:", opts, NULL)) != -1) {
                if (c == 't')
                        t = optarg;
                else if (c == 's')
                        sig = optarg;
                else
                        return 125;
        }
        if (optind >= argc) {
                fprintf(stderr, "\"%s\" requires at least 1 argument.\n", argv[0]);
                return 1;
        }
        for (int i = optind; i < argc; i++) {
                cleanup_free char *e = ctl_escape(argv[i]);
                cleanup_free char *path = NULL;
                if (t)
                        path = xasprintf("/containers/%s/%s?t=%s", e, action, t);
                else if (sig)
                        path = xasprintf("/containers/%s/%s?signal=%s", e, action, sig);
                else
                        path = xasprintf("/containers/%s/%s", e, action);
                if (post(host, path, true) != 0)
                        rc = 1;
                else
                        printf("%s\n", argv[i]);
        }
        return rc;
}

static int
wait_one(const char *host, const char *name, const char *cond, int *ret_code)
{
        cleanup_free char *e = ctl_escape(name);
        cleanup_free char *path = xasprintf("/containers/%s/wait%s%s", e,
                                            cond ? "?condition=" : "", cond ? cond : "");
        cleanup_json struct json_object *o = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct ctl_reply r;
        struct json_object *v;

        if (ctl_request(host, "POST", path, NULL, NULL, &r) < 0)
                return 1;
        if (r.status >= 300) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return 1;
        }
        if (json_parse_buffer(r.body, r.len, &o, &err) < 0
            || !json_object_object_get_ex(o, "StatusCode", &v)) {
                fprintf(stderr, "berthctl: bad wait reply\n");
                ctl_reply_done(&r);
                return 1;
        }
        *ret_code = json_object_get_int(v);
        {
                /* docker's CLI: "Error waiting for container: MESSAGE", status 125. */
                struct json_object *e = NULL, *m = NULL;
                if (json_object_object_get_ex(o, "Error", &e) && e
                    && json_object_object_get_ex(e, "Message", &m)) {
                        fprintf(stderr, "Error waiting for container: %s\n",
                                json_object_get_string(m));
                        *ret_code = 125;
                }
        }
        ctl_reply_done(&r);
        return 0;
}

static int
cmd_wait(const char *host, int argc, char **argv)
{
        int rc = 0, code;
        if (argc < 2) {
                fprintf(stderr, "\"wait\" requires at least 1 argument.\n");
                return 1;
        }
        for (int i = 1; i < argc; i++) {
                if (wait_one(host, argv[i], NULL, &code) != 0)
                        rc = 1;
                else
                        printf("%d\n", code);
        }
        return rc;
}

/* docker's tabwriter for top: columns padded to the widest cell plus 4... the last as is. */
static void
print_row(struct json_object *row, const size_t *w, size_t nt)
{
        for (size_t i = 0; i < nt; i++) {
                const char *c = json_object_get_string(json_object_array_get_idx(row, i));
                if (i + 1 < nt)
                        printf("%-*s", (int) w[i] + 4, c);
                else
                        printf("%s\n", c);
        }
}

static int
cmd_top(const char *host, int argc, char **argv)
{
        cleanup_free char *e = NULL, *path = NULL, *args = NULL;
        cleanup_json struct json_object *o = NULL;
        struct json_object *titles, *procs;
        size_t nt, np, *w;

        if (argc < 2) {
                fprintf(stderr, "\"top\" requires at least 1 argument.\n");
                return 1;
        }
        e = ctl_escape(argv[1]);
        if (argc > 2) {
                size_t len = 0;
                for (int i = 2; i < argc; i++)
                        len += strlen(argv[i]) + 1;
                args = xzalloc(len + 1);
                for (int i = 2; i < argc; i++) {
                        if (i > 2)
                                strcat(args, " ");
                        strcat(args, argv[i]);
                }
                cleanup_free char *ea = ctl_escape(args);
                path = xasprintf("/containers/%s/top?ps_args=%s", e, ea);
        } else {
                path = xasprintf("/containers/%s/top", e);
        }
        o = ctl_get_json(host, path);
        if (o == NULL)
                return 1;
        if (!json_object_object_get_ex(o, "Titles", &titles)
            || !json_object_object_get_ex(o, "Processes", &procs))
                return 1;
        nt = json_object_array_length(titles);
        np = json_object_array_length(procs);
        w = xzalloc((nt + 1) * sizeof(*w));
        for (size_t i = 0; i < nt; i++)
                w[i] = strlen(json_object_get_string(json_object_array_get_idx(titles, i)));
        for (size_t p = 0; p < np; p++)
                for (size_t i = 0; i < nt; i++) {
                        size_t l = strlen(json_object_get_string(
                                json_object_array_get_idx(json_object_array_get_idx(procs, p), i)));
                        if (l > w[i])
                                w[i] = l;
                }
        print_row(titles, w, nt);
        for (size_t p = 0; p < np; p++) {
                print_row(json_object_array_get_idx(procs, p), w, nt);
        }
        free(w);
        return 0;
}

/* --- logs --- */

struct logs_sink {
        bool tty;
        struct ctl_demux d;
};

static void
demux_out(int stream, const uint8_t *p, size_t n, void *ud)
{
        (void) ud;
        FILE *f = stream == 2 ? stderr : stdout;
        fwrite(p, 1, n, f);
        fflush(f);
}

static ssize_t
sink_write(void *cookie, const char *buf, size_t len)
{
        struct logs_sink *s = cookie;
        if (s->tty) {
                fwrite(buf, 1, len, stdout);
                fflush(stdout);
        } else {
                ctl_demux_feed(&s->d, (const uint8_t *) buf, len, demux_out, NULL);
        }
        return (ssize_t) len;
}

static int
container_tty(const char *host, const char *name, bool *ret)
{
        cleanup_free char *e = ctl_escape(name);
        cleanup_free char *path = xasprintf("/containers/%s/json", e);
        cleanup_json struct json_object *o = ctl_get_json(host, path);
        struct json_object *cfg, *v;

        if (o == NULL)
                return -1;
        *ret = json_object_object_get_ex(o, "Config", &cfg)
               && json_object_object_get_ex(cfg, "Tty", &v) && json_object_get_boolean(v);
        return 0;
}

static int
logs(const char *host, const char *name, const char *query, bool tty)
{
        cleanup_free char *e = ctl_escape(name);
        cleanup_free char *path = xasprintf("/containers/%s/logs?stdout=1&stderr=1%s", e, query);
        struct logs_sink s = {.tty = tty};
        cookie_io_functions_t io = {.write = sink_write};
        struct ctl_reply r;
        FILE *f = fopencookie(&s, "w", io);
        int rc = 0;

        if (f == NULL)
                return 1;
        setvbuf(f, NULL, _IONBF, 0);
        if (ctl_request(host, "GET", path, NULL, f, &r) < 0) {
                fclose(f);
                return 1;
        }
        fclose(f);
        if (r.status >= 300)
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}

static int
cmd_logs(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"follow", no_argument, NULL, 'f'},
                                             {"tail", required_argument, NULL, 'n'},
                                             {"since", required_argument, NULL, 'S'},
                                             {"until", required_argument, NULL, 'U'},
                                             {"timestamps", no_argument, NULL, 't'},
                                             {"details", no_argument, NULL, 'D'},
                                             {NULL, 0, NULL, 0}};
        cleanup_free char *q = xstrdup("");
        bool tty = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+fn:t", opts, NULL)) != -1) {
                char *nq = NULL;
                switch (c) {
                case 'f':
                        nq = xasprintf("%s&follow=1", q);
                        break;
                case 't':
                        nq = xasprintf("%s&timestamps=1", q);
                        break;
                case 'D':
                        continue;
                case 'n': {
                        cleanup_free char *ev = ctl_escape(optarg);
                        nq = xasprintf("%s&tail=%s", q, ev);
                        break;
                }
                case 'S':
                case 'U': {
                        cleanup_free char *v = ctl_logs_time_arg(optarg, (int64_t) time(NULL));
                        if (v == NULL) {
                                fprintf(stderr,
                                        "berthctl: invalid value for \"%s\": \"%s\"\n",
                                        c == 'S' ? "since" : "until", optarg);
                                return 125;
                        }
                        nq = xasprintf("%s&%s=%s", q, c == 'S' ? "since" : "until", v);
                        break;
                }
                default:
                        return 125;
                }
                free(q);
                q = nq;
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "\"logs\" requires exactly 1 argument.\n");
                return 1;
        }
        if (container_tty(host, argv[optind], &tty) < 0)
                return 1;
        return logs(host, argv[optind], q, tty);
}

/* --- run --- */

static int
cmd_run(const char *host, int argc, char **argv)
{
        cleanup_free char *id = NULL, *e = NULL, *path = NULL;
        bool detach = false, tty = false, rm = false, proxy = true;
        int rc;

        for (int i = 1; i < argc && argv[i][0] == '-'; i++)
                if (strcmp(argv[i], "--rm") == 0)
                        rm = true;
        rc = ctl_container_create(host, argc, argv, &id, &detach, &tty);
        if (rc != 0)
                return rc;
        if (!detach) {
                /* Attached (attach.c): attach, start, stream, wait, exit with its status. */
                struct ctl_attach_options o = {.rm = rm, .streams = -1};
                for (int i = 1; i < argc; i++) {
                        if (strcmp(argv[i], "--sig-proxy=false") == 0)
                                proxy = false;
                        else if (strncmp(argv[i], "--detach-keys=", 14) == 0)
                                o.detach_keys = argv[i] + 14;
                        else if (strcmp(argv[i], "--detach-keys") == 0 && i + 1 < argc)
                                o.detach_keys = argv[++i];
                }
                o.sig_proxy = proxy;
                return ctl_run_attached(host, id, &o);
        }
        e = ctl_escape(id);
        path = xasprintf("/containers/%s/start", e);
        if (post(host, path, false) != 0)
                return rm ? 125 : 127;
        printf("%s\n", id);
        return 0;
}

/* --- start --- */

/* start [-a] [-i] [--detach-keys K] CONTAINER...: with -a or -i one container, attached as the
 * docker CLI does (stdout and stderr, stdin with -i when the container keeps it open), exiting
 * with its status; else each one started. */
static int
cmd_start(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {{"attach", no_argument, NULL, 'a'},
                                             {"interactive", no_argument, NULL, 'i'},
                                             {"detach-keys", required_argument, NULL, 'k'},
                                             {NULL, 0, NULL, 0}};
        struct ctl_attach_options o = {.sig_proxy = true, .streams = 6};
        bool attach = false;
        int c;

        optind = 1;
        while ((c = getopt_long(argc, argv, "+ai", opts, NULL)) != -1) {
                if (c == 'a') {
                        attach = true;
                } else if (c == 'i') {
                        attach = true;
                        o.streams |= 1;
                } else if (c == 'k') {
                        o.detach_keys = optarg;
                } else {
                        return 125;
                }
        }
        if (!attach) {
                /* each() parses from argv[1] again: hand it the containers alone. */
                argv[optind - 1] = argv[0];
                return each(host, argc - optind + 1, argv + optind - 1, "start");
        }
        if (optind + 1 != argc) {
                fprintf(stderr, "you cannot start and attach multiple containers at once\n");
                return 1;
        }
        return ctl_run_attached(host, argv[optind], &o);
}

bool
ctl_run_known(const char *verb)
{
        static const char *const verbs[] = {"run",   "start",   "stop", "kill", "wait", "restart",
                                            "pause", "unpause", "top",  "logs", NULL};
        for (size_t i = 0; verbs[i]; i++)
                if (strcmp(verbs[i], verb) == 0)
                        return true;
        return false;
}

int
ctl_run_main(const char *host, int argc, char **argv)
{
        const char *v = argv[0];
        if (strcmp(v, "run") == 0)
                return cmd_run(host, argc, argv);
        if (strcmp(v, "start") == 0)
                return cmd_start(host, argc, argv);
        if (strcmp(v, "stop") == 0 || strcmp(v, "kill") == 0 || strcmp(v, "restart") == 0
            || strcmp(v, "pause") == 0 || strcmp(v, "unpause") == 0)
                return each(host, argc, argv, v);
        if (strcmp(v, "wait") == 0)
                return cmd_wait(host, argc, argv);
        if (strcmp(v, "top") == 0)
                return cmd_top(host, argc, argv);
        if (strcmp(v, "logs") == 0)
                return cmd_logs(host, argc, argv);
        return 125;
}
