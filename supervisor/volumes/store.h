/* supervisor/volumes/store.h: berthd's volumes with docker's `local` driver: records in LMDB
 * (supervisor/metadata/volumes.h), data under <data-root>/volumes/<name>/_data, the driver's
 * type/device/o mounted while a container uses the volume, and volume events. Which container
 * uses which volume is the containers' business (supervisor/containers/volumes.c): the store
 * only counts the users it is told about. */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct metadata_db;
struct event_bus;
struct json_object;

struct volume_use {
        char *name;
        char **users; /* container IDs that have it mounted */
};

struct volume_store {
        struct metadata_db *db;   /* borrowed */
        struct event_bus *events; /* borrowed; may be NULL */
        char *root;               /* <data-root>/volumes */
        pthread_mutex_t lock;     /* serialises changes to records, directories and: */
        struct volume_use *uses;  /* volumes in use by a started container */
        size_t n_uses;
};

/* Make ROOT/volumes when missing and sweep what a crash left: directories no record holds (a
 * create or remove cut short) are removed (unmounted first), a record's missing _data made. */
int volume_store_open(struct volume_store *s, struct metadata_db *db, struct event_bus *events,
                      const char *data_root, berth_error_t **err);
void volume_store_close(struct volume_store *s);

struct volume_create_req {
        const char *name;           /* NULL or "": a random name */
        bool anonymous;             /* made for a container's unnamed mount (rm -v removes it) */
        const char *driver;         /* NULL or "": "local" */
        struct json_object *opts;   /* DriverOpts (type, device, o), may be NULL */
        struct json_object *labels; /* may be NULL */
};

/* POST /volumes/create: the volume REQ names, made when missing (an existing one of the same
 * driver is returned as it is, as dockerd). *ret is its API shape (the caller's);
 * *ret_created says whether it was made now. -EINVAL bad name/options, -EOPNOTSUPP another
 * driver. */
int volume_store_create(struct volume_store *s, const struct volume_create_req *req,
                        struct json_object **ret, bool *ret_created, berth_error_t **err);
/* The API shape of NAME ({CreatedAt, Driver, Labels, Mountpoint, Name, Options, Scope});
 * -ENOENT "get NAME: no such volume". */
int volume_store_get(struct volume_store *s, const char *name, struct json_object **ret,
                     berth_error_t **err);
/* The record of NAME (with "Anonymous"). */
int volume_store_load(struct volume_store *s, const char *name, struct json_object **ret,
                      berth_error_t **err);
/* Every record (API shape plus "Anonymous"), by name. */
int volume_store_list(struct volume_store *s, struct json_object **ret, berth_error_t **err);
/* Remove NAME: its record, then its directory. The caller has checked that no container refers
 * to it; one still mounted by a running container is -EBUSY. *ret_size (may be NULL) gets the
 * bytes its data took. */
int volume_store_remove(struct volume_store *s, const char *name, int64_t *ret_size,
                        berth_error_t **err);
/* <root>/NAME/_data; caller frees. */
char *volume_store_data_path(const struct volume_store *s, const char *name);

/* Container ID starts using NAME: the first user mounts the driver's options (tmpfs, bind, …)
 * on _data. ATTRS (key, value, …, NULL) go on the "mount" event; NULL: no event (live restore
 * counts a running container again). Idempotent per ID. */
int volume_store_use(struct volume_store *s, const char *name, const char *id, char *const *attrs,
                     berth_error_t **err);
/* ID stops using NAME: the last user unmounts it ("unmount" event). Never fails for a volume
 * not in use. */
int volume_store_release(struct volume_store *s, const char *name, const char *id,
                         berth_error_t **err);
/* After live restore: unmount volumes mounted (by a berthd that died) that no container uses
 * now. Returns how many. */
int volume_store_sweep_mounts(struct volume_store *s);
/* Bytes under DIR (regular files and links, hard links once; no mount crossed). */
int64_t volume_dir_size(const char *dir);
