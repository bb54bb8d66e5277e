/* supervisor/metadata/db.c: open berthd's LMDB environment, check its schema, small records. */
#include <config.h>

#include "supervisor/metadata/db.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include <lmdb.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "supervisor/metadata/internal.h"
#include "supervisor/metadata/schema.h"

/* Room for the databases in schema.h and those to come; LMDB fixes the count at open. */
#define MAX_DBS 16
/* The map is address space, not disk: the file grows as data is written. */
#define MAP_SIZE ((size_t) 1 << 30)

int
metadata_mdb_error(berth_error_t **err, int rc, const char *what)
{
        /* LMDB's own codes are negative and outside errno's range; the class is EIO then. */
        int code = rc > 0 ? rc : EIO;
        return berth_error_new(err, code, "metadata: %s: %s", what, mdb_strerror(rc));
}

static int
check_schema(struct metadata_db *db, MDB_txn *txn, berth_error_t **err)
{
        MDB_val key = {.mv_size = strlen(METADATA_KEY_SCHEMA), .mv_data = METADATA_KEY_SCHEMA};
        MDB_val val;
        char buf[32], *end = NULL;
        unsigned long v;
        int rc;

        rc = mdb_get(txn, db->meta, &key, &val);
        if (rc == MDB_NOTFOUND) {
                MDB_stat st;
                rc = mdb_stat(txn, db->meta, &st);
                if (rc != 0)
                        return metadata_mdb_error(err, rc, "stat meta");
                if (st.ms_entries != 0)
                        return berth_error_new(
                                err, EINVAL,
                                "metadata: no schema version in a non-empty environment");
                snprintf(buf, sizeof(buf), "%d", METADATA_SCHEMA_VERSION);
                val.mv_size = strlen(buf);
                val.mv_data = buf;
                rc = mdb_put(txn, db->meta, &key, &val, 0);
                if (rc != 0)
                        return metadata_mdb_error(err, rc, "write schema version");
                return 0;
        }
        if (rc != 0)
                return metadata_mdb_error(err, rc, "read schema version");
        if (val.mv_size == 0 || val.mv_size >= sizeof(buf))
                return berth_error_new(err, EINVAL, "metadata: bad schema version record");
        memcpy(buf, val.mv_data, val.mv_size);
        buf[val.mv_size] = '\0';
        errno = 0;
        v = strtoul(buf, &end, 10);
        if (errno != 0 || *end != '\0' || buf[0] < '0' || buf[0] > '9')
                return berth_error_new(err, EINVAL, "metadata: bad schema version \"%s\"", buf);
        if (v > METADATA_SCHEMA_VERSION)
                return berth_error_new(
                        err, EOPNOTSUPP,
                        "metadata: schema version %lu is newer than this berthd supports (%d): refusing to open it",
                        v, METADATA_SCHEMA_VERSION);
        return 0;
}

int
metadata_db_open(const char *dir, struct metadata_db **ret, berth_error_t **err)
{
        cleanup_metadata_db struct metadata_db *db = xzalloc(sizeof(*db));
        cleanup_txn MDB_txn *txn = NULL;
        int r, rc;

        r = fs_mkdir_p(dir, 0700, err);
        if (r < 0)
                return r;
        rc = mdb_env_create(&db->env);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "create environment");
        rc = mdb_env_set_maxdbs(db->env, MAX_DBS);
        if (rc == 0)
                rc = mdb_env_set_mapsize(db->env, MAP_SIZE);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "configure environment");
        /* MDB_NOTLS: read transactions are tied to the transaction object, not the thread, so
         * any of the HTTP server's threads may use one. */
        rc = mdb_env_open(db->env, dir, MDB_NOTLS, 0600);
        if (rc != 0) {
                cleanup_free char *what = xasprintf("open \"%s\"", dir);
                return metadata_mdb_error(err, rc, what);
        }
        rc = mdb_txn_begin(db->env, NULL, 0, &txn);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "begin");
        rc = mdb_dbi_open(txn, METADATA_DB_META, MDB_CREATE, &db->meta);
        if (rc == 0)
                rc = mdb_dbi_open(txn, METADATA_DB_IMAGES, MDB_CREATE, &db->images);
        if (rc == 0)
                rc = mdb_dbi_open(txn, METADATA_DB_CONTAINERS, MDB_CREATE, &db->containers);
        if (rc == 0)
                rc = mdb_dbi_open(txn, METADATA_DB_IMAGE_IDS, MDB_CREATE, &db->image_ids);
        if (rc == 0)
                rc = mdb_dbi_open(txn, METADATA_DB_VOLUMES, MDB_CREATE, &db->volumes);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "open databases");
        r = check_schema(db, txn, err);
        if (r < 0)
                return r;
        rc = mdb_txn_commit(TAKE_PTR(txn));
        if (rc != 0)
                return metadata_mdb_error(err, rc, "commit");
        *ret = TAKE_PTR(db);
        return 0;
}

