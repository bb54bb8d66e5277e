/* supervisor/ctl/progress.c: the docker CLI's progress display (moby pkg/jsonmessage
 * DisplayJSONMessagesStream): per ID a line, moved to with ANSI cursor motion on a terminal. */
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
        FILE *out;
        bool tty;
        bool failed;
        char *buf; /* a partial line */
        size_t len;
        char **ids; /* the IDs in the order their lines were printed */
};

static const char *
member(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, k, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

static void
show(struct ctl_progress *p, struct json_object *o)
{
        const char *id = member(o, "id"), *status = member(o, "status"),
                   *bar = member(o, "progress");
        const char *error = member(o, "error"), *stream = member(o, "stream");
        struct json_object *detail = NULL;
        bool is_progress = json_object_object_get_ex(o, "progressDetail", &detail);
        size_t diff = 0;

        if (error) {
                fprintf(stderr, "%s\n", error);
                p->failed = true;
                return;
        }
        if (stream) {
                fputs(stream, p->out);
                return;
        }
        if (!p->tty && bar && bar[0])
                return; /* docker shows no bars off a terminal */
        if (p->tty && id) {
                size_t n = strv_length(p->ids), i;
                for (i = 0; i < n && strcmp(p->ids[i], id) != 0; i++)
                        ;
                if (i == n) {
                        strv_push(&p->ids, id);
                        fputc('\n', p->out);
                        n++;
                }
                diff = n - i;
                /* Up to the ID's line, clear it, write, and back down. */
                fprintf(p->out, "\033[%zuA\033[2K\r", diff);
        }
        if (id)
                fprintf(p->out, "%s: ", id);
        if (p->tty && is_progress && bar && bar[0])
                fprintf(p->out, "%s %s", status ? status : "", bar);
        else
                fprintf(p->out, "%s", status ? status : "");
        if (p->tty && id)
                fprintf(p->out, "\r\033[%zuB", diff);
        else
                fputc('\n', p->out);
        if (p->tty && id == NULL)
                strv_free(TAKE_PTR(p->ids)); /* as docker: later IDs start new lines */
        fflush(p->out);
}

static ssize_t
on_write(void *cookie, const char *data, size_t size)
{
        struct ctl_progress *p = cookie;
        char *nl;

        p->buf = xrealloc(p->buf, p->len + size + 1);
        memcpy(p->buf + p->len, data, size);
        p->len += size;
        p->buf[p->len] = '\0';
        while ((nl = memchr(p->buf, '\n', p->len)) != NULL) {
                size_t n = (size_t) (nl - p->buf);
                cleanup_json struct json_object *o = NULL;
                berth_error_t *err = NULL;
                if (n > 0 && json_parse_buffer(p->buf, n, &o, &err) == 0)
                        show(p, o);
                berth_error_free(err);
                memmove(p->buf, nl + 1, p->len - n - 1);
                p->len -= n + 1;
        }
        return (ssize_t) size;
}

FILE *
ctl_progress_open(FILE *out, bool tty, struct ctl_progress **ret)
{
        struct ctl_progress *p = xzalloc(sizeof(*p));
        cookie_io_functions_t io = {.write = on_write};
        FILE *f;

        p->out = out;
        p->tty = tty;
        f = fopencookie(p, "w", io);
        if (f == NULL)
                abort();
        setvbuf(f, NULL, _IONBF, 0);
        *ret = p;
        return f;
}

bool
ctl_progress_failed(const struct ctl_progress *p)
{
        return p->failed;
}

void
ctl_progress_free(struct ctl_progress *p)
{
        if (p == NULL)
                return;
        free(p->buf);
        strv_free(p->ids);
        free(p);
}
