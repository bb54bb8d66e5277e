/* supervisor/images/registry.c: HTTP GETs against a registry with libcurl: manifests into
 * memory, blobs streamed into a content store ingest and verified before commit. */
#include <config.h>

#include "supervisor/images/registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"

bool
registry_host_allows_http(const char *host, char *const *insecure)
{
        cleanup_free char *bare = NULL;
        struct in_addr a;
        char *colon;

        if (host == NULL || host[0] == '\0')
                return false;
        bare = xstrdup(host);
        colon = strrchr(bare, ':');
        if (colon && bare[0] != '[')
                *colon = '\0';
        if (inet_pton(AF_INET, bare, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127)
                return true;
        strv_foreach(i, insecure) {
                if (strcmp(i, host) == 0 || strcmp(i, bare) == 0)
                        return true;
        }
        return false;
}

char *
registry_format_errors(const char *body, size_t len)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL; /* not JSON: the caller says something else */
        struct json_object *errors = NULL, *e, *code = NULL, *msg = NULL;
        cleanup_free char *c = NULL;

        if (body == NULL || json_parse_buffer(body, len, &doc, &err) < 0
            || !json_object_object_get_ex(doc, "errors", &errors)
            || !json_object_is_type(errors, json_type_array)
            || json_object_array_length(errors) == 0)
                return NULL;
        e = json_object_array_get_idx(errors, 0);
        if (!json_object_object_get_ex(e, "code", &code)
            || !json_object_is_type(code, json_type_string))
                return NULL;
        json_object_object_get_ex(e, "message", &msg);
        c = xstrdup(json_object_get_string(code));
        for (char *p = c; *p; p++)
                *p = *p == '_' ? ' ' : (char) tolower((unsigned char) *p);
        if (msg && json_object_is_type(msg, json_type_string) && json_object_get_string_len(msg))
                return xasprintf("%s: %s", c, json_object_get_string(msg));
        return TAKE_PTR(c);
}

void
registry_response_done(struct registry_response *r)
{
        free(r->body);
        free(r->content_type);
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

static CURL *
new_handle(const char *url)
{
        CURL *c = curl_easy_init();

        if (c == NULL)
                abort();
        curl_easy_setopt(c, CURLOPT_URL, url);
        /* Plain HTTP only for now (registry_host_allows_http decided it); redirects stay on it. */
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http");
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "berthd/" PACKAGE_VERSION);
        return c;
}

struct mem_sink {
        char *buf;
        size_t len, max;
        bool too_large;
};

static size_t
mem_write(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct mem_sink *m = userdata;
        size_t n = size * nmemb;

        if (m->len + n > m->max) {
                m->too_large = true;
                return 0;
        }
        m->buf = xrealloc(m->buf, m->len + n + 1);
        memcpy(m->buf + m->len, data, n);
        m->len += n;
        m->buf[m->len] = '\0';
        return n;
}

int
registry_get(const char *url, const char *accept, size_t max, struct registry_response *ret,
             berth_error_t **err)
{
        cleanup_curl CURL *c = new_handle(url);
        cleanup_slist struct curl_slist *hdrs = NULL;
        cleanup_free char *accept_hdr = NULL;
        struct mem_sink m = {.max = max};
        char *ctype = NULL;
        CURLcode rc;

        if (accept) {
                accept_hdr = xasprintf("Accept: %s", accept);
                hdrs = curl_slist_append(hdrs, accept_hdr);
                curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        }
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
        rc = curl_easy_perform(c);
        if (rc != CURLE_OK) {
                free(m.buf);
                if (m.too_large)
                        return berth_error_new(err, EIO, "GET %s: larger than %zu bytes", url, max);
                return berth_error_new(err, EIO, "GET %s: %s", url, curl_easy_strerror(rc));
        }
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &ret->status);
        curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
        ret->body = m.buf ? m.buf : xstrdup("");
        ret->len = m.len;
        ret->content_type = ctype ? xstrndup(ctype, strcspn(ctype, "; ")) : xstrdup("");
        return 0;
}

struct ingest_sink {
        struct content_ingest *in;
        int64_t want, got;
        berth_error_t *err;
        bool too_large;
};

