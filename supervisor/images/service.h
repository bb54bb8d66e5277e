/* supervisor/images/service.h: berthd's images: names, records, blobs and snapshots together,
 * behind one lock. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct metadata_db;
struct content_store;
struct snapshotter;
struct event_bus;
struct json_object;
struct image_record;

struct image_service {
        struct metadata_db *db;        /* borrowed */
        struct content_store *store;   /* borrowed */
        struct snapshotter *snapshots; /* borrowed */
        const char *driver;            /* "overlay2" or "vfs" (dockerd's names) */
        struct event_bus *events;      /* borrowed; NULL: no events (set after init) */
        /* Serialises every change: a load commits blobs and snapshots before its record, so the
         * collector must not run between the two (containerd uses leases for this). */
        pthread_mutex_t lock;
        /* Set by main() before serving (containers/service.h): the ID of a container that uses
         * IMAGE_ID (caller frees), or NULL. rmi and prune keep such images as dockerd does. */
        char *(*container_using)(void *ud, const char *image_id);
        void *container_using_ud;
};

void image_service_init(struct image_service *svc, struct metadata_db *db,
                        struct content_store *store, struct snapshotter *snapshots,
                        const char *driver);
void image_service_done(struct image_service *svc);

/* What NAME means to docker: a full or short image ID, "sha256:<ID>", or a reference (tag or
 * digest). *ret_id is the image ID; *ret_key (may be NULL) the stored name matched, or NULL
 * when NAME was an ID. -ENOENT "No such image: NAME". */
int image_service_resolve(struct image_service *svc, const char *name, char **ret_id,
                          char **ret_key, berth_error_t **err);

/* Load every image of the tar read from FD (a docker-archive with manifest.json, or an OCI
 * layout with index.json; gzip'd or not). Returns the lines docker prints ("Loaded image:
 * busybox:latest", "Loaded image ID: sha256:…") as a strv in *ret_lines. All or nothing per
 * image: a failure leaves no record; the blobs and snapshots it made are collected. */
int image_service_load(struct image_service *svc, int fd, char ***ret_lines, berth_error_t **err);

/* docker pull NAME from its registry (INSECURE: a strv of insecure-registries; TLS verified
 * elsewhere, anonymous). Appends docker's progress objects
 * ({"status":…,"id":…}) to PROGRESS (a JSON array). An unknown tag is -ENOENT ("manifest for
 * NAME not found: …") before any progress. All or nothing, as a load. */
int image_service_pull(struct image_service *svc, const char *name, char *const *insecure,
                       struct json_object *progress, berth_error_t **err);
/* The same with the daemon's registry settings CFG (TLS, mirrors, berthd's credential file) and
 * the request's credentials CREDS (may be NULL: then CFG->auth_file's). An unknown tag is still
 * -ENOENT; refused credentials are -EACCES ("unauthorized: …"). */
struct registry_config;
struct registry_creds;
int image_service_pull_from(struct image_service *svc, const char *name,
                            const struct registry_config *cfg, const struct registry_creds *creds,
                            struct json_object *progress, berth_error_t **err);
/* docker rmi NAME: untag, or delete when it was the last name (or NAME is an ID: FORCE then
 * drops every name; without it an ID with several repositories is -EBUSY with docker's text).
 * Appends {"Untagged": …} and {"Deleted": …} objects to RESULT (a JSON array). NOPRUNE is
 * accepted (berthd has no parent images to keep). Collects blobs and snapshots after. */
int image_service_remove(struct image_service *svc, const char *name, bool force, bool noprune,
                         struct json_object *result, berth_error_t **err);
/* docker tag SOURCE REPO[:TAG]. */
int image_service_tag(struct image_service *svc, const char *source, const char *target,
                      berth_error_t **err);
/* Remove dangling images (ALL: every image) that no container uses, and collect;
 * like remove, fills RESULT; *ret_reclaimed the bytes of blobs removed. */
int image_service_prune(struct image_service *svc, bool all, struct json_object *result,
                        int64_t *ret_reclaimed, berth_error_t **err);
/* Mark and sweep blobs and snapshots; the caller holds svc->lock. Returns bytes reclaimed. */
int64_t image_service_collect_locked(struct image_service *svc);

/* docker save NAMES: write one tar to FD holding both a docker-archive (manifest.json,
 * repositories) and an OCI layout (index.json, oci-layout, blobs/sha256/), as docker 25+ does.
 * An unknown name is -ENOENT before anything is written. */
int image_service_save(struct image_service *svc, char *const *names, int fd, berth_error_t **err);

/* Publish docker's image event ACTION ("pull", "push", "tag", "untag", "delete", "load",
 * "save", "import") for ACTOR_ID (an image ID, or a reference for pull and push) with the
 * attribute name=NAME (may be NULL) and, when ID_FOR_LABELS names a readable image, its config's
 * labels, as dockerd's LogImageEvent. No-op without a bus. */
void image_service_log_event(struct image_service *svc, const char *actor_id, const char *name,
                             const char *id_for_labels, const char *action);

/* The image config of ID (its JSON, verified at ingest); *ret is the caller's. */
int image_service_load_config(struct image_service *svc, const char *id, struct json_object **ret,
                              berth_error_t **err);
/* Every image record (metadata_images_list, under the lock). */
int image_service_list(struct image_service *svc, struct image_record **ret, berth_error_t **err);
