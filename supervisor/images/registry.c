/* supervisor/images/registry.c: registry sessions over libcurl (registry.h): TLS with the
 * certs.d CAs, bearer and basic auth, retries with backoff; manifests into memory, blobs
 * streamed into a content store ingest (resumed with Range after a drop) and verified before
 * commit. */
#include <config.h>

#include "supervisor/images/registry.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/registry_scope.h"

bool
registry_host_allows_http(const char *host, char *const *insecure)
{
        return registry_host_is_insecure(host, insecure);
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

/* ---- sessions ---- */

void
registry_session_free(struct registry_session *s)
{
        if (s == NULL)
                return;
        free(s->host);
        free(s->repository);
        free(s->actions);
        free(s->base);
        registry_certs_done(&s->certs);
        registry_creds_done(&s->creds);
        free(s->token);
        strv_free(s->scopes);
        registry_challenge_done(&s->challenge);
        pthread_mutex_destroy(&s->lock);
        free(s);
}

static struct registry_session *
session_alloc(void)
{
        struct registry_session *s = xzalloc(sizeof(*s));

        pthread_mutex_init(&s->lock, NULL);
        s->tries = 3;
        s->backoff_ms = 200;
        s->verify = true;
        return s;
}

int
registry_session_new(const struct registry_config *cfg, const struct registry_endpoint *ep,
                     const char *host, const char *repository, const char *actions,
                     const struct registry_creds *creds, struct registry_session **ret,
                     berth_error_t **err)
{
        static char *const default_dirs[] = REGISTRY_CERTS_DIRS_INIT;
        struct registry_session *s = session_alloc();
        int r;

        s->host = xstrdup(host);
        s->repository = repository ? xstrdup(repository) : NULL;
        s->actions = xstrdup(actions ? actions : "pull");
        s->base = xstrdup(ep->url);
        s->tls = ep->tls;
        s->mirror = ep->mirror;
        s->verify = ep->tls == REGISTRY_TLS_VERIFY || ep->tls == REGISTRY_TLS_VERIFY_OR_HTTP;
        if (cfg && cfg->tries > 0)
                s->tries = cfg->tries;
        if (cfg && cfg->backoff_ms > 0)
                s->backoff_ms = cfg->backoff_ms;
        r = registry_certs_find(cfg && cfg->certs_dirs ? cfg->certs_dirs : default_dirs, ep->host,
                                &s->certs, err);
        if (r < 0) {
                registry_session_free(s);
                return r;
        }
        if (registry_creds_present(creds)) {
                registry_creds_copy(&s->creds, creds);
        } else if (cfg && cfg->auth_file && access(cfg->auth_file, F_OK) == 0) {
                cleanup_json struct json_object *doc = NULL;
                r = json_parse_file(cfg->auth_file, &doc, err);
                if (r >= 0)
                        r = registry_auths_lookup(doc, host, &s->creds, err);
                if (r < 0) {
                        registry_session_free(s);
                        return berth_error_prefix(err, "%s", cfg->auth_file);
                }
        }
        *ret = s;
        return 0;
}

void
registry_session_backoff(const struct registry_session *s, int try)
{
        long ms = s->backoff_ms << (try > 1 ? try - 1 : 0);
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};

        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

/* Add every CA file of the session to the handshake's store, beside the system's. */
static CURLcode
add_cas(CURL *c, void *sslctx, void *userdata)
{
        struct registry_session *s = userdata;
        X509_STORE *store = SSL_CTX_get_cert_store(sslctx);

        (void) c;
        strv_foreach(path, s->certs.ca_files) {
                FILE *f = fopen(path, "re");
                X509 *x;
                if (f == NULL)
                        continue;
                while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
                        X509_STORE_add_cert(store, x); /* a duplicate is refused: fine */
                        X509_free(x);
                }
                ERR_clear_error();
                fclose(f);
        }
        return CURLE_OK;
}