static size_t
ingest_write(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct ingest_sink *s = userdata;
        size_t n = size * nmemb;

        if (s->got + (int64_t) n > s->want) {
                s->too_large = true;
                return 0;
        }
        if (content_ingest_write(s->in, data, n, &s->err) < 0)
                return 0;
        s->got += (int64_t) n;
        return n;
}

int
registry_fetch_blob(struct content_store *store, const char *url, const char *digest, int64_t size,
                    berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_curl CURL *c = NULL;
        cleanup_free char *ref = NULL;
        struct ingest_sink s = {.want = size};
        int64_t have = -1, resumed = 0;
        long status = 0;
        CURLcode rc;
        int r;

        {
                cleanup_error berth_error_t *miss = NULL; /* absent: fetch it */
                if (content_store_stat_blob(store, digest, &have, &miss) >= 0 && have == size)
                        return 0;
        }
        ref = xasprintf("pull-%s-%d-%lld", digest + 7, (int) getpid(), (long long) time(NULL));
        r = content_ingest_open(store, ref, &in, &resumed, err);
        if (r < 0)
                return r;
        if (resumed != 0) {
                content_ingest_abort(in); /* refs are unique per pull: never resume one */
                return berth_error_new(err, EEXIST, "ingest \"%s\" exists", ref);
        }
        s.in = in;
        c = new_handle(url);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ingest_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
        rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        if (rc != CURLE_OK) {
                content_ingest_abort(in);
                if (s.err) {
                        *err = s.err;
                        return -(*err)->code;
                }
                if (s.too_large)
                        return berth_error_new(err, EINVAL,
                                               "filesystem layer verification failed for digest "
                                               "%s: more than %lld bytes",
                                               digest, (long long) size);
                if (status == 404)
                        return berth_error_new(err, ENOENT, "blob %s: blob unknown to registry",
                                               digest);
                return berth_error_new(err, EIO, "GET %s: %s", url, curl_easy_strerror(rc));
        }
        {
                char got[CONTENT_DIGEST_BUF];
                content_ingest_digest(in, got);
                r = content_ingest_commit(in, digest, size, err);
                if (r == -EEXIST) {
                        berth_error_free(*err); /* the same bytes were stored meanwhile */
                        *err = NULL;
                        return 0;
                }
                if (r == -EINVAL) {
                        /* The registry served other bytes than the manifest names. */
                        berth_error_free(*err);
                        *err = NULL;
                        if (s.got != size)
                                return berth_error_new(err, EINVAL,
                                                       "filesystem layer verification failed for "
                                                       "digest %s: %lld bytes, expected %lld",
                                                       digest, (long long) s.got, (long long) size);
                        return berth_error_new(err, EINVAL,
                                               "filesystem layer verification failed for digest "
                                               "%s: digest mismatch (the content hashes to %s)",
                                               digest, got);
                }
        }
        return r;
}

struct stream_sink {
        size_t (*write)(const void *buf, size_t len, void *arg);
        int (*cancelled)(void *arg);
        void *arg;
};

static size_t
stream_write(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct stream_sink *s = userdata;
        return s->write(data, size * nmemb, s->arg);
}

static int
stream_xferinfo(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                curl_off_t ulnow)
{
        struct stream_sink *s = userdata;

        (void) dltotal;
        (void) dlnow;
        (void) ultotal;
        (void) ulnow;
        return s->cancelled && s->cancelled(s->arg) ? 1 : 0;
}

int
registry_get_stream(const char *url, size_t (*write)(const void *buf, size_t len, void *arg),
                    int (*cancelled)(void *arg), void *arg, long *ret_status, berth_error_t **err)
{
        cleanup_curl CURL *c = new_handle(url);
        struct stream_sink s = {.write = write, .cancelled = cancelled, .arg = arg};
        CURLcode rc;

        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, stream_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
        curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
        curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stream_xferinfo);
        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
        rc = curl_easy_perform(c);
        *ret_status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, ret_status);
        if (rc == CURLE_ABORTED_BY_CALLBACK)
                return berth_error_new(err, ECANCELED, "GET %s: cancelled", url);
        if (rc == CURLE_WRITE_ERROR)
                return berth_error_new(err, EIO, "GET %s: write failed", url);
        if (rc != CURLE_OK)
                return berth_error_new(err, *ret_status == 404 ? ENOENT : EIO, "GET %s: %s", url,
                                       curl_easy_strerror(rc));
        return 0;
}
