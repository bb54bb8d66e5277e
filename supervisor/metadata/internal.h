/* supervisor/metadata/internal.h: what the files of supervisor/metadata/ share about the LMDB
 * environment; nothing outside this directory includes it. */
#pragma once

#include <lmdb.h>

#include "lib/error.h"

struct metadata_db {
        MDB_env *env;
        MDB_dbi meta;
        MDB_dbi images;    /* name → image ID */
        MDB_dbi image_ids; /* image ID → image record */
        MDB_dbi containers;
        MDB_dbi volumes; /* volume name → volume record */
};

static inline void
metadata_txn_abortp(MDB_txn **t)
{
        if (*t)
                mdb_txn_abort(*t);
}
#define cleanup_txn __attribute__((cleanup(metadata_txn_abortp)))

/* "metadata: WHAT: <mdb_strerror>"; the class is RC when it is an errno, else EIO. */
int metadata_mdb_error(berth_error_t **err, int rc, const char *what);