static void
global_init_once(void)
{
        curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
registry_global_init(void)
{
        static pthread_once_t once = PTHREAD_ONCE_INIT;

        pthread_once(&once, global_init_once);
}

/* A handle for URL with the session's TLS settings (S may be NULL: verified, system store). */
static CURL *
new_handle(struct registry_session *s, const char *url)
{
        CURL *c;

        registry_global_init();
        c = curl_easy_init();
        bool https = strncmp(url, "https://", 8) == 0;

        if (c == NULL)
                abort();
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
        /* Never from HTTPS down to plain HTTP on a redirect. */
        curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, https ? "https" : "http,https");
        curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
        curl_easy_setopt(c, CURLOPT_USERAGENT, "berthd/" PACKAGE_VERSION);
        if (s) {
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, s->verify ? 1L : 0L);
                curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, s->verify ? 2L : 0L);
                if (s->certs.ca_files) {
                        curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_cas);
                        curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, s);
                }
                if (s->certs.client_cert) {
                        curl_easy_setopt(c, CURLOPT_SSLCERT, s->certs.client_cert);
                        curl_easy_setopt(c, CURLOPT_SSLKEY, s->certs.client_key);
                }
        }
        return c;
}

void
registry_session_prepare(struct registry_session *s, void *handle, struct curl_slist **hdrs)
{
        CURL *c = handle;

        curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, s->verify ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, s->verify ? 2L : 0L);
        if (s->certs.ca_files) {
                curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, add_cas);
                curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, s);
        }
        if (s->certs.client_cert) {
                curl_easy_setopt(c, CURLOPT_SSLCERT, s->certs.client_cert);
                curl_easy_setopt(c, CURLOPT_SSLKEY, s->certs.client_key);
        }
        pthread_mutex_lock(&s->lock);
        if (s->token) {
                cleanup_free char *h = xasprintf("Authorization: Bearer %s", s->token);
                *hdrs = curl_slist_append(*hdrs, h);
        } else if (s->basic && s->creds.username) {
                curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
                curl_easy_setopt(c, CURLOPT_USERNAME, s->creds.username);
                curl_easy_setopt(c, CURLOPT_PASSWORD, s->creds.password ? s->creds.password : "");
        }
        pthread_mutex_unlock(&s->lock);
}

/* What one request saw besides its body. */
struct xfer {
        long status;
        char *www_auth; /* the last response's first WWW-Authenticate */
        char errbuf[CURL_ERROR_SIZE];
        long verify_result;
        CURLcode rc;
};

static void
xfer_done(struct xfer *x)
{
        free(x->www_auth);
        x->www_auth = NULL;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct xfer *x = userdata;
        size_t n = size * nmemb;
        static const char key[] = "www-authenticate:";

        if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
                free(x->www_auth); /* a new response (after a redirect or 100) */
                x->www_auth = NULL;
        } else if (n > sizeof(key) - 1 && strncasecmp(data, key, sizeof(key) - 1) == 0
                   && x->www_auth == NULL) {
                const char *v = data + sizeof(key) - 1;
                size_t len = n - (sizeof(key) - 1);
                while (len && (*v == ' ' || *v == '\t')) {
                        v++;
                        len--;
                }
                while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
                        len--;
                x->www_auth = xstrndup(v, len);
        }
        return n;
}

/* Perform C (headers HDRS, already prepared), recording into X. */
static void
perform(CURL *c, struct curl_slist *hdrs, struct xfer *x)
{
        x->errbuf[0] = '\0';
        x->status = 0;
        x->verify_result = 0;
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->errbuf);
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
        x->rc = curl_easy_perform(c);
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &x->status);
        curl_easy_getinfo(c, CURLINFO_SSL_VERIFYRESULT, &x->verify_result);
}

/* Go's wording of a certificate failure, which is what docker users search for. */
static const char *
x509_text(long v)
{
        switch (v) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
                return "certificate signed by unknown authority";
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
                return "certificate has expired or is not yet valid";
        case X509_V_ERR_HOSTNAME_MISMATCH:
        case X509_V_ERR_IP_ADDRESS_MISMATCH:
                return "certificate is not valid for this host";
        default:
                return X509_verify_cert_error_string(v);
        }
}

