/* supervisor/ctl/client.c: one request to berthd over its UNIX socket.
 *
 * HTTP/1.1 by hand rather than libcurl: berthctl only ever talks to berthd's local socket, and
 * loading libcurl (40-odd shared libraries, TLS initialisation) cost ~8 ms of every berthctl
 * command — a quarter of `berthctl run --rm`. The response parsing is http_response.c's. */
#include <config.h>

#include "supervisor/ctl/client.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/http_response.h"

struct sink {
        struct ctl_reply *reply;
        FILE *download;
        ctl_body_fn fn; /* a 2xx body as it arrives (ctl_request_stream) */
        void (*ready)(void *arg); /* the final response's headers have arrived */
        void *arg;
        int write_error;
};

static void
on_body(const char *p, size_t add, void *ud)
{
        struct sink *s = ud;
        struct ctl_reply *b = s->reply;
        long status = b->status;

        if (s->fn && status >= 200 && status < 300) {
                s->fn(p, add, s->arg);
                return;
        }
        if (s->download && status >= 200 && status < 300) {
                if (fwrite(p, 1, add, s->download) != add)
                        s->write_error = errno ? errno : EIO;
                return;
        }
        b->body = xrealloc(b->body, b->len + add + 1);
        memcpy(b->body + b->len, p, add);
        b->len += add;
        b->body[b->len] = '\0';
}

static void
on_head(long status, void *ud)
{
        struct sink *s = ud;

        s->reply->status = status;
        if (s->ready)
                s->ready(s->arg);
}

int
ctl_connect(const char *host)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int fd;

        if (strncmp(host, "unix://", 7) != 0 || host[7] != '/'
            || strlen(host + 7) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "berthctl: host \"%s\": want unix:///path/to/socket\n", host);
                return -1;
        }
        strcpy(sa.sun_path, host + 7);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                fprintf(stderr, "berthctl: cannot connect to berthd at %s: %s (is berthd running?)\n",
                        host, strerror(errno));
                if (fd >= 0)
                        close(fd);
                return -1;
        }
        return fd;
}

/* All of LEN bytes; a peer that stopped reading (it answered early) is not an error here: its
 * answer is read next. */
