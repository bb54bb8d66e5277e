/* supervisor/images/pull.c: docker pull: resolve a reference at its registry (a manifest, or an
 * index and the wanted platform's manifest in it), then fetch the layers in parallel (a thread
 * per download slot, max-concurrent-downloads of them) into the content store while this thread
 * unpacks them in chain order, each layer read back from its ingest as it grows (no temporary
 * copy): a snapshot is renamed into place only once its blob's size and digest are verified.
 * Every request goes through one registry session (registry.h: TLS, auth, retries with Range
 * resume, mirrors), shared by the download threads. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/images/internal.h"
#include "supervisor/images/platform.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/registry.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/snapshotter.h"

#define MAX_MANIFEST    (4 << 20)
#define MAX_CONFIG      (8 << 20)
#define FEED_CHUNK      (256 * 1024)
#define EMIT_EVERY_NS   (100 * 1000000LL) /* dockerd's progress reader: at most every 100 ms */
#define POLL_EVERY_NS   (1000 * 1000000LL)
#define DEFAULT_WORKERS 3

enum layer_state {
        LAYER_QUEUED,      /* waiting for a download slot */
        LAYER_DOWNLOADING, /* READER_FD reads the ingest as it grows */
        LAYER_DONE,        /* the blob is in the store, verified */
        LAYER_FAILED,
};

struct pull_layer {
        char *digest;
        char *type;
        char *short_id; /* 12 hex digits: docker's progress ID */
        char *diff_id;
        char *chain;
        int64_t size;
        bool present;   /* blob and snapshot stored already: "Already exists" */
        ssize_t dup_of; /* the same blob as an earlier layer: not fetched twice; else -1 */
        /* Guarded by image_pull.lock. */
        enum layer_state state;
        bool claimed;
        int64_t got;
        int reader_fd;
        int64_t start;
        int64_t last_emit;
};

struct image_pull {
        struct image_service *svc; /* borrowed */
        struct image_ref ref;
        char *display; /* "127.0.0.1:5000/test/busybox:latest" as docker prints it */
        char *path;    /* "test/busybox" */
        struct registry_session *sess; /* the endpoint that resolved the reference */
        struct image_platform platform;
        int64_t workers;
        /* The manifest the tag resolved to, from begin; stored by run. */
        struct registry_response top;
        char top_digest[CONTENT_DIGEST_BUF];
        char **pinned; /* what this pull holds from the collector (svc->pins) */

        image_pull_progress_fn fn;
        void *arg;
        pthread_mutex_t emit_lock; /* one progress call at a time */
        int64_t last_poll;         /* guarded by emit_lock */
        pthread_mutex_t lock;      /* guards what follows and the layers' state */
        pthread_cond_t cond;
        struct pull_layer *layers;
        size_t n;
        size_t next;
        bool stop;                /* a failure or a cancel: every thread winds down */
        berth_error_t *first_err; /* the first failure, reported by run */
};

static int64_t
now_ns(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void
sha256_hex(const char *buf, size_t len, char ret[CONTENT_DIGEST_BUF])
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;

        EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL);
        strcpy(ret, "sha256:");
        for (unsigned int i = 0; i < n; i++)
                sprintf(ret + 7 + 2 * i, "%02x", md[i]);
}

static bool
is_index(const char *t)
{
        return strcmp(t, "application/vnd.oci.image.index.v1+json") == 0
               || strcmp(t, "application/vnd.docker.distribution.manifest.list.v2+json") == 0;
}

static bool
is_manifest(const char *t)
{
        return strcmp(t, "application/vnd.oci.image.manifest.v1+json") == 0
               || strcmp(t, "application/vnd.docker.distribution.manifest.v2+json") == 0;
}

/* The layer media types berthd unpacks (libarchive finds the compression by itself). */
static int
check_layer_type(const char *digest, const char *t, berth_error_t **err)
{
        static const char *const ok[] = {
                "application/vnd.docker.image.rootfs.diff.tar.gzip",
                "application/vnd.oci.image.layer.v1.tar",
                "application/vnd.docker.image.rootfs.diff.tar",
                "application/vnd.oci.image.layer.v1.tar+gzip",
                "application/vnd.oci.image.layer.v1.tar+zstd",
                "",
        };
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
                if (strcmp(t, ok[i]) == 0)
                        return 0;
        if (strstr(t, "foreign") || strstr(t, "nondistributable"))
                return berth_error_new(err, EOPNOTSUPP,
                                       "layer %s: foreign (nondistributable) layers are not "
                                       "supported (media type \"%s\")",
                                       digest, t);
        return berth_error_new(err, EOPNOTSUPP, "layer %s: media type \"%s\" not supported", digest,
                               t);
}

