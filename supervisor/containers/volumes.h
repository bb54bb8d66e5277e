/* supervisor/containers/volumes.h: the containers' side of volumes: the volumes a container
 * gets at create (named ones made when missing, anonymous ones made new), recorded in its record
 * as "BerthVolumes"; mounted (with copy-up) when it starts and released when it stops; which
 * containers use a volume (rm refuses, ls dangling, prune); rm -v. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct container_service;
struct json_object;
struct volume_filters;

/* At create, under the service's lock: the volumes of CONFIG (merged) and HC, made in the store
 * when missing. *ret (a JSON array of {Name, Source, Destination, Driver, Mode, RW, CopyData,
 * Anonymous}) and *ret_created (the names made now, for container_volumes_undo) are the
 * caller's. */
int container_volumes_prepare(struct container_service *svc, struct json_object *config,
                              struct json_object *hc, struct json_object **ret, char ***ret_created,
                              berth_error_t **err);
/* A failed create: remove the volumes it made. */
void container_volumes_undo(struct container_service *svc, char *const *created);
/* docker's inspect entries of record REC's volumes, appended to OUT: {Type "volume", Name,
 * Source, Destination, Driver, Mode, RW, Propagation ""}. Pure. */
void container_volumes_inspect(struct json_object *rec, struct json_object *out);

/* The start path, with the rootfs mounted at ROOTFS (NULL: no copy-up, as at live restore):
 * each volume used (the driver's mount made by its first user; "mount" events), then copied
 * into when it is empty and the container wants it. All or nothing. */
int container_volumes_mount(struct container_service *svc, struct json_object *rec,
                            const char *rootfs, berth_error_t **err);
/* The exit path: each volume of REC released (the last user unmounts it). Never fails. */
void container_volumes_unmount(struct container_service *svc, struct json_object *rec);
/* After rm -v (record REC gone): its anonymous volumes that no other container uses are
 * removed; named ones never are. Never fails (dockerd ignores these errors too). */
void container_volumes_remove_anonymous(struct container_service *svc, struct json_object *rec);

/* DELETE /volumes/NAME: -EBUSY "remove NAME: volume is in use - [ID, …]" while a container
 * refers to it; FORCE makes an unknown NAME no error. */
int container_volumes_remove(struct container_service *svc, const char *name, bool force,
                             berth_error_t **err);
/* GET /volumes: every volume passing F (API shape), *ret the caller's. */
int container_volumes_list(struct container_service *svc, const struct volume_filters *f,
                           struct json_object **ret, berth_error_t **err);
/* POST /volumes/prune: remove every volume no container refers to that passes F; DELETED gets
 * their names, *ret_reclaimed their bytes. */
int container_volumes_prune(struct container_service *svc, const struct volume_filters *f,
                            struct json_object *deleted, int64_t *ret_reclaimed,
                            berth_error_t **err);
