/* supervisor/ctl/client.c: one request to berthd over its UNIX socket. */
#include <config.h>

#include "supervisor/ctl/client.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"

struct sink {
        struct ctl_reply *reply;
        CURL *curl;
        FILE *download;
        ctl_body_fn fn; /* a 2xx body as it arrives (ctl_request_stream) */
        void (*ready)(void *arg); /* the final response's headers have arrived */
        void *arg;
};

static size_t
on_data(char *p, size_t size, size_t n, void *ud)
{
        struct sink *s = ud;
        struct ctl_reply *b = s->reply;
        size_t add = size * n;
        long status = 0;

        curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
        if (s->fn && status >= 200 && status < 300) {
                s->fn(p, add, s->arg);
                return add;
        }
        if (s->download && status >= 200 && status < 300)
                return fwrite(p, 1, add, s->download);
        b->body = xrealloc(b->body, b->len + add + 1);
        memcpy(b->body + b->len, p, add);
        b->len += add;
        b->body[b->len] = '\0';
        return add;
}

int
ctl_request(const char *host, const char *method, const char *path, FILE *upload, FILE *download,
            struct ctl_reply *ret)
{
        return ctl_request_ex(host, method, path, NULL, NULL, upload, download, ret);
}

static int request(const char *host, const char *method, const char *path, char *const *headers,
                   const char *json_body, FILE *upload, struct sink s, struct ctl_reply *ret);

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

/* The blank line ending a final (not 1xx) response's headers: tell s->ready. */
static size_t
on_header(char *p, size_t size, size_t n, void *ud)
{
        struct sink *s = ud;
        long status = 0;

        if (size * n == 2 && p[0] == '\r' && p[1] == '\n') {
                curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &status);
                if (status >= 200)
                        s->ready(s->arg);
        }
        return size * n;
}

static int
request(const char *host, const char *method, const char *path, char *const *headers,
        const char *json_body, FILE *upload, struct sink s, struct ctl_reply *ret)
{
        cleanup_free char *url = xasprintf("http://localhost/v" CTL_CLIENT_API "%s", path);
        struct curl_slist *hdrs = NULL;
        CURLcode rc;

        memset(ret, 0, sizeof(*ret));
        if (strncmp(host, "unix://", 7) != 0 || host[7] != '/') {
                fprintf(stderr, "berthctl: host \"%s\": want unix:///path/to/socket\n", host);
                return -1;
        }
        s.curl = curl_easy_init();
        if (s.curl == NULL) {
                fprintf(stderr, "berthctl: cannot initialise libcurl\n");
                return -1;
        }
        curl_easy_setopt(s.curl, CURLOPT_UNIX_SOCKET_PATH, host + 7);
        curl_easy_setopt(s.curl, CURLOPT_URL, url);
        curl_easy_setopt(s.curl, CURLOPT_USERAGENT, "berthctl/" PACKAGE_VERSION);
        curl_easy_setopt(s.curl, CURLOPT_CUSTOMREQUEST, method);
        if (strcmp(method, "HEAD") == 0)
                curl_easy_setopt(s.curl, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(s.curl, CURLOPT_WRITEFUNCTION, on_data);
        curl_easy_setopt(s.curl, CURLOPT_WRITEDATA, &s);
        if (s.ready) {
                curl_easy_setopt(s.curl, CURLOPT_HEADERFUNCTION, on_header);
                curl_easy_setopt(s.curl, CURLOPT_HEADERDATA, &s);
        }
        if (upload) {
                hdrs = curl_slist_append(hdrs, "Content-Type: application/x-tar");
                curl_easy_setopt(s.curl, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(s.curl, CURLOPT_READDATA, upload);
                curl_easy_setopt(s.curl, CURLOPT_HTTPHEADER, hdrs);
        } else if (json_body) {
                hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
                curl_easy_setopt(s.curl, CURLOPT_POSTFIELDS, json_body);
        } else if (strcmp(method, "POST") == 0) {
                curl_easy_setopt(s.curl, CURLOPT_POSTFIELDS, "");
        }
        for (size_t i = 0; headers && headers[i]; i++)
                hdrs = curl_slist_append(hdrs, headers[i]);
        curl_easy_setopt(s.curl, CURLOPT_HTTPHEADER, hdrs);
        rc = curl_easy_perform(s.curl);
        curl_slist_free_all(hdrs);
        if (rc != CURLE_OK) {
                fprintf(stderr,
                        "berthctl: cannot connect to berthd at %s: %s (is berthd running?)\n", host,
                        curl_easy_strerror(rc));
                curl_easy_cleanup(s.curl);
                ctl_reply_done(ret);
                return -1;
        }
        curl_easy_getinfo(s.curl, CURLINFO_RESPONSE_CODE, &ret->status);
        curl_easy_cleanup(s.curl);
        return 0;
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
        char *e = curl_easy_escape(NULL, s, 0);
        char *out = xstrdup(e ? e : "");
        curl_free(e);
        return out;
}