/* Report EV (NULL: only ask whether to go on); false once the caller wants the pull stopped. */
static bool
emit(struct image_pull *p, const struct image_pull_event *ev)
{
        int r;

        if (p->fn == NULL)
                return true;
        pthread_mutex_lock(&p->emit_lock);
        r = p->fn(ev, p->arg);
        pthread_mutex_unlock(&p->emit_lock);
        if (r >= 0)
                return true;
        pthread_mutex_lock(&p->lock);
        if (p->first_err == NULL)
                berth_error_new(&p->first_err, ECANCELED, "pull %s: cancelled", p->display);
        p->stop = true;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
        return false;
}

static void
emit_status(struct image_pull *p, const char *id, const char *status, bool detail)
{
        struct image_pull_event ev = {.id = id, .status = status, .detail = detail};
        emit(p, &ev);
}

/* Record ERR as the pull's failure (the first one wins) and stop every thread; takes ERR. */
static void
fail_pull(struct image_pull *p, berth_error_t *err)
{
        pthread_mutex_lock(&p->lock);
        if (p->first_err == NULL)
                p->first_err = err;
        else
                berth_error_free(err);
        p->stop = true;
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);
}

/* Keep DIGEST (a blob or a chain ID) from the collector until the pull ends: a pull does not
 * hold the image service's lock while it downloads, so an rmi or a load may collect meanwhile. */
static void
pin(struct image_pull *p, const char *digest)
{
        pthread_mutex_lock(&p->svc->lock);
        image_service_pin_locked(p->svc, digest);
        pthread_mutex_unlock(&p->svc->lock);
        strv_push(&p->pinned, digest);
}

/* An ingest ref unique to this pull (two pulls of one image may run at once). */
static char *
ingest_ref(const struct image_pull *p, const char *what, const char *digest)
{
        return xasprintf("%s-%s-%d-%lx", what, digest + 7, (int) getpid(), (unsigned long) p);
}

static int
store_bytes(struct image_pull *p, const char *prefix, const char *buf, size_t len,
            const char *digest, berth_error_t **err)
{
        cleanup_free char *wref = ingest_ref(p, prefix, digest);
        return content_stored_ok(
                content_store_write_blob(p->svc->store, wref, buf, len, digest, (int64_t) len, err),
                err);
}

/* GET a manifest by tag or digest into *RET (not stored); checked against WANT_DIGEST when
 * given; *RET_DIGEST is the digest of its bytes. */
static int
get_manifest(struct registry_session *s, const char *display, const char *ref,
             const char *want_digest, struct registry_response *ret,
             char ret_digest[CONTENT_DIGEST_BUF], berth_error_t **err)
{
        cleanup_free char *suffix = xasprintf("manifests/%s", ref), *url = NULL;
        struct registry_response resp = {0};
        int r;

        r = registry_session_get(s, suffix, REGISTRY_MANIFEST_ACCEPT, MAX_MANIFEST, &resp, err);
        if (r < 0)
                return r;
        url = xasprintf("%s/v2/%s/%s", s->base, s->repository, suffix); /* scheme settled */
        if (resp.status != 200) {
                cleanup_free char *why = registry_format_errors(resp.body, resp.len);
                long status = resp.status;
                registry_response_done(&resp);
                if (status == 404)
                        return berth_error_new(err, ENOENT, "manifest for %s not found: %s",
                                               display, why ? why : "manifest unknown");
                return berth_error_new(err, EIO, "Get \"%s\": HTTP %ld%s%s", url, status,
                                       why ? ": " : "", why ? why : "");
        }
        sha256_hex(resp.body, resp.len, ret_digest);
        if (want_digest && strcmp(ret_digest, want_digest) != 0) {
                registry_response_done(&resp);
                return berth_error_new(err, EINVAL, "manifest verification failed for digest %s",
                                       want_digest);
        }
        *ret = resp;
        return 0;
}

/* The document's own mediaType, else the Content-Type; *ret_doc is the caller's. */
static int
parse_manifest(const struct registry_response *m, const char *digest, struct json_object **ret_doc,
               char **ret_type, berth_error_t **err)
{
        struct json_object *doc = NULL, *mt = NULL;
        int r = json_parse_buffer(m->body, m->len, &doc, err);

        if (r < 0)
                return berth_error_prefix(err, "manifest %s", digest);
        if (json_object_object_get_ex(doc, "mediaType", &mt)
            && json_object_is_type(mt, json_type_string))
                *ret_type = xstrdup(json_object_get_string(mt));
        else
                *ret_type = xstrdup(m->content_type);
        *ret_doc = doc;
        return 0;
}

