/* supervisor/ctl/progress.c: a JSON-lines progress stream rendered as the docker CLI does
 * (its jsonmessage display: on a terminal, one line per layer ID rewritten in place; a message
 * that is not progress forgets the lines). */
#include <config.h>

#include "supervisor/ctl/progress.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

struct ctl_progress {
        FILE *out, *err;
        bool tty;
        bool failed;
        char *buf; /* an incomplete line */
        size_t len;
        char **ids; /* terminal: the IDs with a line of their own, in screen order */
};

struct ctl_progress *
ctl_progress_new(FILE *out, FILE *err, bool tty)
{
        struct ctl_progress *p = xzalloc(sizeof(*p));

        p->out = out;
        p->err = err;
        p->tty = tty;
        return p;
}

static const char *
member(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;

        if (!json_object_object_get_ex(o, key, &v) || v == NULL
            || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* The line index of ID, adding it (and a screen line for it) when new. */
static size_t
id_line(struct ctl_progress *p, const char *id)
{
        size_t n = strv_length(p->ids);

        for (size_t i = 0; i < n; i++)
                if (strcmp(p->ids[i], id) == 0)
                        return i;
        strv_push(&p->ids, id);
        fputc('\n', p->out);
        return n;
}

static void
render(struct ctl_progress *p, struct json_object *o)
{
        const char *error = member(o, "error"), *stream = member(o, "stream");
        const char *status = member(o, "status"), *id = member(o, "id");
        const char *bar = member(o, "progress");
        struct json_object *detail = NULL;
        bool progress = json_object_object_get_ex(o, "progressDetail", &detail) && detail
                        && json_object_is_type(detail, json_type_object);
        bool has_bar = progress && json_object_object_get_ex(detail, "current", NULL);

        if (error) {
                fflush(p->out);
                fprintf(p->err, "%s\n", error);
                p->failed = true;
                return;
        }
        if (stream) {
                fputs(stream, p->out);
                fflush(p->out);
                return;
        }
        if (status == NULL)
                return; /* the aux object */
        if (!p->tty) {
                if (has_bar)
                        return; /* no bars without a terminal */
                if (id)
                        fprintf(p->out, "%s: ", id);
                fprintf(p->out, "%s\n", status);
                fflush(p->out); /* live in a log file too */
                return;
        }
        if (id && progress) {
                /* The cursor rests on the line below the last ID's: go up to this ID's line,
                 * rewrite it, come back. */
                size_t line = id_line(p, id), diff = strv_length(p->ids) - line;
                fprintf(p->out, "\033[%zuA\r\033[2K%s: %s%s%s\r\033[%zuB", diff, id, status,
                        bar && bar[0] ? " " : "", bar ? bar : "", diff);
                fflush(p->out);
                return;
        }
        /* Not progress: printed below, and the earlier lines are done with. */
        strv_free(p->ids);
        p->ids = NULL;
        if (id)
                fprintf(p->out, "%s: ", id);
        fprintf(p->out, "%s\n", status);
        fflush(p->out);
}

static void
render_line(struct ctl_progress *p, const char *line, size_t n)
{
        cleanup_json struct json_object *o = NULL;
        cleanup_error berth_error_t *bad = NULL; /* a line that is not JSON is skipped */

        if (n == 0 || json_parse_buffer(line, n, &o, &bad) < 0)
                return;
        render(p, o);
}

void
ctl_progress_feed(struct ctl_progress *p, const char *data, size_t len)
{
        const char *end = data + len;

        while (data < end) {
                const char *nl = memchr(data, '\n', (size_t) (end - data));
                size_t n = nl ? (size_t) (nl - data) : (size_t) (end - data);
                p->buf = xrealloc(p->buf, p->len + n + 1);
                memcpy(p->buf + p->len, data, n);
                p->len += n;
                if (nl == NULL)
                        return;
                render_line(p, p->buf, p->len);
                p->len = 0;
                data = nl + 1;
        }
}

void
ctl_progress_feed_cb(const char *data, size_t len, void *p)
{
        ctl_progress_feed(p, data, len);
}

static ssize_t
sink_write(void *cookie, const char *data, size_t size)
{
        ctl_progress_feed(cookie, data, size);
        return (ssize_t) size;
}

FILE *
ctl_progress_sink(struct ctl_progress *p)
{
        cookie_io_functions_t io = {.write = sink_write};
        FILE *f = fopencookie(p, "w", io);

        if (f == NULL)
                abort();
        setvbuf(f, NULL, _IONBF, 0);
        return f;
}

int
ctl_progress_finish(struct ctl_progress *p)
{
        int failed;

        if (p->len > 0)
                render_line(p, p->buf, p->len);
        fflush(p->out);
        failed = p->failed ? 1 : 0;
        free(p->buf);
        strv_free(p->ids);
        free(p);
        return failed;
}
