/* supervisor/images/push.h: docker push from berthd to a registry (through a registry session:
 * TLS, auth, retries, as pull): the pure planning steps (which blobs, in which order, from which
 * manifest; where a blob could be mounted from) and the push itself. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct image_service;
struct json_object;
struct registry_config;
struct registry_creds;

/* One blob of a push: the config (progress_id NULL) or a layer. */
struct push_blob {
        char *digest;
        int64_t size;
        char *media_type;
        char *progress_id; /* docker's progress ID: the first 12 hex of the layer's diff ID */
        bool foreign; /* a foreign/non-distributable layer: never pushed (dockerd skips them) */
};

/* What a push of one stored image sends: its manifest as stored (byte for byte, so the digest
 * the registry reports is the image's own), then the blobs it names. */
struct push_plan {
        char *manifest_type;
        struct push_blob *blobs; /* the config first, then the layers in manifest order */
        size_t n_blobs;
};
void push_plan_done(struct push_plan *p);

/* Build the plan from MANIFEST (LEN bytes of a Docker schema2 or OCI image manifest) and the
 * image CONFIG (its rootfs.diff_ids give the progress IDs; may be NULL). -EOPNOTSUPP for an
 * index or any other media type, -EINVAL (with the JSON path) for a malformed manifest. Pure. */
int push_plan_build(const char *manifest, size_t len, struct json_object *config,
                    struct push_plan *ret, berth_error_t **err);

/* Repositories of the registry HOST, other than REPO, that the stored names NAMES
 * ("127.0.0.1:5000/a/b:1", "127.0.0.1:5000/a/b@sha256:…") point into: where a blob of an image
 * carrying those names can be mounted from. Digest references come first (a pull or a push
 * made them, so the blob is known to be there), then tags; no duplicates. Pure; a strv, NULL
 * when there is none; caller frees. */
char **push_mount_sources(char *const *names, const char *host, const char *repo);

/* docker's text progress bar: "[=====>      ]  1.18MB/1.986MB" (a 50-column bar and decimal
 * sizes). Pure; caller frees. */
char *push_progress_bar(int64_t current, int64_t total);

/* Each progress object (docker's {"status":…,"id":…} lines, aux last); the callee owns LINE.
 * A negative return (the client went away) stops the push at its next step: -ECANCELED. */
typedef int (*image_push_progress_fn)(struct json_object *line, void *arg);

struct image_push_options {
        /* Blobs larger than this go up in PATCH chunks of this size (Content-Range), then a
         * closing PUT; smaller ones in one PUT. <= 0: IMAGE_PUSH_CHUNK_SIZE. */
        int64_t chunk_size;
};
#define IMAGE_PUSH_CHUNK_SIZE ((int64_t) 32 << 20)

/* What image_service_push checks before it sends its first progress line: NAME (and TAG) parse,
 * the repository and tag exist. The same errors, nothing sent; the API answers them with an
 * HTTP status before it starts streaming. No network. */
int image_service_push_check(struct image_service *svc, const char *name, const char *tag,
                             berth_error_t **err);

/* docker push NAME (TAG: a tag of NAME's repository; NULL or "": NAME's own tag, else every tag
 * of the repository, as dockerd) to its registry, reached as pull reaches it (CFG: insecure
 * hosts, certs.d, auth_file; mirrors are never pushed to) with the request's CREDS (may be
 * NULL: CFG->auth_file's), asking for "repository:NAME:pull,push" (and "repository:FROM:pull"
 * before a cross-repository mount from FROM). An unknown repository or tag is -ENOENT with
 * dockerd's text before any progress; a refusal is -EACCES with docker's text ("denied:
 * requested access to the resource is denied"). HEADs, the manifest PUT and a whole blob
 * upload (from a new upload session) are tried again on dropped connections, 5xx and 429.
 * svc->lock is held only while the records are read and the blobs opened (the open fds keep
 * them from a concurrent collection), not across network I/O. On success each tag pushed
 * gains the digest reference REPO@<manifest digest>, as dockerd's RepoDigests. Nothing is
 * stored otherwise; an upload that fails is cancelled at the registry. */
int image_service_push(struct image_service *svc, const char *name, const char *tag,
                       const struct registry_config *cfg, const struct registry_creds *creds,
                       const struct image_push_options *opts, image_push_progress_fn progress,
                       void *arg, berth_error_t **err);