static int
descriptor(struct json_object *d, const struct jpath *at, const char **ret_digest,
           int64_t *ret_size, const char **ret_type, berth_error_t **err)
{
        const char *digest = NULL, *type = NULL;
        int64_t size = -1;
        int r;

        if ((r = json_expect_object(d, at, err)) < 0
            || (r = json_get_string(d, at, "digest", &digest, err)) < 0
            || (r = json_get_string(d, at, "mediaType", &type, err)) < 0
            || (r = json_get_int_range(d, at, "size", 0, INT64_MAX, &size, err)) < 0)
                return r;
        if (digest == NULL || content_digest_validate(digest, err) < 0) {
                if (*err) {
                        berth_error_free(*err); /* replaced by the JSON path's message */
                        *err = NULL;
                }
                return json_error(err, JPATH_KEY(at, "digest"), "missing or invalid");
        }
        if (size < 0)
                return json_error(err, JPATH_KEY(at, "size"), "missing");
        *ret_digest = digest;
        *ret_size = size;
        *ret_type = type ? type : "";
        return 0;
}

/* From an index, the digest of WANT's manifest; -ENOENT in dockerd's words. */
static int
pick_platform(struct json_object *idx, const struct image_platform *want, char **ret_digest,
              berth_error_t **err)
{
        cleanup_free char *fmt = NULL;
        struct json_object *ms = NULL;
        int r;

        r = json_get_array(idx, NULL, "manifests", &ms, err);
        if (r < 0)
                return r;
        for (size_t i = 0; ms && i < json_object_array_length(ms); i++) {
                struct json_object *d = json_object_array_get_idx(ms, i), *plat = NULL;
                const struct jpath *at = JPATH_IDX(JPATH_KEY(NULL, "manifests"), i);
                const char *dg, *type, *os = NULL, *arch = NULL, *variant = NULL;
                int64_t sz;
                r = descriptor(d, at, &dg, &sz, &type, err);
                if (r < 0)
                        return r;
                if ((r = json_get_object(d, at, "platform", &plat, err)) < 0)
                        return r;
                if (plat
                    && ((r = json_get_string(plat, at, "os", &os, err)) < 0
                        || (r = json_get_string(plat, at, "architecture", &arch, err)) < 0
                        || (r = json_get_string(plat, at, "variant", &variant, err)) < 0))
                        return r;
                if (image_platform_match(want, os, arch, variant)) {
                        *ret_digest = xstrdup(dg);
                        return 0;
                }
        }
        fmt = image_platform_format(want);
        return berth_error_new(err, ENOENT,
                               "no matching manifest for %s in the manifest list entries", fmt);
}

static int
plan_layers(struct json_object *m, struct image_plan *plan, int64_t *ret_config_size,
            berth_error_t **err)
{
        struct json_object *config = NULL, *layers = NULL;
        const char *cd, *ct;
        int64_t cs;
        int r;

        if ((r = json_get_object(m, NULL, "config", &config, err)) < 0
            || (r = json_get_array(m, NULL, "layers", &layers, err)) < 0)
                return r;
        if (config == NULL)
                return json_error(err, JPATH_KEY(NULL, "config"), "missing");
        r = descriptor(config, JPATH_KEY(NULL, "config"), &cd, &cs, &ct, err);
        if (r < 0)
                return r;
        plan->config_digest = xstrdup(cd);
        plan->layer_sizes = xzalloc((json_object_array_length(layers) + 1) * sizeof(int64_t));
        for (size_t i = 0; layers && i < json_object_array_length(layers); i++) {
                const char *ld, *lt;
                int64_t ls;
                r = descriptor(json_object_array_get_idx(layers, i),
                               JPATH_IDX(JPATH_KEY(NULL, "layers"), i), &ld, &ls, &lt, err);
                if (r < 0)
                        return r;
                r = check_layer_type(ld, lt, err);
                if (r < 0)
                        return r;
                strv_push(&plan->layers, ld);
                strv_push(&plan->layer_types, lt);
                plan->layer_sizes[i] = ls;
        }
        *ret_config_size = cs;
        return 0;
}

/* The config's rootfs.diff_ids (the config is in the store, verified). */
static int
config_diff_ids(struct image_service *svc, const char *digest, int64_t size, char ***ret,
                berth_error_t **err)
{
        cleanup_close int fd = -1;
        cleanup_free char *buf = NULL;
        cleanup_json struct json_object *c = NULL;
        struct json_object *rootfs = NULL;
        ssize_t n;
        int r;

        if (size > MAX_CONFIG)
                return berth_error_new(err, EINVAL, "image config %s: larger than %d bytes", digest,
                                       MAX_CONFIG);
        r = fd = content_store_open_blob(svc->store, digest, size, err);
        if (r < 0)
                return r;
        buf = xmalloc((size_t) size + 1);
        n = fs_read_all(fd, buf, (size_t) size);
        if (n != size)
                return berth_error_sys(err, n < 0 ? errno : EIO, "image config %s: read", digest);
        r = json_parse_buffer(buf, (size_t) size, &c, err);
        if (r < 0 || (r = json_get_object(c, NULL, "rootfs", &rootfs, err)) < 0
            || (rootfs
                && (r = json_get_strv(rootfs, JPATH_KEY(NULL, "rootfs"), "diff_ids", ret, err))
                           < 0))
                return berth_error_prefix(err, "image config %s", digest);
        return 0;
}