/* The message for a transport failure of METHOD URL. */
static int
transport_error(berth_error_t **err, const char *method, const char *url, const struct xfer *x)
{
        const char *why = x->errbuf[0] ? x->errbuf : curl_easy_strerror(x->rc);

        if (x->rc == CURLE_PEER_FAILED_VERIFICATION && x->verify_result != 0)
                return berth_error_new(err, EIO, "%s \"%s\": x509: %s (%s)", method, url,
                                       x509_text(x->verify_result), why);
        return berth_error_new(err, EIO, "%s \"%s\": %s", method, url, why);
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

static bool
status_retriable(long status)
{
        return status == 429 || (status >= 500 && status <= 599);
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

/* GET the token endpoint of challenge C for SCOPE (may be NULL). */
static int
fetch_token(struct registry_session *s, const struct registry_challenge *c, char *const *scopes,
            char **ret, berth_error_t **err)
{
        cleanup_curl CURL *h = NULL;
        cleanup_slist struct curl_slist *hdrs = NULL;
        cleanup_free char *url = NULL, *body = NULL;
        cleanup_json struct json_object *doc = NULL;
        struct mem_sink m = {.max = 1 << 20};
        struct xfer x = {0};
        const char *tok = NULL;
        char *e;
        int r;

        {
                /* realm?service=…&scope=…&scope=…&account=… (the realm may carry a query
                 * already; one scope parameter per scope, as docker sends them) */
                char *sv = c->service ? curl_easy_escape(NULL, c->service, 0) : NULL;
                cleanup_free char *sq = registry_scopes_query(scopes);
                cleanup_free char *joined = scopes ? strv_join(scopes, " ") : NULL;
                char *sc = joined ? curl_easy_escape(NULL, joined, 0) : NULL;
                char *ac = s->creds.username ? curl_easy_escape(NULL, s->creds.username, 0) : NULL;
                url = xasprintf("%s%s%s%s%s%s%s%s", c->realm, strchr(c->realm, '?') ? "&" : "?",
                                sv ? "service=" : "", sv ? sv : "", sq[0] ? "&" : "", sq,
                                ac ? "&account=" : "", ac ? ac : "");
                if (s->creds.identity_token && s->creds.identity_token[0])
                        body = xasprintf(
                                "grant_type=refresh_token&refresh_token=%s&client_id=berthd"
                                "&service=%s&scope=%s",
                                s->creds.identity_token, sv ? sv : "", sc ? sc : "");
                curl_free(sv);
                curl_free(sc);
                curl_free(ac);
        }
        h = new_handle(s, body ? c->realm : url);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, mem_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &m);
        if (body) {
                /* An identity token is an OAuth2 refresh token: POSTed, as docker does. */
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        } else if (s->creds.username) {
                curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long) CURLAUTH_BASIC);
                curl_easy_setopt(h, CURLOPT_USERNAME, s->creds.username);
                curl_easy_setopt(h, CURLOPT_PASSWORD, s->creds.password ? s->creds.password : "");
        }
        for (int try = 1;; try++) {
                free(m.buf);
                m.buf = NULL;
                m.len = 0;
                xfer_done(&x);
                perform(h, hdrs, &x);
                if (x.rc == CURLE_OK && !status_retriable(x.status))
                        break;
                if (try >= s->tries || (x.rc != CURLE_OK && !transport_retriable(x.rc)))
                        break;
                registry_session_backoff(s, try);
        }
        xfer_done(&x);
        if (x.rc != CURLE_OK) {
                free(m.buf);
                return transport_error(err, "Get", c->realm, &x);
        }
        if (x.status == 401 || x.status == 403) {
                cleanup_free char *why = registry_format_errors(m.buf, m.len);
                free(m.buf);
                return berth_error_new(err, EACCES, "Get \"%s\": %s", c->realm,
                                       why ? why : "unauthorized: incorrect username or password");
        }
        if (x.status != 200) {
                cleanup_free char *why = registry_format_errors(m.buf, m.len);
                free(m.buf);
                return berth_error_new(err, EIO, "Get \"%s\": token server answered HTTP %ld%s%s",
                                       c->realm, x.status, why ? ": " : "", why ? why : "");
        }
        r = json_parse_buffer(m.buf ? m.buf : "", m.len, &doc, err);
        free(m.buf);
        if (r < 0)
                return berth_error_prefix(err, "Get \"%s\": token", c->realm);
        {
                struct json_object *v = NULL;
                if ((json_object_object_get_ex(doc, "token", &v)
                     && json_object_is_type(v, json_type_string) && json_object_get_string_len(v))
                    || (json_object_object_get_ex(doc, "access_token", &v)
                        && json_object_is_type(v, json_type_string)
                        && json_object_get_string_len(v)))
                        tok = json_object_get_string(v);
        }
        if (tok == NULL)
                return berth_error_new(err, EIO, "Get \"%s\": no token in the answer", c->realm);
        e = xstrdup(tok);
        *ret = e;
        return 0;
}

