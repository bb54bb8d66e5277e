/* supervisor/metadata/images.h: image records and names in LMDB (layout in schema.h). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct metadata_db;

struct image_record {
        char *id;       /* "sha256:<hex>" of the config blob: docker's image ID */
        char *manifest; /* digest of the manifest blob */
        char *created;  /* RFC 3339, from the config */
        int64_t size;   /* bytes of the unpacked layers */
        char *chain_id; /* the top snapshot's chain ID; NULL for an image without layers */
        char **blobs;   /* every blob the image keeps alive: manifest, config, layers */
        char **names;   /* filled by the loaders below: the names pointing at the ID, sorted */
};

void image_record_done(struct image_record *rec);
/* The stored JSON of REC (id and names are keys, not part of it). Pure; caller frees. */
char *image_record_format(const struct image_record *rec);
/* Parse a stored record of image ID; -EINVAL names the bad member. Pure. */
int image_record_parse(const char *id, const char *buf, size_t len, struct image_record *ret,
                       berth_error_t **err);

/* In one write transaction: store REC under rec->id (replacing an earlier record) and point
 * every name of NAMES at it. A name that pointed at another ID moves (that image may become
 * dangling: it stays, as docker keeps it). */
int metadata_images_put(struct metadata_db *db, const struct image_record *rec, char *const *names,
                        berth_error_t **err);
/* Point NAME at the existing image ID: -ENOENT when there is no such image. */
int metadata_images_tag(struct metadata_db *db, const char *name, const char *id,
                        berth_error_t **err);
/* Remove NAME: -ENOENT when absent. The image stays (dangling when it was its last name). */
int metadata_images_untag(struct metadata_db *db, const char *name, berth_error_t **err);
/* Remove the image ID and every name pointing at it: -ENOENT when absent. */
int metadata_images_delete(struct metadata_db *db, const char *id, berth_error_t **err);
/* The image ID NAME points at: -ENOENT when none. *ret is the caller's. */
int metadata_images_resolve(struct metadata_db *db, const char *name, char **ret,
                            berth_error_t **err);
/* Every image ID starting with PREFIX ("sha256:ab12" or "ab12"): how many there are, and the
 * first into *ret (caller frees) when there is exactly one. */
int metadata_images_match_id(struct metadata_db *db, const char *prefix, char **ret,
                             berth_error_t **err);
/* The record of ID with its names; -ENOENT when absent. */
int metadata_images_load(struct metadata_db *db, const char *id, struct image_record *ret,
                         berth_error_t **err);
/* Every image, with its names, ordered by ID. Returns the count; free with
 * image_records_free(). */
int metadata_images_list(struct metadata_db *db, struct image_record **ret, berth_error_t **err);
void image_records_free(struct image_record *recs, size_t n);
