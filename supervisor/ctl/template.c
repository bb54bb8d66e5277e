/* supervisor/ctl/template.c: a small evaluator for docker's --format templates: field actions,
 * json/upper/lower, and the table layout with column alignment as Go's tabwriter pads it. */
#include <config.h>

#include "supervisor/ctl/template.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

struct buf {
        char *s;
        size_t len;
};

static void
buf_add(struct buf *b, const char *p, size_t n)
{
        b->s = xrealloc(b->s, b->len + n + 1);
        memcpy(b->s + b->len, p, n);
        b->len += n;
        b->s[b->len] = '\0';
}

static void
buf_str(struct buf *b, const char *s)
{
        buf_add(b, s, strlen(s));
}

static char *
trim(const char *p, size_t n)
{
        while (n && isspace((unsigned char) *p)) {
                p++;
                n--;
        }
        while (n && isspace((unsigned char) p[n - 1]))
                n--;
        return xstrndup(p, n);
}

/* ".A.B" in DATA; "." is DATA itself. Borrowed; NULL when missing. *ret_found false then. */
static struct json_object *
lookup(struct json_object *data, const char *path, bool *ret_found)
{
        cleanup_free char *copy = NULL;
        struct json_object *cur = data;
        char *save = NULL;

        *ret_found = true;
        if (strcmp(path, ".") == 0)
                return data;
        copy = xstrdup(path + 1);
        for (char *t = strtok_r(copy, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
                struct json_object *next = NULL;
                if (cur == NULL || !json_object_is_type(cur, json_type_object)
                    || !json_object_object_get_ex(cur, t, &next)) {
                        *ret_found = false;
                        return NULL;
                }
                cur = next;
        }
        return cur;
}

static const char *
json_text(struct json_object *v)
{
        if (v == NULL)
                return "null";
        return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static int
action(const char *act, struct json_object *data, struct buf *out, berth_error_t **err)
{
        cleanup_free char *fn = NULL;
        const char *arg = act, *sp = strchr(act, ' ');
        struct json_object *v;
        bool found;

        if (act[0] != '.') {
                if (sp == NULL)
                        return berth_error_new(err, EINVAL, "template: function \"%s\" not defined",
                                               act);
                fn = xstrndup(act, (size_t) (sp - act));
                arg = sp + strspn(sp, " ");
                if (strcmp(fn, "json") != 0 && strcmp(fn, "upper") != 0 && strcmp(fn, "lower") != 0)
                        return berth_error_new(err, EINVAL, "template: function \"%s\" not defined",
                                               fn);
        }
        if (arg[0] != '.' || strchr(arg, ' '))
                return berth_error_new(err, EINVAL, "template: bad action \"{{%s}}\"", act);
        v = lookup(data, arg, &found);
        if (fn && strcmp(fn, "json") == 0) {
                buf_str(out, json_text(v));
                return 0;
        }
        if (!found) {
                /* Go's text/template on a map: a missing key prints "<no value>". */
                buf_str(out, "<no value>");
                return 0;
        }
        {
                const char *s = v && json_object_is_type(v, json_type_string)
                                        ? json_object_get_string(v)
                                        : json_text(v);
                cleanup_free char *c = xstrdup(s);
                for (char *p = c; fn && *p; p++)
                        *p = (char) (strcmp(fn, "upper") == 0 ? toupper((unsigned char) *p)
                                                              : tolower((unsigned char) *p));
                buf_str(out, c);
        }
        return 0;
}

int
ctl_template_render(const char *tmpl, struct json_object *data, char **ret, berth_error_t **err)
{
        struct buf out = {0};
        const char *p = tmpl;
        int r;

        buf_str(&out, "");
        while (*p) {
                const char *open = strstr(p, "{{"), *close;
                cleanup_free char *act = NULL;
                /* Literal text, with the escapes docker's CLI unquotes in --format. */
                const char *lit_end = open ? open : p + strlen(p);
                for (const char *q = p; q < lit_end; q++) {
                        if (q[0] == '\\' && q + 1 < lit_end && (q[1] == 't' || q[1] == 'n')) {
                                buf_str(&out, q[1] == 't' ? "\t" : "\n");
                                q++;
                        } else {
                                buf_add(&out, q, 1);
                        }
                }
                if (open == NULL)
                        break;
                close = strstr(open + 2, "}}");
                if (close == NULL) {
                        free(out.s);
                        return berth_error_new(err, EINVAL, "template: unclosed action");
                }
                act = trim(open + 2, (size_t) (close - open - 2));
                r = action(act, data, &out, err);
                if (r < 0) {
                        free(out.s);
                        return r;
                }
                p = close + 2;
        }
        *ret = out.s;
        return 0;
}

/* Go's tabwriter as the docker CLI sets it up (minwidth 10, tabwidth 1, padding 3, padchar ' '):
 * every cell but the last of a line is padded to its column's widest cell plus 3, and to 10 at
 * least. */
static char *
align(char *const *lines)
{
        size_t widths[64] = {0};
        struct buf out = {0};

        buf_str(&out, "");
        strv_foreach(l, lines) {
                size_t col = 0;
                for (const char *c = l; col < 64;) {
                        const char *t = strchr(c, '\t');
                        if (t == NULL)
                                break;
                        if ((size_t) (t - c) > widths[col])
                                widths[col] = (size_t) (t - c);
                        col++;
                        c = t + 1;
                }
        }
        strv_foreach(l, lines) {
                size_t col = 0;
                const char *c = l;
                for (;;) {
                        const char *t = strchr(c, '\t');
                        if (t == NULL || col >= 64) {
                                buf_str(&out, c);
                                break;
                        }
                        buf_add(&out, c, (size_t) (t - c));
                        for (size_t i = (size_t) (t - c);
                             i < (widths[col] + 3 < 10 ? 10 : widths[col] + 3); i++)
                                buf_add(&out, " ", 1);
                        col++;
                        c = t + 1;
                }
                buf_str(&out, "\n");
        }
        return out.s;
}

/* The header row of a table template: each {{.Field}} replaced by its title. */
static struct json_object *
header_data(const char *tmpl, struct json_object *headers)
{
        struct json_object *o = json_object_new_object();
        const char *p = tmpl;

        while ((p = strstr(p, "{{")) != NULL) {
                const char *close = strstr(p, "}}");
                cleanup_free char *act = NULL;
                const char *field;
                struct json_object *h = NULL;
                if (close == NULL)
                        break;
                act = trim(p + 2, (size_t) (close - p - 2));
                field = strrchr(act, '.');
                if (field && field[1]) {
                        field++;
                        if (headers && json_object_object_get_ex(headers, field, &h)) {
                                json_object_object_add(o, field, json_object_get(h));
                        } else {
                                cleanup_free char *up = xstrdup(field);
                                for (char *c = up; *c; c++)
                                        *c = (char) toupper((unsigned char) *c);
                                json_object_object_add(o, field, json_object_new_string(up));
                        }
                }
                p = close + 2;
        }
        return o;
}

int
ctl_template_list(const char *format, struct json_object *headers, struct json_object *items,
                  char **ret, berth_error_t **err)
{
        cleanup_strv char **lines = NULL;
        bool table = strncmp(format, "table", 5) == 0
                     && (format[5] == '\0' || isspace((unsigned char) format[5]));
        const char *tmpl = table ? format + 5 + strspn(format + 5, " ") : format;
        int r;

        if (table && tmpl[0] == '\0')
                return berth_error_new(err, EINVAL, "template: \"table\" needs a template");
        if (table) {
                /* The header row renders the template over the titles, through the same
                 * evaluator (functions such as json would print them quoted: docker too). */
                struct json_object *h = header_data(tmpl, headers);
                cleanup_free char *line = NULL;
                r = ctl_template_render(tmpl, h, &line, err);
                json_object_put(h);
                if (r < 0)
                        return r;
                strv_push(&lines, line);
        }
        for (size_t i = 0; i < json_object_array_length(items); i++) {
                cleanup_free char *line = NULL;
                r = ctl_template_render(tmpl, json_object_array_get_idx(items, i), &line, err);
                if (r < 0)
                        return r;
                strv_push(&lines, line);
        }
        if (table) {
                *ret = align(lines);
        } else {
                struct buf out = {0};
                buf_str(&out, "");
                strv_foreach(l, lines) {
                        buf_str(&out, l);
                        buf_str(&out, "\n");
                }
                *ret = out.s;
        }
        return 0;
}

int
ctl_inspect_text(const char *format, struct json_object *items, char **ret, berth_error_t **err)
{
        char *out = NULL;

        if (format == NULL) {
                *ret = xasprintf("%s\n", json_object_to_json_string_ext(
                                                 items, JSON_C_TO_STRING_PRETTY
                                                                | JSON_C_TO_STRING_SPACED
                                                                | JSON_C_TO_STRING_NOSLASHESCAPE));
                return 0;
        }
        out = xstrdup("");
        for (size_t i = 0; i < json_object_array_length(items); i++) {
                cleanup_free char *line = NULL;
                char *more;
                int r = ctl_template_render(format, json_object_array_get_idx(items, i), &line,
                                            err);
                if (r < 0) {
                        free(out);
                        return r;
                }
                more = xasprintf("%s%s\n", out, line);
                free(out);
                out = more;
        }
        *ret = out;
        return 0;
}

int
ctl_inspect_print(const char *format, struct json_object *items, int rc)
{
        cleanup_free char *text = NULL;
        cleanup_error berth_error_t *err = NULL;

        if (ctl_inspect_text(format, items, &text, &err) < 0) {
                fprintf(stderr, "%s\n", err->msg);
                return 1;
        }
        fputs(text, stdout);
        return rc;
}