/* The scopes a token is asked for: the session's repository with its actions, the scopes
 * added with registry_session_add_scope, then what the challenge names (CHALLENGE_SCOPE, may be
 * NULL). Called with the lock held. */
static char **
session_scopes(const struct registry_session *s, const char *challenge_scope)
{
        char **list = NULL;

        if (s->repository) {
                cleanup_free char *own = registry_scope_repository(s->repository, s->actions);
                registry_scopes_add(&list, own);
        }
        strv_foreach(x, s->scopes)
                registry_scopes_add(&list, x);
        registry_scopes_add(&list, challenge_scope);
        return list;
}

static void
challenge_copy(struct registry_challenge *dst, const struct registry_challenge *src)
{
        memset(dst, 0, sizeof(*dst));
        dst->scheme = src->scheme;
        dst->realm = src->realm ? xstrdup(src->realm) : NULL;
        dst->service = src->service ? xstrdup(src->service) : NULL;
        dst->scope = src->scope ? xstrdup(src->scope) : NULL;
}

int
registry_session_authorize(struct registry_session *s, const char *www_authenticate,
                           berth_error_t **err)
{
        struct registry_challenge c = {0};
        cleanup_strv char **scopes = NULL;
        cleanup_free char *token = NULL;
        int r;

        if (www_authenticate == NULL)
                return berth_error_new(err, EACCES,
                                       "unauthorized: authentication required (no challenge)");
        r = registry_challenge_parse(www_authenticate, &c, err);
        if (r < 0)
                return r;
        if (c.scheme == REGISTRY_AUTH_BASIC) {
                registry_challenge_done(&c);
                pthread_mutex_lock(&s->lock);
                if (s->creds.username == NULL || s->basic) {
                        bool had = s->basic;
                        pthread_mutex_unlock(&s->lock);
                        return berth_error_new(err, EACCES, "%s",
                                               had ? "unauthorized: authentication required"
                                                   : "no basic auth credentials");
                }
                s->basic = true;
                pthread_mutex_unlock(&s->lock);
                return 0;
        }
        pthread_mutex_lock(&s->lock);
        scopes = session_scopes(s, c.scope);
        pthread_mutex_unlock(&s->lock);
        r = fetch_token(s, &c, scopes, &token, err);
        if (r < 0) {
                registry_challenge_done(&c);
                return r;
        }
        pthread_mutex_lock(&s->lock);
        free(s->token);
        s->token = TAKE_PTR(token);
        registry_challenge_done(&s->challenge);
        s->challenge = c;
        pthread_mutex_unlock(&s->lock);
        return 0;
}