/* Downloads: each worker takes the next queued layer until none is left. */
struct download {
        struct image_pull *p;
        struct pull_layer *l;
        struct content_ingest *in;
};

static void
emit_downloading(struct image_pull *p, struct pull_layer *l, int64_t got, bool force)
{
        struct image_pull_event ev = {.id = l->short_id,
                                      .status = "Downloading",
                                      .detail = true,
                                      .current = got,
                                      .total = l->size,
                                      .start = l->start};
        int64_t t = now_ns();

        pthread_mutex_lock(&p->lock);
        if (!force && t - l->last_emit < EMIT_EVERY_NS) {
                pthread_mutex_unlock(&p->lock);
                return;
        }
        l->last_emit = t;
        pthread_mutex_unlock(&p->lock);
        emit(p, &ev);
}

/* The ingest holds GOT bytes now (Range resume never rewrites what a reader saw). */
static void
download_progress(int64_t got, void *arg)
{
        struct download *d = arg;
        struct pull_layer *l = d->l;

        pthread_mutex_lock(&d->p->lock);
        l->got = got;
        pthread_cond_broadcast(&d->p->cond);
        pthread_mutex_unlock(&d->p->lock);
        emit_downloading(d->p, l, got, false);
}

static bool
download_cancelled(void *arg)
{
        struct download *d = arg;
        struct image_pull *p = d->p;
        bool stop;
        int64_t t = now_ns();

        pthread_mutex_lock(&p->lock);
        stop = p->stop;
        pthread_mutex_unlock(&p->lock);
        if (stop)
                return true;
        /* A stalled registry sends nothing to report: ask the caller now and then whether its
         * client is still there (dockerd cancels a pull whose client has gone). */
        pthread_mutex_lock(&p->emit_lock);
        if (t - p->last_poll < POLL_EVERY_NS) {
                pthread_mutex_unlock(&p->emit_lock);
                return false;
        }
        p->last_poll = t;
        pthread_mutex_unlock(&p->emit_lock);
        return !emit(p, NULL);
}

static int
download_layer(struct image_pull *p, struct pull_layer *l, berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_free char *ref = NULL;
        struct download d = {.p = p, .l = l};
        struct registry_blob_sink sink = {
                .progress = download_progress, .cancelled = download_cancelled, .arg = &d};
        int64_t resumed = 0;
        int r, rfd;

        ref = ingest_ref(p, "pull", l->digest);
        r = content_ingest_open(p->svc->store, ref, &in, &resumed, err);
        if (r < 0)
                return r;
        if (resumed != 0) {
                content_ingest_abort(in); /* refs are unique per pull: never resume one */
                return berth_error_new(err, EEXIST, "ingest \"%s\" exists", ref);
        }
        r = rfd = content_ingest_open_reader(in, err);
        if (r < 0) {
                content_ingest_abort(in);
                return r;
        }
        pthread_mutex_lock(&p->lock);
        l->reader_fd = rfd;
        l->state = LAYER_DOWNLOADING;
        l->start = (int64_t) time(NULL);
        pthread_cond_broadcast(&p->cond);
        pthread_mutex_unlock(&p->lock);

        d.in = in;
        r = registry_session_get_blob(p->sess, in, l->digest, l->size, &sink, err);
        if (r < 0) {
                content_ingest_abort(in);
                return r;
        }
        emit_downloading(p, l, l->got, true);
        emit_status(p, l->short_id, "Verifying Checksum", true);
        r = registry_blob_commit(in, l->digest, l->size, err);
        if (r < 0)
                return r;
        emit_status(p, l->short_id, "Download complete", true);
        return 0;
}

static void *
download_worker(void *arg)
{
        struct image_pull *p = arg;

        for (;;) {
                cleanup_error berth_error_t *err = NULL; /* handed to fail_pull */
                struct pull_layer *l = NULL;
                int r;

                pthread_mutex_lock(&p->lock);
                while (p->next < p->n
                       && (p->layers[p->next].claimed || p->layers[p->next].state != LAYER_QUEUED))
                        p->next++;
                if (!p->stop && p->next < p->n) {
                        l = &p->layers[p->next++];
                        l->claimed = true;
                }
                pthread_mutex_unlock(&p->lock);
                if (l == NULL)
                        return NULL;
                r = download_layer(p, l, &err);
                pthread_mutex_lock(&p->lock);
                l->state = r < 0 ? LAYER_FAILED : LAYER_DONE;
                pthread_cond_broadcast(&p->cond);
                pthread_mutex_unlock(&p->lock);
                if (r < 0) {
                        fail_pull(p, TAKE_PTR(err));
                        return NULL;
                }
        }
}