static int
send_all(int fd, const void *buf, size_t len)
{
        const char *p = buf;

        while (len > 0) {
                ssize_t k = send(fd, p, len, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                len -= (size_t) k;
        }
        return 0;
}

/* UPLOAD as a chunked body (its size is not known beforehand: a pipe, say). */
static int
send_upload(int fd, FILE *upload)
{
        static char buf[65536];
        char size[32];
        size_t n;
        int r;

        while ((n = fread(buf, 1, sizeof(buf), upload)) > 0) {
                int k = snprintf(size, sizeof(size), "%zx\r\n", n);
                if ((r = send_all(fd, size, (size_t) k)) < 0 || (r = send_all(fd, buf, n)) < 0
                    || (r = send_all(fd, "\r\n", 2)) < 0)
                        return r;
        }
        if (ferror(upload))
                return -EIO;
        return send_all(fd, "0\r\n\r\n", 5);
}

static int
request(const char *host, const char *method, const char *path, char *const *headers,
        const char *json_body, FILE *upload, struct sink s, struct ctl_reply *ret)
{
        cleanup_free char *head = NULL, *extra = NULL;
        cleanup_close int fd = -1;
        struct http_response_reader rd;
        const char *body = NULL, *type = NULL;
        bool chunked = false;
        int r;

        memset(ret, 0, sizeof(*ret));
        fd = ctl_connect(host);
        if (fd < 0)
                return -1;
        if (upload) {
                type = "application/x-tar";
                chunked = true;
        } else if (json_body) {
                type = "application/json";
                body = json_body;
        } else if (strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
                body = "";
        }
        for (size_t i = 0; headers && headers[i]; i++) {
                char *e = xasprintf("%s%s\r\n", extra ? extra : "", headers[i]);
                free(extra);
                extra = e;
        }
        head = xasprintf("%s /v" CTL_CLIENT_API "%s HTTP/1.1\r\nHost: localhost\r\n"
                         "User-Agent: berthctl/" PACKAGE_VERSION "\r\n%s%s%s%s\r\n",
                         method, path, type ? "Content-Type: " : "", type ? type : "",
                         type ? "\r\n" : "", extra ? extra : "");
        if (chunked) {
                char *h = xasprintf("%.*sTransfer-Encoding: chunked\r\n\r\n",
                                    (int) strlen(head) - 2, head);
                free(head);
                head = h;
        } else if (body) {
                char *h = xasprintf("%.*sContent-Length: %zu\r\n\r\n%s", (int) strlen(head) - 2,
                                    head, strlen(body), body);
                free(head);
                head = h;
        }
        r = send_all(fd, head, strlen(head));
        if (r == 0 && upload)
                r = send_upload(fd, upload);
        if (r < 0 && r != -EPIPE && r != -ECONNRESET) {
                fprintf(stderr, "berthctl: %s %s: %s\n", method, path, strerror(-r));
                return -1;
        }
        http_response_reader_init(&rd, strcmp(method, "HEAD") == 0, on_head, on_body, &s);
        r = http_response_read(fd, &rd);
        if (r < 0) {
                fprintf(stderr, "berthctl: %s %s: %s\n", method, path,
                        r == -EPROTO ? "berthd's answer is not HTTP/1.1"
                                     : r == -ECONNRESET ? "berthd closed the connection"
                                                        : strerror(-r));
                ctl_reply_done(ret);
                return -1;
        }
        if (s.write_error) {
                fprintf(stderr, "berthctl: %s %s: write the answer: %s\n", method, path,
                        strerror(s.write_error));
                ctl_reply_done(ret);
                return -1;
        }
        return 0;
}

int
ctl_request(const char *host, const char *method, const char *path, FILE *upload, FILE *download,
            struct ctl_reply *ret)
{
        return ctl_request_ex(host, method, path, NULL, NULL, upload, download, ret);
}

int
ctl_request_json(const char *host, const char *method, const char *path, const char *json,
                 struct ctl_reply *ret)
{
        return ctl_request_ex(host, method, path, NULL, json, NULL, NULL, ret);
}

int
ctl_request_ex(const char *host, const char *method, const char *path, char *const *headers,
               const char *json_body, FILE *upload, FILE *download, struct ctl_reply *ret)
{
        struct sink s = {.reply = ret, .download = download};

        return request(host, method, path, headers, json_body, upload, s, ret);
}

int
ctl_request_stream(const char *host, const char *method, const char *path, char *const *headers,
                   ctl_body_fn fn, void *arg, struct ctl_reply *ret)
{
        struct sink s = {.reply = ret, .fn = fn, .arg = arg};

        return request(host, method, path, headers, NULL, NULL, s, ret);
}

int
ctl_request_stream_ready(const char *host, const char *method, const char *path,
                         ctl_body_fn fn, void (*ready)(void *arg), void *arg,
                         struct ctl_reply *ret)
{
        struct sink s = {.reply = ret, .fn = fn, .ready = ready, .arg = arg};

        return request(host, method, path, NULL, NULL, NULL, s, ret);
}

void
ctl_reply_done(struct ctl_reply *r)
{
        free(r->body);
        memset(r, 0, sizeof(*r));
}

int
ctl_print_error(const struct ctl_reply *r)
{
        cleanup_json struct json_object *doc = NULL;
        berth_error_t *err = NULL;
        struct json_object *m = NULL;

        if (r->body && json_parse_buffer(r->body, r->len, &doc, &err) == 0)
                json_object_object_get_ex(doc, "message", &m);
        berth_error_free(err);
        fprintf(stderr, "Error response from daemon: %s\n",
                m ? json_object_get_string(m) : (r->body ? r->body : "(no message)"));
        return 1;
}

struct json_object *
ctl_get_json(const char *host, const char *path)
{
        struct ctl_reply r;
        struct json_object *doc = NULL;
        berth_error_t *err = NULL;

        if (ctl_request(host, "GET", path, NULL, NULL, &r) < 0)
                return NULL;
        if (r.status != 200) {
                ctl_print_error(&r);
                ctl_reply_done(&r);
                return NULL;
        }
        if (json_parse_buffer(r.body ? r.body : "", r.len, &doc, &err) < 0) {
                fprintf(stderr, "berthctl: GET %s: bad JSON: %s\n", path, err->msg);
                berth_error_free(err);
        }
        ctl_reply_done(&r);
        return doc;
}

char *
ctl_escape(const char *s)
{
        static const char hex[] = "0123456789ABCDEF";
        char *out = xmalloc(strlen(s) * 3 + 1), *o = out;

        for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
                if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
                    || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
                        *o++ = (char) *p;
                } else {
                        *o++ = '%';
                        *o++ = hex[*p >> 4];
                        *o++ = hex[*p & 15];
                }
        }
        *o = '\0';
        return out;
}
