/* supervisor/images/registry_upload.c: one libcurl request function for the registry calls a
 * push makes (bodies from memory or from a blob's fd, upload-session headers collected), and
 * Location/query URL arithmetic. TLS and credentials come from the request's registry session
 * (registry.h). */
#include <config.h>

#include "supervisor/images/registry_upload.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"
#include "supervisor/images/registry.h"

#define MAX_REPLY_BODY (1 << 20)

void
registry_reply_done(struct registry_reply *r)
{
        free(r->body);
        free(r->location);
        free(r->upload_uuid);
        free(r->range);
        free(r->content_digest);
        free(r->www_authenticate);
        memset(r, 0, sizeof(*r));
}

static void
curl_easy_cleanupp(CURL **c)
{
        if (*c)
                curl_easy_cleanup(*c);
}
#define cleanup_curl __attribute__((cleanup(curl_easy_cleanupp)))

static void
curl_slist_freep(struct curl_slist **l)
{
        curl_slist_free_all(*l);
}
#define cleanup_slist __attribute__((cleanup(curl_slist_freep)))

struct transfer {
        const struct registry_request *req;
        size_t buf_off;  /* memory body: bytes sent */
        int64_t fd_left; /* fd body: bytes still to send */
        int read_errno;  /* a failed read of the fd body */
        bool short_read; /* the fd ended early */
        struct registry_reply *reply;
        bool body_too_large; /* the reply body was cut off (kept: only error text) */
};

static size_t
read_body(char *dst, size_t size, size_t nmemb, void *userdata)
{
        struct transfer *t = userdata;
        size_t room = size * nmemb, n;
        ssize_t got;

        if (t->req->body_fd >= 0) {
                if (t->fd_left == 0)
                        return 0;
                n = (int64_t) room < t->fd_left ? room : (size_t) t->fd_left;
                do
                        got = read(t->req->body_fd, dst, n);
                while (got < 0 && errno == EINTR);
                if (got < 0) {
                        t->read_errno = errno;
                        return CURL_READFUNC_ABORT;
                }
                if (got == 0) {
                        t->short_read = true;
                        return CURL_READFUNC_ABORT;
                }
                n = (size_t) got;
                t->fd_left -= (int64_t) n;
        } else {
                n = t->req->body_len - t->buf_off;
                if (n > room)
                        n = room;
                memcpy(dst, (const char *) t->req->body + t->buf_off, n);
                t->buf_off += n;
        }
        if (t->req->hash && n > 0)
                EVP_DigestUpdate(t->req->hash, dst, n);
        return n;
}

static size_t
write_reply(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct transfer *t = userdata;
        struct registry_reply *r = t->reply;
        size_t n = size * nmemb, keep = n;

        if (r->len + keep > MAX_REPLY_BODY) {
                t->body_too_large = true;
                keep = MAX_REPLY_BODY - r->len;
        }
        if (keep > 0) {
                r->body = xrealloc(r->body, r->len + keep + 1);
                memcpy(r->body + r->len, data, keep);
                r->len += keep;
                r->body[r->len] = '\0';
        }
        return n;
}

/* "Name: value\r\n" → a copy of value when NAME matches (case-insensitive), else NULL. */
static char *
header_value(const char *line, size_t len, const char *name)
{
        size_t nl = strlen(name);
        const char *v, *end = line + len;

        if (len <= nl || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
                return NULL;
        v = line + nl + 1;
        while (v < end && (*v == ' ' || *v == '\t'))
                v++;
        while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
                end--;
        return xstrndup(v, (size_t) (end - v));
}

static void
set_header(char **slot, char *value)
{
        if (value == NULL)
                return;
        free(*slot);
        *slot = value;
}

static size_t
read_header(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct transfer *t = userdata;
        struct registry_reply *r = t->reply;
        size_t n = size * nmemb;

        /* A new status line (a followed redirect, a 100 Continue): forget the earlier headers. */
        if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
                free(r->location);
                free(r->upload_uuid);
                free(r->range);
                free(r->content_digest);
                free(r->www_authenticate);
                r->location = r->upload_uuid = r->range = r->content_digest = NULL;
                r->www_authenticate = NULL;
                return n;
        }
        if (r->www_authenticate == NULL)
                set_header(&r->www_authenticate, header_value(data, n, "WWW-Authenticate"));
        set_header(&r->location, header_value(data, n, "Location"));
        set_header(&r->upload_uuid, header_value(data, n, "Docker-Upload-UUID"));
        set_header(&r->range, header_value(data, n, "Range"));
        set_header(&r->content_digest, header_value(data, n, "Docker-Content-Digest"));
        return n;
}

static bool
transport_retriable(CURLcode rc)
{
        switch (rc) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
                return true;
        default:
                return false;
        }
}