/* Unpacking: a feeder thread copies a layer's bytes, from its ingest as it grows or from the
 * stored blob, into a pipe that the unpacker (snapshots/unpack.c) reads. */
struct feeder {
        struct image_pull *p;
        struct pull_layer *l;
        int src_fd;  /* owned */
        int pipe_fd; /* owned: the pipe's write end */
        pthread_t thread;
        bool joined;
        int result; /* 0: every byte fed and the blob verified */
};

static void *
feed(void *arg)
{
        struct feeder *f = arg;
        struct image_pull *p = f->p;
        struct pull_layer *l = f->l;
        cleanup_free char *buf = xmalloc(FEED_CHUNK);
        int64_t fed = 0, last = 0;
        bool broken = false;

        for (;;) {
                enum layer_state st;
                bool stop;
                ssize_t n = read(f->src_fd, buf, FEED_CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        f->result = -errno;
                        break;
                }
                if (n > 0) {
                        fed += n;
                        /* The unpacker may stop early (it failed, or the stream ended): keep
                         * going without writing, to learn whether the blob verifies. */
                        if (!broken && fs_write_all(f->pipe_fd, buf, (size_t) n) < 0) {
                                broken = true;
                                close(f->pipe_fd);
                                f->pipe_fd = -1;
                        }
                        pthread_mutex_lock(&p->lock);
                        st = l->state;
                        pthread_mutex_unlock(&p->lock);
                        if (st == LAYER_DONE
                            && (now_ns() - last >= EMIT_EVERY_NS || fed == l->size)) {
                                struct image_pull_event ev = {.id = l->short_id,
                                                              .status = "Extracting",
                                                              .detail = true,
                                                              .current = fed,
                                                              .total = l->size,
                                                              .start = l->start};
                                last = now_ns();
                                emit(p, &ev);
                        }
                        continue;
                }
                /* At the end of what is there: wait for more, the verified end, or a failure. */
                pthread_mutex_lock(&p->lock);
                while (l->state == LAYER_DOWNLOADING && l->got <= fed && !p->stop)
                        pthread_cond_wait(&p->cond, &p->lock);
                st = l->state;
                stop = p->stop;
                pthread_mutex_unlock(&p->lock);
                if (st == LAYER_FAILED || (stop && st != LAYER_DONE)) {
                        f->result = -ECANCELED;
                        break;
                }
                if (st == LAYER_DONE && fed >= l->size) {
                        f->result = fed == l->size ? 0 : -EINVAL;
                        break;
                }
        }
        if (f->pipe_fd >= 0) {
                close(f->pipe_fd);
                f->pipe_fd = -1;
        }
        return NULL;
}

static int
feeder_join(struct feeder *f)
{
        if (!f->joined) {
                pthread_join(f->thread, NULL);
                f->joined = true;
        }
        return f->result;
}

/* Before the snapshot is renamed into place: every byte was fed and the blob verified. */
static int
feeder_check(void *arg, berth_error_t **err)
{
        struct feeder *f = arg;
        int r = feeder_join(f);

        if (r < 0)
                return berth_error_new(err, -r, "layer %s: download failed", f->l->digest);
        return 0;
}

static int
unpack_layer(struct image_pull *p, struct pull_layer *l, const char *parent, char **ret_chain,
             berth_error_t **err)
{
        struct feeder f = {.p = p, .l = l, .src_fd = -1, .pipe_fd = -1};
        cleanup_close int pipe_r = -1;
        cleanup_close int src = -1;
        enum layer_state st;
        int fds[2];
        int r;

        pthread_mutex_lock(&p->lock);
        while (l->state == LAYER_QUEUED && !p->stop)
                pthread_cond_wait(&p->cond, &p->lock);
        st = l->state;
        if (st == LAYER_DOWNLOADING || (st == LAYER_DONE && l->reader_fd >= 0))
                src = TAKE_FD(l->reader_fd);
        pthread_mutex_unlock(&p->lock);
        if (st != LAYER_DOWNLOADING && st != LAYER_DONE)
                return -ECANCELED;
        if (src < 0) {
                r = src = content_store_open_blob(p->svc->store, l->digest, l->size, err);
                if (r < 0)
                        return r;
        }
        if (pipe2(fds, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "layer %s: pipe", l->digest);
        pipe_r = fds[0];
        f.pipe_fd = fds[1];
        f.src_fd = TAKE_FD(src);
        if (pthread_create(&f.thread, NULL, feed, &f) != 0) {
                close(f.pipe_fd);
                close(f.src_fd);
                return berth_error_new(err, EAGAIN, "layer %s: cannot start a thread", l->digest);
        }
        r = snapshotter_unpack_checked(p->svc->snapshots, parent, l->diff_id, pipe_r, feeder_check,
                                       &f, ret_chain, err);
        /* Whatever happened, the feeder ends once the pipe's read end is gone and the download
         * has ended (or the pull was stopped). */
        close(TAKE_FD(pipe_r));
        feeder_join(&f);
        close(f.src_fd);
        if (r >= 0)
                return 0;
        pthread_mutex_lock(&p->lock);
        st = l->state;
        pthread_mutex_unlock(&p->lock);
        if (st == LAYER_FAILED || *err == NULL) {
                /* The download's own failure (a digest mismatch) says more: the pull reports
                 * that one. */
                berth_error_free(*err);
                *err = NULL;
                return -ECANCELED;
        }
        return berth_error_prefix(err, "layer %s", l->digest);
}

static void
layers_free(struct pull_layer *ls, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(ls[i].digest);
                free(ls[i].type);
                free(ls[i].short_id);
                free(ls[i].diff_id);
                free(ls[i].chain);
                if (ls[i].reader_fd >= 0)
                        close(ls[i].reader_fd);
        }
        free(ls);
}