int
registry_session_add_scope(struct registry_session *s, const char *scope, berth_error_t **err)
{
        struct registry_challenge c = {0};
        cleanup_strv char **scopes = NULL;
        cleanup_free char *token = NULL;
        bool bearer;
        int r;

        pthread_mutex_lock(&s->lock);
        strv_foreach(x, s->scopes) {
                if (strcmp(x, scope) == 0) {
                        pthread_mutex_unlock(&s->lock);
                        return 0;
                }
        }
        strv_push(&s->scopes, scope);
        bearer = s->token && s->challenge.scheme == REGISTRY_AUTH_BEARER;
        if (bearer) {
                challenge_copy(&c, &s->challenge);
                scopes = session_scopes(s, c.scope);
        }
        pthread_mutex_unlock(&s->lock);
        if (!bearer)
                return 0;
        r = fetch_token(s, &c, scopes, &token, err);
        registry_challenge_done(&c);
        if (r < 0)
                return r;
        pthread_mutex_lock(&s->lock);
        free(s->token);
        s->token = TAKE_PTR(token);
        pthread_mutex_unlock(&s->lock);
        return 0;
}

/* One GET of URL into memory (at most MAX bytes) with auth and retries; any HTTP status is returned
 * in *ret, transport failures are -EIO. */
static int
session_get_url(struct registry_session *s, const char *url, const char *accept, size_t max,
                struct registry_response *ret, berth_error_t **err)
{
        bool reauthed = false;
        struct mem_sink m = {.max = max};
        struct xfer x = {0};
        char *ctype = NULL;

        for (int try = 1;;) {
                cleanup_curl CURL *c = new_handle(s, url);
                cleanup_slist struct curl_slist *hdrs = NULL;
                cleanup_free char *accept_hdr = NULL;
                if (accept) {
                        accept_hdr = xasprintf("Accept: %s", accept);
                        hdrs = curl_slist_append(hdrs, accept_hdr);
                }
                registry_session_prepare(s, c, &hdrs);
                free(m.buf);
                m = (struct mem_sink){.max = max};
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
                xfer_done(&x);
                perform(c, hdrs, &x);
                if (x.rc != CURLE_OK) {
                        if (m.too_large) {
                                free(m.buf);
                                return berth_error_new(
                                        err, EIO, "Get \"%s\": larger than %zu bytes", url, max);
                        }
                        if (transport_retriable(x.rc) && try < s->tries) {
                                registry_session_backoff(s, try++);
                                continue;
                        }
                        free(m.buf);
                        return transport_error(err, "Get", url, &x);
                }
                if (x.status == 401 && !reauthed) {
                        int r;
                        reauthed = true;
                        r = registry_session_authorize(s, x.www_auth, err);
                        if (r < 0) {
                                free(m.buf);
                                xfer_done(&x);
                                return berth_error_prefix(err, "Get \"%s\"", url);
                        }
                        continue;
                }
                if (x.status == 401) {
                        cleanup_free char *why = registry_format_errors(m.buf, m.len);
                        free(m.buf);
                        xfer_done(&x);
                        return berth_error_new(err, EACCES, "Get \"%s\": %s", url,
                                               why ? why : "unauthorized: authentication required");
                }
                if (status_retriable(x.status) && try < s->tries) {
                        registry_session_backoff(s, try++);
                        continue;
                }
                curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ctype);
                ret->content_type = ctype ? xstrndup(ctype, strcspn(ctype, "; ")) : xstrdup("");
                break;
        }
        xfer_done(&x);
        ret->status = x.status;
        ret->body = m.buf ? m.buf : xstrdup("");
        ret->len = m.len;
        return 0;
}

/* GET BASE/v2/ once per candidate scheme; on 0 *ret_x holds the outcome. */
static void
ping_once(struct registry_session *s, struct xfer *x)
{
        cleanup_free char *url = xasprintf("%s/v2/", s->base);

        for (int try = 1;; try++) {
                cleanup_curl CURL *c = new_handle(s, url);
                cleanup_slist struct curl_slist *hdrs = NULL;
                struct mem_sink m = {.max = 1 << 20};
                registry_session_prepare(s, c, &hdrs);
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, mem_write);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, &m);
                xfer_done(x);
                perform(c, hdrs, x);
                free(m.buf);
                if (try >= s->tries)
                        return;
                if (x->rc != CURLE_OK ? !transport_retriable(x->rc) : !status_retriable(x->status))
                        return;
                registry_session_backoff(s, try);
        }
}

