/* supervisor/containers/service.h: berthd's containers: create (record, read-write snapshot,
 * /etc files, config.json), remove, rename, prune, and the bundle the start path mounts. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct metadata_db;
struct image_service;
struct snapshotter;
struct json_object;
struct volume_store;

struct container_service {
        struct metadata_db *db;        /* borrowed */
        struct image_service *images;  /* borrowed */
        struct snapshotter *snapshots; /* borrowed */
        struct volume_store *volumes;  /* borrowed; NULL: containers with volumes are refused */
        const char *data_root;         /* <data-root>/containers/<id>/: record files */
        const char *exec_root;         /* <exec-root>/containers/<id>/: the bundle */
        const char *driver;            /* docker's GraphDriver name source */
        bool cgroup2;
        char *init_path;   /* berth-init beside berthd, else in libexecdir; NULL: none */
        bool init_default; /* daemon.json "init" */
        pthread_mutex_t lock; /* serialises changes to records and their files */
};

void container_service_init(struct container_service *svc, struct metadata_db *db,
                            struct image_service *images, struct snapshotter *snapshots,
                            const char *data_root, const char *exec_root, const char *driver);
void container_service_done(struct container_service *svc);
/* Remove snapshots and directories no record holds (a crash mid-create or mid-remove). */
int container_service_sweep(struct container_service *svc, berth_error_t **err);

/* POST /containers/create: NAME (NULL: a generated one) and BODY (Config + HostConfig +
 * NetworkingConfig). -ENOENT "No such image: busybox:latest"; -EEXIST name in use; -EINVAL bad
 * input (docker's texts). *ret_id is the caller's; WARNINGS (a JSON array) gets docker's
 * warnings. All or nothing. */
int container_service_create(struct container_service *svc, const char *name,
                             struct json_object *body, struct json_object *warnings, char **ret_id,
                             berth_error_t **err);
/* DELETE /containers/{REF}: -EBUSY for a running one without FORCE. */
int container_service_remove(struct container_service *svc, const char *ref, bool force,
                             bool volumes, berth_error_t **err);
/* A --rm container ID right after its exit, its anonymous volumes too: the record may still
 * say running (the exit path does not write the exit to a record it is about to remove). */
int container_service_remove_exited(struct container_service *svc, const char *id,
                                    berth_error_t **err);
int container_service_rename(struct container_service *svc, const char *ref, const char *name,
                             berth_error_t **err);
/* Remove every container that is not running; RESULT gets their IDs; *ret_reclaimed bytes. */
int container_service_prune(struct container_service *svc, struct json_object *result,
                            int64_t *ret_reclaimed, berth_error_t **err);
/* The record of REF (ID, name or unique prefix); *ret is the caller's. */
int container_service_get(struct container_service *svc, const char *ref, struct json_object **ret,
                          berth_error_t **err);
/* Every record (a JSON array, ordered by creation). */
int container_service_list(struct container_service *svc, struct json_object **ret,
                           berth_error_t **err);
/* For the image service: the ID of a container using IMAGE_ID, or NULL (caller frees). */
char *container_service_using_image(void *svc, const char *image_id);

/* The start path: <exec-root>/containers/<id>/ with config.json (written atomically) and the
 * snapshot mounted at rootfs/, WorkingDir made inside when missing (as docker at start).
 * *ret_dir is the caller's. container_bundle_remove unmounts and removes it. */
int container_bundle_prepare(struct container_service *svc, const char *id, char **ret_dir,
                             berth_error_t **err);
int container_bundle_remove(struct container_service *svc, const char *id, berth_error_t **err);