/* Fetch and unpack the layers of PLAN, reporting progress; DIFF_IDS from its config. */
static int
pull_layers(struct image_pull *p, struct image_plan *plan, char **diff_ids, berth_error_t **err)
{
        cleanup_free char *parent = NULL;
        pthread_t *threads = NULL;
        size_t n = strv_length(plan->layers), fetch = 0, nthreads = 0, waiting = 0;
        int r = 0;

        p->layers = xzalloc((n + 1) * sizeof(*p->layers));
        p->n = n;
        for (size_t i = 0; i < n; i++) {
                struct pull_layer *l = &p->layers[i];
                l->digest = xstrdup(plan->layers[i]);
                l->diff_id = xstrdup(diff_ids[i]);
                l->chain = snapshot_chain_id(i ? p->layers[i - 1].chain : NULL, l->diff_id);
                pin(p, l->digest);
                pin(p, l->chain);
        }
        for (size_t i = 0; i < n; i++) {
                struct pull_layer *l = &p->layers[i];
                cleanup_error berth_error_t *miss = NULL; /* absent: fetch it */
                int64_t have = -1;
                l->type = xstrdup(plan->layer_types[i]);
                l->short_id = xstrndup(l->digest + 7, 12);
                l->size = plan->layer_sizes[i];
                l->reader_fd = -1;
                l->dup_of = -1;
                for (size_t j = 0; j < i; j++)
                        if (strcmp(p->layers[j].digest, l->digest) == 0 && l->dup_of < 0)
                                l->dup_of = (ssize_t) j;
                if (content_store_stat_blob(p->svc->store, l->digest, &have, &miss) >= 0
                    && have == l->size) {
                        l->state = LAYER_DONE;
                        l->present = snapshotter_exists(p->svc->snapshots, l->chain) == 1;
                } else if (l->dup_of >= 0) {
                        l->state = LAYER_QUEUED;
                        l->claimed = true; /* its first occurrence fetches it */
                } else {
                        fetch++;
                }
        }
        for (size_t i = 0; i < n; i++) {
                struct pull_layer *l = &p->layers[i];
                if (l->dup_of >= 0)
                        continue;
                emit_status(p, l->short_id, l->present ? "Already exists" : "Pulling fs layer",
                            true);
        }
        /* As dockerd's transfer manager: layers beyond the download slots wait for one. */
        for (size_t i = 0; i < n; i++) {
                struct pull_layer *l = &p->layers[i];
                if (l->state != LAYER_QUEUED || l->claimed)
                        continue;
                if (waiting++ >= (size_t) p->workers)
                        emit_status(p, l->short_id, "Waiting", true);
        }
        nthreads = fetch < (size_t) p->workers ? fetch : (size_t) p->workers;
        threads = xzalloc((nthreads + 1) * sizeof(*threads));
        for (size_t i = 0; i < nthreads; i++)
                if (pthread_create(&threads[i], NULL, download_worker, p) != 0)
                        abort(); /* as allocation failure: berthd cannot go on without threads */
        for (size_t i = 0; i < n; i++) {
                struct pull_layer *l = &p->layers[i];
                char *next = NULL;
                bool stop;
                pthread_mutex_lock(&p->lock);
                stop = p->stop;
                pthread_mutex_unlock(&p->lock);
                if (stop) {
                        r = -ECANCELED; /* a download failed or the client went */
                        break;
                }
                if (l->present) {
                        free(parent);
                        parent = xstrdup(l->chain);
                        continue;
                }
                if (l->dup_of >= 0) {
                        /* Its first occurrence was unpacked before: the blob is stored. */
                        pthread_mutex_lock(&p->lock);
                        l->state = p->layers[l->dup_of].state;
                        pthread_mutex_unlock(&p->lock);
                }
                r = unpack_layer(p, l, parent, &next, err);
                if (r < 0)
                        break;
                free(parent);
                parent = next;
                emit_status(p, l->short_id, "Pull complete", true);
        }
        if (r < 0 && *err) {
                fail_pull(p, TAKE_PTR(*err));
        } else if (r < 0) {
                pthread_mutex_lock(&p->lock);
                p->stop = true;
                pthread_cond_broadcast(&p->cond);
                pthread_mutex_unlock(&p->lock);
        }
        for (size_t i = 0; i < nthreads; i++)
                pthread_join(threads[i], NULL);
        free(threads);
        pthread_mutex_lock(&p->lock);
        if (p->first_err) {
                *err = TAKE_PTR(p->first_err);
                r = -(*err)->code;
        } else if (r < 0) {
                r = berth_error_new(err, ECANCELED, "pull %s: cancelled", p->display);
        }
        pthread_mutex_unlock(&p->lock);
        return r;
}