static void
set_scheme(struct registry_session *s, const char *scheme)
{
        const char *rest = strstr(s->base, "://");
        char *b = xasprintf("%s%s", scheme, rest ? rest : "");

        free(s->base);
        s->base = b;
}

int
registry_session_ping(struct registry_session *s, berth_error_t **err)
{
        cleanup_free char *url = NULL;
        struct xfer x = {0};
        int r;

        if (s->pinged)
                return 0;
        if (s->tls == REGISTRY_TLS_NONE)
                set_scheme(s, "http");
        ping_once(s, &x);
        if (x.rc != CURLE_OK && strncmp(s->base, "https://", 8) == 0
            && (s->tls == REGISTRY_TLS_INSECURE_OR_HTTP
                || (s->tls == REGISTRY_TLS_VERIFY_OR_HTTP && x.rc == CURLE_SSL_CONNECT_ERROR))) {
                /* No TLS there (or none that works, for an insecure registry): plain HTTP. */
                set_scheme(s, "http");
                s->verify = false;
                ping_once(s, &x);
        }
        url = xasprintf("%s/v2/", s->base);
        if (x.rc != CURLE_OK) {
                r = transport_error(err, "Get", url, &x);
                xfer_done(&x);
                return r;
        }
        if (x.status == 401) {
                bool basic;
                r = registry_session_authorize(s, x.www_auth, err);
                xfer_done(&x);
                if (r < 0)
                        return berth_error_prefix(err, "Get \"%s\"", url);
                pthread_mutex_lock(&s->lock);
                basic = s->basic;
                pthread_mutex_unlock(&s->lock);
                if (basic) {
                        /* Check the credentials now: a login must fail here. */
                        ping_once(s, &x);
                        xfer_done(&x);
                        if (x.rc != CURLE_OK)
                                return transport_error(err, "Get", url, &x);
                        if (x.status == 401)
                                return berth_error_new(err, EACCES,
                                                       "login attempt to %s failed with status: "
                                                       "401 Unauthorized",
                                                       url);
                }
        } else if (status_retriable(x.status)) {
                xfer_done(&x);
                return berth_error_new(err, EIO, "Get \"%s\": HTTP %ld", url, x.status);
        }
        xfer_done(&x);
        s->pinged = true;
        return 0;
}

int
registry_session_get(struct registry_session *s, const char *suffix, const char *accept, size_t max,
                     struct registry_response *ret, berth_error_t **err)
{
        cleanup_free char *url = NULL;
        int r = registry_session_ping(s, err);

        if (r < 0)
                return r;
        url = xasprintf("%s/v2/%s/%s", s->base, s->repository, suffix);
        return session_get_url(s, url, accept, max, ret, err);
}

struct ingest_sink {
        struct content_ingest *in;
        CURL *c;
        int64_t want, got;
        int64_t skip; /* bytes to drop first: the server ignored our Range */
        bool decided; /* the status of this response was looked at */
        bool body_ok; /* 200 or 206: the body is the blob */
        struct mem_sink errbody;
        berth_error_t *err;
        bool too_large;
        bool cancelled;
        const struct registry_blob_sink *cb; /* may be NULL */
};

