/* shim/stdio_uri.c: containerd's stdio strings; see stdio_uri.h. */
#include <config.h>

#include "shim/stdio_uri.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

void
shim_stdio_done(struct shim_stdio *s)
{
        free(s->stdin_path);
        free(s->stdout_path);
        free(s->stderr_path);
        free(s->path);
        strv_free(s->argv);
        *s = (struct shim_stdio){0};
}

static char *
dup_or_null(const char *s)
{
        return s && *s ? xstrdup(s) : NULL;
}

static int
hexval(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        c = (char) tolower((unsigned char) c);
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        return -1;
}

/* Go's url.QueryUnescape (PLUS_IS_SPACE) or PathUnescape: %XX decoded, a bad escape refused. */
static int
unescape(const char *s, size_t n, bool plus_is_space, char **ret)
{
        char *out = xmalloc(n + 1);
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '%') {
                        int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
                        int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
                        if (hi < 0 || lo < 0) {
                                free(out);
                                return -EINVAL;
                        }
                        out[k++] = (char) (hi * 16 + lo);
                        i += 2;
                        continue;
                }
                out[k++] = plus_is_space && s[i] == '+' ? ' ' : s[i];
        }
        out[k] = '\0';
        *ret = out;
        return 0;
}

static int
parse_binary(const char *uri, const char *rest, struct shim_stdio *s, berth_error_t **err)
{
        const char *q = strchr(rest, '?');
        size_t plen = q ? (size_t) (q - rest) : strlen(rest);
        cleanup_free char *path = NULL;

        if (unescape(rest, plen, false, &path) < 0 || path[0] != '/')
                return berth_error_new(err, EINVAL, "stdout: binary logger \"%s\": the path must be absolute", uri);
        strv_push(&s->argv, path);
        /* key then its first value, for each key (Go's url.Values; order is not kept there). */
        for (const char *p = q ? q + 1 : NULL; p && *p;) {
                const char *amp = strchr(p, '&');
                size_t len = amp ? (size_t) (amp - p) : strlen(p);
                const char *eq = memchr(p, '=', len);
                cleanup_free char *key = NULL, *val = NULL;
                bool seen = false;

                if (len == 0) {
                        p = amp ? amp + 1 : NULL;
                        continue;
                }
                if (unescape(p, eq ? (size_t) (eq - p) : len, true, &key) < 0 ||
                    unescape(eq ? eq + 1 : "", eq ? len - (size_t) (eq - p) - 1 : 0, true, &val) < 0)
                        return berth_error_new(err, EINVAL, "stdout: binary logger \"%s\": bad escape in the query", uri);
                for (size_t i = 1; s->argv[i]; i += 2)
                        if (strcmp(s->argv[i], key) == 0)
                                seen = true;
                if (!seen) {
                        strv_push(&s->argv, key);
                        strv_push(&s->argv, val);
                }
                p = amp ? amp + 1 : NULL;
        }
        s->path = xstrdup(path);
        s->kind = SHIM_STDIO_BINARY;
        return 0;
}

int
shim_stdio_parse(const char *in, const char *out, const char *err_, struct shim_stdio *ret,
                 berth_error_t **err)
{
        struct shim_stdio s = {0};
        int r = 0;

        if ((!in || !*in) && (!out || !*out) && (!err_ || !*err_)) {
                *ret = s;
                return 0;
        }
        if (!out || !*out || out[0] == '/' || strncmp(out, "fifo://", 7) == 0) {
                s.kind = SHIM_STDIO_FIFO;
                s.stdin_path = dup_or_null(in);
                s.stdout_path = dup_or_null(out && strncmp(out, "fifo://", 7) == 0 ? out + 7 : out);
                s.stderr_path = dup_or_null(err_ && strncmp(err_, "fifo://", 7) == 0 ? err_ + 7 : err_);
        } else if (strncmp(out, "file://", 7) == 0) {
                cleanup_free char *path = NULL;
                if (unescape(out + 7, strlen(out + 7), false, &path) < 0 || path[0] != '/')
                        r = berth_error_new(err, EINVAL, "stdout: log file \"%s\": the path must be absolute", out);
                else
                        s.path = TAKE_PTR(path), s.kind = SHIM_STDIO_FILE;
        } else if (strncmp(out, "binary://", 9) == 0) {
                r = parse_binary(out, out + 9, &s, err);
        } else {
                r = berth_error_new(err, EINVAL, "unknown STDIO scheme %.*s", (int) strcspn(out, ":"), out);
        }
        if (r < 0) {
                shim_stdio_done(&s);
                return r;
        }
        if (s.kind != SHIM_STDIO_FIFO)
                s.stdin_path = dup_or_null(in); /* a log for output, still a FIFO for input */
        *ret = s;
        return 0;
}