static int
fetch_config(struct image_pull *p, const char *digest, int64_t size, berth_error_t **err)
{
        int r;

        pin(p, digest);
        if (size > MAX_CONFIG)
                return berth_error_new(err, EINVAL, "config %s: larger than %d bytes", digest,
                                       MAX_CONFIG);
        r = registry_session_fetch_blob(p->sess, p->svc->store, digest, size, err);
        return r < 0 ? berth_error_prefix(err, "config") : 0;
}

static int
run_pull(struct image_pull *p, struct image_plan *plan, bool *ret_fresh, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *type = NULL, *platform_digest = NULL, *key = NULL, *pulling = NULL;
        cleanup_free char *old_id = NULL;
        cleanup_strv char **diff_ids = NULL;
        char digest[CONTENT_DIGEST_BUF];
        struct image_record rec = {0};
        int64_t config_size = -1;
        bool exists;
        int r;

        key = image_ref_key(&p->ref);
        {
                cleanup_error berth_error_t *miss = NULL; /* not there yet: a fresh pull */
                metadata_images_resolve(p->svc->db, key, &old_id, &miss);
        }
        pin(p, p->top_digest);
        r = store_bytes(p, "manifest", p->top.body, p->top.len, p->top_digest, err);
        if (r < 0)
                return r;
        pulling = xasprintf("Pulling from %s", p->path);
        emit_status(p, p->ref.digest ? p->ref.digest : p->ref.tag, pulling, false);
        strcpy(digest, p->top_digest);
        r = parse_manifest(&p->top, p->top_digest, &doc, &type, err);
        if (r < 0)
                return r;
        if (is_index(type)) {
                struct registry_response m = {0};
                r = pick_platform(doc, &p->platform, &platform_digest, err);
                if (r < 0)
                        return r;
                json_object_put(TAKE_PTR(doc));
                free(TAKE_PTR(type));
                pin(p, platform_digest);
                r = get_manifest(p->sess, p->display, platform_digest, platform_digest, &m, digest,
                                 err);
                if (r < 0)
                        return r;
                r = store_bytes(p, "manifest", m.body, m.len, digest, err);
                if (r >= 0)
                        r = parse_manifest(&m, digest, &doc, &type, err);
                registry_response_done(&m);
                if (r < 0)
                        return r;
        }
        if (!is_manifest(type))
                return berth_error_new(err, EOPNOTSUPP,
                                       "manifest %s: media type \"%s\" not supported", digest,
                                       type);
        plan->manifest_digest = xstrdup(digest);
        r = plan_layers(doc, plan, &config_size, err);
        if (r < 0)
                return berth_error_prefix(err, "manifest %s", digest);
        r = fetch_config(p, plan->config_digest, config_size, err);
        if (r < 0)
                return r;
        r = config_diff_ids(p->svc, plan->config_digest, config_size, &diff_ids, err);
        if (r < 0)
                return r;
        if (strv_length(diff_ids) != strv_length(plan->layers))
                return berth_error_new(err, EINVAL, "image config %s: %zu diff_ids for %zu layers",
                                       plan->config_digest, strv_length(diff_ids),
                                       strv_length(plan->layers));
        /* As dockerd: an image already stored is not fetched again, and shows no layers. */
        {
                cleanup_error berth_error_t *miss = NULL; /* absent: pull it */
                exists = metadata_images_load(p->svc->db, plan->config_digest, &rec, &miss) == 0;
                image_record_done(&rec);
        }
        if (!exists) {
                r = pull_layers(p, plan, diff_ids, err);
                if (r < 0)
                        return r;
        }
        /* The names: the tag asked for, and NAME@<manifest digest> (docker's RepoDigests; the
         * digest the registry resolved the tag to, the index's when there was one). */
        strv_push(&plan->names, key);
        if (p->ref.tag && p->ref.digest == NULL) {
                cleanup_free char *dkey = xasprintf("%s@%s", p->ref.name, p->top_digest);
                strv_push(&plan->names, dkey);
        }
        /* The record, under the lock that keeps the collector and loads apart. */
        pthread_mutex_lock(&p->svc->lock);
        r = image_plan_commit(p->svc, plan, err);
        pthread_mutex_unlock(&p->svc->lock);
        if (r < 0)
                return r;
        *ret_fresh = old_id == NULL || strcmp(old_id, plan->config_digest) != 0;
        return 0;
}