static size_t
ingest_write(char *data, size_t size, size_t nmemb, void *userdata)
{
        struct ingest_sink *s = userdata;
        size_t n = size * nmemb, k = 0;

        if (!s->decided) {
                long status = 0;
                curl_easy_getinfo(s->c, CURLINFO_RESPONSE_CODE, &status);
                s->decided = true;
                s->body_ok = status == 200 || status == 206;
                if (status == 200)
                        s->skip = s->got; /* the whole blob again: skip what we have */
        }
        if (!s->body_ok) {
                /* An error body: kept (small) for the message. */
                if (mem_write(data, size, nmemb, &s->errbody) == 0)
                        s->errbody.too_large = false;
                return n;
        }
        if (s->skip > 0) {
                k = (size_t) s->skip < n ? (size_t) s->skip : n;
                s->skip -= (int64_t) k;
                if (k == n)
                        return n;
        }
        if (s->got + (int64_t) (n - k) > s->want) {
                s->too_large = true;
                return 0;
        }
        if (content_ingest_write(s->in, data + k, n - k, &s->err) < 0)
                return 0;
        s->got += (int64_t) (n - k);
        if (s->cb && s->cb->progress)
                s->cb->progress(s->got, s->cb->arg);
        return n;
}

static int
ingest_xferinfo(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                curl_off_t ulnow)
{
        struct ingest_sink *s = userdata;

        (void) dltotal;
        (void) dlnow;
        (void) ultotal;
        (void) ulnow;
        if (s->cb->cancelled(s->cb->arg)) {
                s->cancelled = true;
                return 1;
        }
        return 0;
}

/* GET URL (the blob DIGEST of SIZE bytes) into IN: retried with backoff, a dropped transfer
 * resumed with Range (the ingest only grows, so a reader following it sees each byte once). */
static int
get_blob_url(struct registry_session *sess, struct content_ingest *in, const char *url,
             const char *digest, int64_t size, const struct registry_blob_sink *cb,
             berth_error_t **err)
{
        struct ingest_sink s = {.in = in, .want = size, .errbody = {.max = 64 << 10}, .cb = cb};
        struct xfer x = {0};
        bool reauthed = false;
        int r = 0;

        for (int try = 1;;) {
                cleanup_curl CURL *c = new_handle(sess, url);
                cleanup_slist struct curl_slist *hdrs = NULL;
                registry_session_prepare(sess, c, &hdrs);
                if (s.got > 0) {
                        /* Resume after a dropped transfer: the ingest keeps what came. */
                        cleanup_free char *range =
                                xasprintf("Range: bytes=%lld-", (long long) s.got);
                        hdrs = curl_slist_append(hdrs, range);
                }
                s.c = c;
                s.decided = false;
                s.body_ok = false;
                s.skip = 0;
                free(s.errbody.buf);
                s.errbody = (struct mem_sink){.max = 64 << 10};
                curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ingest_write);
                curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
                curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 256L * 1024);
                if (cb && cb->cancelled) {
                        curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, ingest_xferinfo);
                        curl_easy_setopt(c, CURLOPT_XFERINFODATA, &s);
                        curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
                }
                xfer_done(&x);
                perform(c, hdrs, &x);
                if (s.err || s.too_large || s.cancelled)
                        break;
                if (x.rc != CURLE_OK) {
                        if (transport_retriable(x.rc) && try < sess->tries) {
                                registry_session_backoff(sess, try++);
                                continue;
                        }
                        break;
                }
                if (x.status == 401 && !reauthed) {
                        reauthed = true;
                        r = registry_session_authorize(sess, x.www_auth, err);
                        if (r < 0)
                                break;
                        continue;
                }
                if (status_retriable(x.status) && try < sess->tries) {
                        registry_session_backoff(sess, try++);
                        continue;
                }
                if ((x.status == 200 || x.status == 206) && s.got < size && try < sess->tries) {
                        /* Ended early without a transport error: try to resume. */
                        registry_session_backoff(sess, try++);
                        continue;
                }
                break;
        }
        if (r < 0)
                r = berth_error_prefix(err, "Get \"%s\"", url);
        else if (s.err)
                r = -(*err = TAKE_PTR(s.err))->code;
        else if (s.cancelled)
                r = berth_error_new(err, ECANCELED, "Get \"%s\": cancelled", url);
        else if (s.too_large)
                r = berth_error_new(err, EINVAL,
                                    "filesystem layer verification failed for digest %s: more "
                                    "than %lld bytes",
                                    digest, (long long) size);
        else if (x.rc != CURLE_OK)
                r = transport_error(err, "Get", url, &x);
        else if (x.status != 200 && x.status != 206) {
                cleanup_free char *why = registry_format_errors(s.errbody.buf, s.errbody.len);
                if (x.status == 404)
                        r = berth_error_new(err, ENOENT, "blob %s: blob unknown to registry",
                                            digest);
                else if (x.status == 401)
                        r = berth_error_new(err, EACCES, "Get \"%s\": %s", url,
                                            why ? why : "unauthorized: authentication required");
                else
                        r = berth_error_new(err, EIO, "Get \"%s\": HTTP %ld%s%s", url, x.status,
                                            why ? ": " : "", why ? why : "");
        }
        xfer_done(&x);
        free(s.errbody.buf);
        return r;
}