int
registry_request_perform(const struct registry_request *req, struct registry_reply *ret,
                         berth_error_t **err)
{
        cleanup_curl CURL *c = (registry_global_init(), curl_easy_init());
        cleanup_slist struct curl_slist *hdrs = NULL;
        cleanup_free char *ctype = NULL, *crange = NULL;
        struct registry_reply reply = {0};
        struct transfer t = {.req = req, .reply = &reply, .fd_left = req->body_size};
        bool has_body = req->body_fd >= 0 || req->body != NULL;
        curl_off_t body_size =
                req->body_fd >= 0 ? (curl_off_t) req->body_size : (curl_off_t) req->body_len;
        char errbuf[CURL_ERROR_SIZE] = "";
        CURLcode rc;

        if (c == NULL)
                abort();
        curl_easy_setopt(c, CURLOPT_URL, req->url);
        if (req->session) {
                /* The session settled the scheme; never from HTTPS down to HTTP on a redirect. */
                bool https = strncmp(req->url, "https://", 8) == 0;
                curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
                curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
                registry_session_prepare(req->session, c, &hdrs);
        } else {
                curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
                curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http");
        }
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "berthd/" PACKAGE_VERSION);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, read_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_reply);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &t);
        /* Bodies are sent at once: distribution answers "100 Continue" anyway, and waiting for
         * it costs a round trip per chunk. */
        hdrs = curl_slist_append(hdrs, "Expect:");
        if (req->content_type) {
                ctype = xasprintf("Content-Type: %s", req->content_type);
                hdrs = curl_slist_append(hdrs, ctype);
        }
        if (req->content_range) {
                crange = xasprintf("Content-Range: %s", req->content_range);
                hdrs = curl_slist_append(hdrs, crange);
        }
        if (strcmp(req->method, "HEAD") == 0) {
                curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
                curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
                curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        } else if (strcmp(req->method, "POST") == 0 && !has_body) {
                curl_easy_setopt(c, CURLOPT_POST, 1L);
                curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
                curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, 0L);
        } else if (has_body || strcmp(req->method, "PUT") == 0) {
                /* UPLOAD is a PUT; CUSTOMREQUEST turns it into PATCH or POST with the same
                 * streamed body. A PUT without a body still says "Content-Length: 0". */
                curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(c, CURLOPT_READFUNCTION, read_body);
                curl_easy_setopt(c, CURLOPT_READDATA, &t);
                curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, has_body ? body_size : 0);
                if (strcmp(req->method, "PUT") != 0)
                        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        } else {
                curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
        }
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
                registry_reply_done(&reply);
                if (t.read_errno)
                        return berth_error_new(err, ENODATA, "%s %s: reading the body: %s",
                                               req->method, req->url, strerror(t.read_errno));
                if (t.short_read)
                        return berth_error_new(err, ENODATA, "%s %s: the body ended early",
                                               req->method, req->url);
                return berth_error_new(err, transport_retriable(rc) ? EIO : EPROTO, "%s \"%s\": %s",
                                       req->method, req->url,
                                       errbuf[0] ? errbuf : curl_easy_strerror(rc));
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply.status);
        if (reply.body == NULL)
                reply.body = xstrdup("");
        *ret = reply;
        return 0;
}

/* "http://host:port" of URL (scheme and authority), or NULL when URL has no "://". */
static char *
url_origin(const char *url)
{
        const char *p = strstr(url, "://");

        if (p == NULL)
                return NULL;
        p += 3;
        return xstrndup(url, (size_t) (p - url) + strcspn(p, "/?#"));
}

char *
registry_url_resolve(const char *base, const char *location)
{
        cleanup_free char *origin = url_origin(base);
        const char *scheme_end = strstr(base, "://");
        size_t dir_len;

        if (location == NULL || location[0] == '\0')
                return xstrdup(base);
        for (const char *p = location; *p && *p != '/' && *p != '?'; p++)
                if (*p == ':' && p[1] == '/' && p[2] == '/')
                        return xstrdup(location); /* absolute */
        if (origin == NULL)
                return xstrdup(location);
        if (location[0] == '/' && location[1] == '/')
                return xasprintf("%.*s:%s", (int) (scheme_end - base), base, location);
        if (location[0] == '/')
                return xasprintf("%s%s", origin, location);
        /* Relative to the base's directory: its path up to the last "/" before any query. */
        dir_len = strcspn(base, "?#");
        while (dir_len > strlen(origin) && base[dir_len - 1] != '/')
                dir_len--;
        if (dir_len == strlen(origin))
                return xasprintf("%s/%s", origin, location);
        return xasprintf("%.*s%s", (int) dir_len, base, location);
}

char *
registry_url_add_query(const char *url, const char *key, const char *value)
{
        static const char hex[] = "0123456789ABCDEF";
        cleanup_free char *enc = xmalloc(strlen(value) * 3 + 1);
        size_t n = 0;

        for (const unsigned char *p = (const unsigned char *) value; *p; p++) {
                if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~' || *p == '/') {
                        enc[n++] = (char) *p;
                } else {
                        enc[n++] = '%';
                        enc[n++] = hex[*p >> 4];
                        enc[n++] = hex[*p & 15];
                }
        }
        enc[n] = '\0';
        return xasprintf("%s%s%s=%s", url, strchr(url, '?') ? "&" : "?", key, enc);
}
