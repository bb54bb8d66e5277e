/* supervisor/metadata/volumes.h: volume records in LMDB (layout in schema.h): one JSON
 * document per volume, keyed by its name. */
#pragma once

#include "lib/error.h"

struct metadata_db;
struct json_object;

/* The version written in every record's "v" member (schema.h). */
#define VOLUME_RECORD_VERSION 1

/* In one write transaction: store DOC (which has "Name") unless that name exists (-EEXIST).
 * Does not take DOC. */
int metadata_volumes_create(struct metadata_db *db, struct json_object *doc, berth_error_t **err);
/* The record of NAME; *ret is the caller's. -ENOENT "get NAME: no such volume". */
int metadata_volumes_load(struct metadata_db *db, const char *name, struct json_object **ret,
                          berth_error_t **err);
/* Every record, as a JSON array ordered by name; *ret is the caller's. */
int metadata_volumes_list(struct metadata_db *db, struct json_object **ret, berth_error_t **err);
/* -ENOENT as load. */
int metadata_volumes_delete(struct metadata_db *db, const char *name, berth_error_t **err);