int
registry_blob_commit(struct content_ingest *in, const char *digest, int64_t size,
                     berth_error_t **err)
{
        char got[CONTENT_DIGEST_BUF];
        int64_t have = content_ingest_size(in);
        int r;

        content_ingest_digest(in, got);
        r = content_stored_ok(content_ingest_commit(in, digest, size, err), err);
        if (r == 0)
                return 0; /* committed, or the same bytes were stored meanwhile */
        if (r == -EINVAL) {
                /* The registry served other bytes than the manifest names. */
                berth_error_free(*err);
                *err = NULL;
                if (have != size)
                        return berth_error_new(err, EINVAL,
                                               "filesystem layer verification failed for digest "
                                               "%s: %lld bytes, expected %lld",
                                               digest, (long long) have, (long long) size);
                return berth_error_new(err, EINVAL,
                                       "filesystem layer verification failed for digest %s: "
                                       "digest mismatch (the content hashes to %s)",
                                       digest, got);
        }
        return r;
}

/* An ingest ref no other fetch uses (two pulls of one blob may run at once). */
static char *
unique_ref(const char *digest)
{
        static unsigned long counter;
        unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);

        return xasprintf("pull-%s-%d-%lu", digest + 7, (int) getpid(), n);
}

static int
fetch_blob_url(struct registry_session *sess, struct content_store *store, const char *url,
               const char *digest, int64_t size, berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_free char *ref = NULL;
        int64_t have = -1, resumed = 0;
        int r;

        {
                cleanup_error berth_error_t *miss = NULL; /* absent: fetch it */
                if (content_store_stat_blob(store, digest, &have, &miss) >= 0 && have == size)
                        return 0;
        }
        ref = unique_ref(digest);
        r = content_ingest_open(store, ref, &in, &resumed, err);
        if (r < 0)
                return r;
        if (resumed != 0) {
                content_ingest_abort(in); /* refs are unique: never resume one */
                return berth_error_new(err, EEXIST, "ingest \"%s\" exists", ref);
        }
        r = get_blob_url(sess, in, url, digest, size, NULL, err);
        if (r < 0) {
                content_ingest_abort(in);
                return r;
        }
        return registry_blob_commit(in, digest, size, err);
}

int
registry_session_fetch_blob(struct registry_session *s, struct content_store *store,
                            const char *digest, int64_t size, berth_error_t **err)
{
        cleanup_free char *url = NULL;
        int r = registry_session_ping(s, err);

        if (r < 0)
                return r;
        url = xasprintf("%s/v2/%s/blobs/%s", s->base, s->repository, digest);
        return fetch_blob_url(s, store, url, digest, size, err);
}

int
registry_session_get_blob(struct registry_session *s, struct content_ingest *in, const char *digest,
                          int64_t size, const struct registry_blob_sink *sink, berth_error_t **err)
{
        cleanup_free char *url = NULL;
        int r = registry_session_ping(s, err);

        if (r < 0)
                return r;
        url = xasprintf("%s/v2/%s/blobs/%s", s->base, s->repository, digest);
        return get_blob_url(s, in, url, digest, size, sink, err);
}
