/* supervisor/ctl/events.c: berthctl events: GET /events streamed, each event printed as it
 * arrives, as docker's CLI prints it (or as JSON with --format '{{json .}}'). */
#include <config.h>

#include "supervisor/ctl/events.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/client.h"

char *
ctl_events_timestamp(const char *value, long long now)
{
        size_t n = strspn(value, "0123456789");
        struct tm tm = {0};
        const char *p;

        if (n > 0
            && (value[n] == '\0'
                || (value[n] == '.' && value[n + 1] != '\0'
                    && strspn(value + n + 1, "0123456789") == strlen(value + n + 1))))
                return xstrdup(value);
        /* A Go duration: a sequence of NUMBER UNIT (h, m, s). */
        if (n > 0 && strspn(value, "0123456789hms") == strlen(value)) {
                long long total = 0;
                p = value;
                while (*p) {
                        char *end = NULL;
                        long long v = strtoll(p, &end, 10);
                        if (end == p)
                                return NULL;
                        if (*end == 'h')
                                total += v * 3600;
                        else if (*end == 'm' && end[1] != 's')
                                total += v * 60;
                        else if (*end == 's')
                                total += v;
                        else
                                return NULL;
                        p = end + 1;
                }
                return xasprintf("%lld.000000000", now - total);
        }
        p = strptime(value, "%Y-%m-%dT%H:%M:%S", &tm);
        if (p == NULL)
                return NULL;
        if (*p == '.') {
                size_t d = strspn(p + 1, "0123456789");
                char frac[10] = "000000000";
                if (d == 0 || d > 9)
                        return NULL;
                memcpy(frac, p + 1, d);
                if (strcmp(p + 1 + d, "Z") != 0)
                        return NULL;
                return xasprintf("%lld.%s", (long long) timegm(&tm), frac);
        }
        if (strcmp(p, "Z") != 0)
                return NULL;
        return xasprintf("%lld.000000000", (long long) timegm(&tm));
}

struct printer {
        char *buf; /* an unfinished line */
        size_t len;
        bool json;
};