void
metadata_db_close(struct metadata_db *db)
{
        if (db == NULL)
                return;
        if (db->env)
                mdb_env_close(db->env);
        free(db);
}

static char *
uuid_new(void)
{
        uint8_t b[16];
        size_t got = 0;

        while (got < sizeof(b)) {
                ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        abort(); /* getrandom cannot fail on Linux >= 3.17 after early boot */
                got += (size_t) n;
        }
        b[6] = (uint8_t) ((b[6] & 0x0f) | 0x40); /* RFC 4122 version 4 */
        b[8] = (uint8_t) ((b[8] & 0x3f) | 0x80);
        return xasprintf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                         b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                         b[12], b[13], b[14], b[15]);
}

int
metadata_db_load_daemon_id(struct metadata_db *db, char **ret, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        cleanup_free char *id = NULL;
        MDB_val key = {.mv_size = strlen(METADATA_KEY_DAEMON_ID),
                       .mv_data = METADATA_KEY_DAEMON_ID};
        MDB_val val;
        int rc;

        /* A write transaction even to read: two first calls must not make two IDs. */
        rc = mdb_txn_begin(db->env, NULL, 0, &txn);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "begin");
        rc = mdb_get(txn, db->meta, &key, &val);
        if (rc == 0) {
                /* val points into the map: copy before the transaction ends. */
                *ret = xstrndup(val.mv_data, val.mv_size);
                return 0;
        }
        if (rc != MDB_NOTFOUND)
                return metadata_mdb_error(err, rc, "read daemon id");
        id = uuid_new();
        val.mv_size = strlen(id);
        val.mv_data = id;
        rc = mdb_put(txn, db->meta, &key, &val, 0);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "write daemon id");
        rc = mdb_txn_commit(TAKE_PTR(txn));
        if (rc != 0)
                return metadata_mdb_error(err, rc, "commit daemon id");
        *ret = TAKE_PTR(id);
        return 0;
}

static int
count_entries(struct metadata_db *db, MDB_dbi dbi, const char *name, size_t *ret,
              berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_stat st;
        int rc;

        rc = mdb_txn_begin(db->env, NULL, MDB_RDONLY, &txn);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "begin");
        rc = mdb_stat(txn, dbi, &st);
        if (rc != 0) {
                cleanup_free char *what = xasprintf("stat %s", name);
                return metadata_mdb_error(err, rc, what);
        }
        *ret = st.ms_entries;
        return 0;
}

int
metadata_db_count_images(struct metadata_db *db, size_t *ret, berth_error_t **err)
{
        /* docker counts images, not names: one per ID, tagged or dangling. */
        return count_entries(db, db->image_ids, METADATA_DB_IMAGE_IDS, ret, err);
}

int
metadata_db_count_containers(struct metadata_db *db, size_t *ret, berth_error_t **err)
{
        return count_entries(db, db->containers, METADATA_DB_CONTAINERS, ret, err);
}
