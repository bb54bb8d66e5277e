/* supervisor/metadata/volumes.c: volume records, one LMDB write transaction per change. */
#include <config.h>

#include "supervisor/metadata/volumes.h"

#include <errno.h>
#include <string.h>

#include <json-c/json.h>
#include <lmdb.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/metadata/internal.h"

static MDB_val
val_of(const char *s)
{
        return (MDB_val){.mv_size = strlen(s), .mv_data = (void *) s};
}

static int
begin(struct metadata_db *db, unsigned flags, MDB_txn **ret, berth_error_t **err)
{
        int rc = mdb_txn_begin(db->env, NULL, flags, ret);

        if (rc != 0)
                return metadata_mdb_error(err, rc, "begin");
        return 0;
}

static int
no_such(berth_error_t **err, const char *name)
{
        return berth_error_new(err, ENOENT, "get %s: no such volume", name);
}

int
metadata_volumes_create(struct metadata_db *db, struct json_object *doc, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        struct json_object *n = NULL;
        const char *name, *s;
        MDB_val k, v;
        int r, rc;

        if (!json_object_object_get_ex(doc, "Name", &n)
            || !json_object_is_type(n, json_type_string))
                return berth_error_new(err, EINVAL, "volume record without Name");
        name = json_object_get_string(n);
        s = json_object_to_json_string_ext(doc,
                                           JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        k = val_of(name);
        v = val_of(s);
        rc = mdb_put(txn, db->volumes, &k, &v, MDB_NOOVERWRITE);
        if (rc == MDB_KEYEXIST)
                return berth_error_new(err, EEXIST, "volume %s exists", name);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "write volume record");
        rc = mdb_txn_commit(TAKE_PTR(txn));
        if (rc != 0)
                return metadata_mdb_error(err, rc, "commit");
        return 0;
}

int
metadata_volumes_load(struct metadata_db *db, const char *name, struct json_object **ret,
                      berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(name), v;
        int r, rc;

        if (name[0] == '\0')
                return no_such(err, name);
        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_get(txn, db->volumes, &k, &v);
        if (rc == MDB_NOTFOUND)
                return no_such(err, name);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "read volume record");
        /* v points into the map: parse (copy) before the transaction ends. */
        return json_parse_buffer(v.mv_data, v.mv_size, ret, err);
}

int
metadata_volumes_list(struct metadata_db *db, struct json_object **ret, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        cleanup_json struct json_object *arr = json_object_new_array();
        MDB_cursor *cur = NULL;
        MDB_val k, v;
        int r, rc;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_cursor_open(txn, db->volumes, &cur);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "open cursor");
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                struct json_object *doc = NULL;
                r = json_parse_buffer(v.mv_data, v.mv_size, &doc, err);
                if (r < 0) {
                        mdb_cursor_close(cur);
                        return berth_error_prefix(err, "volume record \"%.*s\"", (int) k.mv_size,
                                                  (char *) k.mv_data);
                }
                json_object_array_add(arr, doc);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND)
                return metadata_mdb_error(err, rc, "scan volumes");
        *ret = TAKE_PTR(arr);
        return 0;
}

int
metadata_volumes_delete(struct metadata_db *db, const char *name, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(name);
        int r, rc;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_del(txn, db->volumes, &k, NULL);
        if (rc == MDB_NOTFOUND)
                return no_such(err, name);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "remove volume record");
        rc = mdb_txn_commit(TAKE_PTR(txn));
        if (rc != 0)
                return metadata_mdb_error(err, rc, "commit");
        return 0;
}
