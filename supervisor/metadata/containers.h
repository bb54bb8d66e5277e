/* supervisor/metadata/containers.h: container records in LMDB (layout in schema.h): one JSON
 * document per container, keyed by its 64-hex ID; names unique; docker's ID/name resolution. */
#pragma once

#include <stddef.h>

#include "lib/error.h"

struct metadata_db;
struct json_object;

/* The version written in every record's "v" member (schema.h). */
#define CONTAINER_RECORD_VERSION 1

/* docker's lookup over parallel arrays IDS and NAMES ("/name") of N containers: an exact ID, an
 * exact name (with or without the leading "/"), then a unique ID prefix. Returns the index;
 * -ENOENT "No such container: REF"; -ENOTUNIQ "Multiple IDs found with provided prefix: REF".
 * Pure. */
int container_ref_match(char *const *ids, char *const *names, size_t n, const char *ref,
                        berth_error_t **err);

/* docker's name rule: [a-zA-Z0-9][a-zA-Z0-9_.-]+ after an optional "/". */
int container_name_valid(const char *name);

/* In one write transaction: store DOC (which has "Id" and "Name") under its ID. -EEXIST with
 * docker's conflict text when another container has that name. Does not take DOC. */
int metadata_containers_create(struct metadata_db *db, struct json_object *doc,
                               berth_error_t **err);
/* Replace the record of DOC's ID (it must exist: -ENOENT); the name is not checked again. */
int metadata_containers_update(struct metadata_db *db, struct json_object *doc,
                               berth_error_t **err);
/* Give ID the name NAME ("/x"): -EEXIST as create; -ENOENT. */
int metadata_containers_rename(struct metadata_db *db, const char *id, const char *name,
                               berth_error_t **err);
int metadata_containers_delete(struct metadata_db *db, const char *id, berth_error_t **err);
/* The record of ID; *ret is the caller's. -ENOENT. */
int metadata_containers_load(struct metadata_db *db, const char *id, struct json_object **ret,
                             berth_error_t **err);
/* Every record, as a JSON array ordered by ID; *ret is the caller's. */
int metadata_containers_list(struct metadata_db *db, struct json_object **ret, berth_error_t **err);
/* container_ref_match over the stored records; *ret_id is the caller's. */
int metadata_containers_resolve(struct metadata_db *db, const char *ref, char **ret_id,
                                berth_error_t **err);