static int
compare_strings(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* docker's default line: TIME TYPE ACTION ID (k=v, …), attributes sorted by key. */
static void
print_event(struct printer *pr, const char *line, size_t len)
{
        cleanup_json struct json_object *o = NULL;
        cleanup_error berth_error_t *err = NULL; /* a line that is not JSON is printed as is */
        struct json_object *actor = NULL, *attrs = NULL, *v = NULL;
        cleanup_strv char **pairs = NULL;
        int64_t tn = 0;
        struct timespec ts;
        char when[64];
        struct tm tm;

        if (len == 0)
                return;
        if (pr->json || json_parse_buffer(line, len, &o, &err) < 0) {
                fwrite(line, 1, len, stdout);
                fputc('\n', stdout);
                fflush(stdout);
                return;
        }
        if (json_object_object_get_ex(o, "timeNano", &v))
                tn = json_object_get_int64(v);
        ts.tv_sec = (time_t) (tn / 1000000000);
        ts.tv_nsec = (long) (tn % 1000000000);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
        printf("%s.%09ldZ %s %s", when, ts.tv_nsec,
               json_object_get_string(json_object_object_get(o, "Type")),
               json_object_get_string(json_object_object_get(o, "Action")));
        if (json_object_object_get_ex(o, "Actor", &actor)) {
                printf(" %s", json_object_get_string(json_object_object_get(actor, "ID")));
                if (json_object_object_get_ex(actor, "Attributes", &attrs)
                    && json_object_object_length(attrs) > 0) {
                        cleanup_free char *joined = NULL;
                        json_object_object_foreach(attrs, k, val) {
                                cleanup_free char *kv =
                                        xasprintf("%s=%s", k, json_object_get_string(val));
                                strv_push(&pairs, kv);
                        }
                        qsort(pairs, strv_length(pairs), sizeof(char *), compare_strings);
                        joined = strv_join(pairs, ", ");
                        printf(" (%s)", joined);
                }
        }
        printf("\n");
        fflush(stdout);
}

/* The body arrives in pieces of any size: print each complete line as soon as it is there. */
static ssize_t
printer_write(void *cookie, const char *data, size_t size)
{
        struct printer *pr = cookie;
        size_t start = 0;

        pr->buf = xrealloc(pr->buf, pr->len + size + 1);
        memcpy(pr->buf + pr->len, data, size);
        pr->len += size;
        for (size_t i = 0; i < pr->len; i++) {
                if (pr->buf[i] != '\n')
                        continue;
                print_event(pr, pr->buf + start, i - start);
                start = i + 1;
        }
        memmove(pr->buf, pr->buf + start, pr->len - start);
        pr->len -= start;
        return (ssize_t) size;
}

/* --filter k=v ... as dockerd's JSON filter map {"k":{"v":true}}. */
static char *
filters_json(char *const *kvs)
{
        cleanup_json struct json_object *m = json_object_new_object();

        strv_foreach(kv, kvs) {
                const char *eq = strchr(kv, '=');
                cleanup_free char *k = NULL;
                struct json_object *vals = NULL;
                if (eq == NULL)
                        return NULL;
                k = xstrndup(kv, (size_t) (eq - kv));
                if (!json_object_object_get_ex(m, k, &vals)) {
                        vals = json_object_new_object();
                        json_object_object_add(m, k, vals);
                }
                json_object_object_add(vals, eq + 1, json_object_new_boolean(1));
        }
        return xstrdup(json_object_to_json_string_ext(m, JSON_C_TO_STRING_PLAIN));
}

int
ctl_events_main(const char *host, int argc, char **argv)
{
        static const struct option opts[] = {
                {"since", required_argument, NULL, 's'},
                {"until", required_argument, NULL, 'u'},
                {"filter", required_argument, NULL, 'f'},
                {"format", required_argument, NULL, 'F'},
                {NULL, 0, NULL, 0},
        };
        cleanup_free char *since = NULL, *until = NULL, *filters = NULL, *path = NULL;
        cleanup_strv char **kvs = NULL, **query = NULL;
        struct printer pr = {0};
        struct ctl_reply r = {0};
        cookie_io_functions_t io = {.write = printer_write};
        long long now = (long long) time(NULL);
        FILE *out;
        int c, rc;

        optind = 1;
        while ((c = getopt_long(argc, argv, "f:", opts, NULL)) != -1) {
                switch (c) {
                case 's':
                case 'u': {
                        char *t = ctl_events_timestamp(optarg, now);
                        if (t == NULL) {
                                fprintf(stderr, "berthctl events: invalid --%s value \"%s\"\n",
                                        c == 's' ? "since" : "until", optarg);
                                return 125;
                        }
                        free(c == 's' ? since : until);
                        *(c == 's' ? &since : &until) = t;
                        break;
                }
                case 'f':
                        strv_push(&kvs, optarg);
                        break;
                case 'F':
                        /* Templates come with the --format evaluator; JSON lines are the raw
                         * stream. */
                        if (strcmp(optarg, "{{json .}}") != 0) {
                                fprintf(stderr,
                                        "berthctl events: only --format '{{json .}}' is supported\n");
                                return 125;
                        }
                        pr.json = true;
                        break;
                default:
                        fprintf(stderr, "berthctl events: unknown flag: %s\n", argv[optind - 1]);
                        return 125;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "\"berthctl events\" accepts no arguments\n");
                return 125;
        }
        if (kvs) {
                filters = filters_json(kvs);
                if (filters == NULL) {
                        fprintf(stderr, "berthctl events: a filter is KEY=VALUE\n");
                        return 125;
                }
        }
        if (since) {
                cleanup_free char *e = ctl_escape(since), *q = xasprintf("since=%s", e);
                strv_push(&query, q);
        }
        if (until) {
                cleanup_free char *e = ctl_escape(until), *q = xasprintf("until=%s", e);
                strv_push(&query, q);
        }
        if (filters) {
                cleanup_free char *e = ctl_escape(filters), *q = xasprintf("filters=%s", e);
                strv_push(&query, q);
        }
        {
                cleanup_free char *joined = query ? strv_join(query, "&") : xstrdup("");
                path = xasprintf("/events%s%s", query ? "?" : "", joined);
        }
        out = fopencookie(&pr, "w", io);
        if (out == NULL) {
                perror("berthctl events");
                return 1;
        }
        setvbuf(out, NULL, _IONBF, 0);
        rc = ctl_request(host, "GET", path, NULL, out, &r) < 0 ? 1 : 0;
        fclose(out);
        if (pr.len > 0)
                print_event(&pr, pr.buf, pr.len);
        free(pr.buf);
        if (rc == 0 && (r.status < 200 || r.status >= 300))
                rc = ctl_print_error(&r);
        ctl_reply_done(&r);
        return rc;
}
