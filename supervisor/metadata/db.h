/* supervisor/metadata/db.h: berthd's LMDB environment (layout in supervisor/metadata/schema.h). */
#pragma once

#include <stddef.h>

#include "lib/error.h"

struct metadata_db;

/* Open (creating DIR and the databases when new) and check the schema version: a newer one is
 * -EOPNOTSUPP, a damaged one -EINVAL. *ret is the caller's; free with metadata_db_close(). */
int metadata_db_open(const char *dir, struct metadata_db **ret, berth_error_t **err);
void metadata_db_close(struct metadata_db *db);
DEFINE_CLEANUP(struct metadata_db *, metadata_db_close)
#define cleanup_metadata_db __attribute__((cleanup(metadata_db_closep)))

/* The daemon ID, generated and committed on first call; *ret is the caller's. */
int metadata_db_load_daemon_id(struct metadata_db *db, char **ret, berth_error_t **err);
/* Number of entries in the images and containers databases. */
int metadata_db_count_images(struct metadata_db *db, size_t *ret, berth_error_t **err);
int metadata_db_count_containers(struct metadata_db *db, size_t *ret, berth_error_t **err);