int
image_service_pull_begin(struct image_service *svc, const char *name,
                         const struct image_pull_options *opts, struct image_pull **ret,
                         berth_error_t **err)
{
        cleanup_image_pull struct image_pull *p = xzalloc(sizeof(*p));
        static const struct registry_config no_config = {0};
        const struct registry_config *cfg = opts && opts->registry ? opts->registry : &no_config;
        cleanup_free char *host = NULL, *key = NULL;
        struct registry_endpoint *eps = NULL;
        size_t n_eps = 0;
        const char *slash;
        int r;

        p->svc = svc;
        pthread_mutex_init(&p->lock, NULL);
        pthread_mutex_init(&p->emit_lock, NULL);
        pthread_cond_init(&p->cond, NULL);
        p->workers = opts && opts->max_downloads > 0 ? opts->max_downloads : DEFAULT_WORKERS;
        r = image_ref_parse(name, &p->ref, err);
        if (r < 0)
                return r;
        if (opts && opts->platform && opts->platform[0]) {
                r = image_platform_parse(opts->platform, &p->platform, err);
                if (r < 0)
                        return r;
        } else {
                image_platform_host(&p->platform);
        }
        slash = strchr(p->ref.name, '/');
        host = slash ? xstrndup(p->ref.name, (size_t) (slash - p->ref.name)) : xstrdup(p->ref.name);
        key = image_ref_key(&p->ref);
        p->display = image_ref_familiar(key);
        p->path = xstrdup(slash ? slash + 1 : "");
        r = registry_endpoints_build(host, cfg->mirrors, cfg->insecure, &eps, &n_eps, err);
        if (r < 0)
                return r;
        /* Mirrors (Docker Hub only) in order, then the registry: the first that resolves the
         * reference serves the whole pull (dockerd falls back from a failing mirror too). */
        for (size_t i = 0; i < n_eps; i++) {
                r = registry_session_new(cfg, &eps[i], host, p->path, "pull",
                                         opts ? opts->creds : NULL, &p->sess, err);
                if (r < 0)
                        break;
                r = get_manifest(p->sess, p->display, p->ref.digest ? p->ref.digest : p->ref.tag,
                                 p->ref.digest, &p->top, p->top_digest, err);
                if (r >= 0 || i + 1 == n_eps)
                        break;
                berth_error_free(*err);
                *err = NULL;
                registry_session_free(TAKE_PTR(p->sess));
        }
        registry_endpoints_free(eps, n_eps);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

int
image_service_pull_run(struct image_pull *p, image_pull_progress_fn fn, void *arg,
                       berth_error_t **err)
{
        struct image_plan plan = {0};
        cleanup_free char *status = NULL;
        bool fresh = false;
        int r;

        p->fn = fn;
        p->arg = arg;
        r = run_pull(p, &plan, &fresh, err);
        /* Whatever a failed pull stored (manifests, blobs, snapshots) no record holds: it goes,
         * as does an index the record does not list. */
        pthread_mutex_lock(&p->svc->lock);
        image_service_unpin_locked(p->svc, p->pinned);
        image_service_collect_locked(p->svc);
        if (r >= 0) {
                /* dockerd: actor the familiar reference, name the familiar repository. */
                cleanup_free char *repo = image_ref_familiar(p->ref.name);
                image_service_log_event(p->svc, p->display, repo, p->display, "pull");
        }
        pthread_mutex_unlock(&p->svc->lock);
        strv_free(TAKE_PTR(p->pinned));
        if (r >= 0) {
                status = xasprintf("Digest: %s", p->top_digest);
                emit_status(p, NULL, status, false);
                free(status);
                status = xasprintf("Status: %s for %s",
                                   fresh ? "Downloaded newer image" : "Image is up to date",
                                   p->display);
                emit_status(p, NULL, status, false);
        }
        image_plan_done(&plan);
        return r;
}

void
image_pull_free(struct image_pull *p)
{
        if (p == NULL)
                return;
        image_ref_done(&p->ref);
        image_platform_done(&p->platform);
        registry_response_done(&p->top);
        layers_free(p->layers, p->n);
        strv_free(p->pinned);
        berth_error_free(p->first_err);
        free(p->display);
        free(p->path);
        registry_session_free(p->sess);
        pthread_mutex_destroy(&p->lock);
        pthread_mutex_destroy(&p->emit_lock);
        pthread_cond_destroy(&p->cond);
        free(p);
}
