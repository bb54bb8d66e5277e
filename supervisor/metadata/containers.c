/* supervisor/metadata/containers.c: container records, one LMDB write transaction per change;
 * the name index is the records themselves (scanned inside the transaction that writes). */
#include <config.h>

#include "supervisor/metadata/containers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <lmdb.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/metadata/internal.h"

static const char *
name_bare(const char *n)
{
        return n[0] == '/' ? n + 1 : n;
}

int
container_ref_match(char *const *ids, char *const *names, size_t n, const char *ref,
                    berth_error_t **err)
{
        size_t len = strlen(ref);
        int found = -1;

        if (len == 0)
                return berth_error_new(err, ENOENT, "No such container: %s", ref);
        /* dockerd's GetContainer: full ID, then name, then the truncated-ID index. */
        for (size_t i = 0; i < n; i++)
                if (strcmp(ids[i], ref) == 0)
                        return (int) i;
        for (size_t i = 0; i < n; i++)
                if (strcmp(name_bare(names[i]), name_bare(ref)) == 0)
                        return (int) i;
        for (size_t i = 0; i < n; i++) {
                if (strncmp(ids[i], ref, len) != 0)
                        continue;
                if (found >= 0)
                        return berth_error_new(err, ENOTUNIQ,
                                               "Multiple IDs found with provided prefix: %s", ref);
                found = (int) i;
        }
        if (found < 0)
                return berth_error_new(err, ENOENT, "No such container: %s", ref);
        return found;
}

int
container_name_valid(const char *name)
{
        const char *p = name_bare(name);
        size_t n = strlen(p);

        if (n < 2)
                return 0;
        if (!((p[0] >= 'a' && p[0] <= 'z') || (p[0] >= 'A' && p[0] <= 'Z')
              || (p[0] >= '0' && p[0] <= '9')))
                return 0;
        for (size_t i = 1; i < n; i++) {
                char c = p[i];
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                      || c == '_' || c == '.' || c == '-'))
                        return 0;
        }
        return 1;
}

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
commit(MDB_txn **txn, berth_error_t **err)
{
        int rc = mdb_txn_commit(TAKE_PTR(*txn));
        if (rc != 0)
                return metadata_mdb_error(err, rc, "commit");
        return 0;
}

static const char *
member_str(struct json_object *o, const char *key)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
                return NULL;
        return json_object_get_string(v);
}

/* Every record in TXN, parsed, into a JSON array (*ret is the caller's). */
static int
scan(struct metadata_db *db, MDB_txn *txn, struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *arr = json_object_new_array();
        MDB_cursor *cur = NULL;
        MDB_val k, v;
        int rc, r;

        rc = mdb_cursor_open(txn, db->containers, &cur);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "open cursor");
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                struct json_object *doc = NULL;
                r = json_parse_buffer(v.mv_data, v.mv_size, &doc, err);
                if (r < 0) {
                        mdb_cursor_close(cur);
                        return berth_error_prefix(err, "container record \"%.*s\"", (int) k.mv_size,
                                                  (char *) k.mv_data);
                }
                json_object_array_add(arr, doc);
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND)
                return metadata_mdb_error(err, rc, "scan containers");
        *ret = TAKE_PTR(arr);
        return 0;
}

/* -EEXIST when a container other than ID is called NAME. */
static int
check_name(struct metadata_db *db, MDB_txn *txn, const char *id, const char *name,
           berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        int r = scan(db, txn, &all, err);

        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                struct json_object *o = json_object_array_get_idx(all, i);
                const char *oid = member_str(o, "Id"), *on = member_str(o, "Name");
                if (oid && on && strcmp(oid, id) != 0
                    && strcmp(name_bare(on), name_bare(name)) == 0)
                        return berth_error_new(
                                err, EEXIST,
                                "Conflict. The container name \"/%s\" is already in use by container \"%s\". You have to remove (or rename) that container to be able to reuse that name.",
                                name_bare(name), oid);
        }
        return 0;
}

static int
put(struct metadata_db *db, MDB_txn *txn, struct json_object *doc, unsigned flags,
    berth_error_t **err)
{
        const char *id = member_str(doc, "Id");
        const char *s = json_object_to_json_string_ext(
                doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        MDB_val k = val_of(id), v = val_of(s);
        int rc = mdb_put(txn, db->containers, &k, &v, flags);

        if (rc == MDB_KEYEXIST)
                return berth_error_new(err, EEXIST, "container %s exists", id);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "write container record");
        return 0;
}

int
metadata_containers_create(struct metadata_db *db, struct json_object *doc, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        const char *id = member_str(doc, "Id"), *name = member_str(doc, "Name");
        int r;

        if (id == NULL || name == NULL)
                return berth_error_new(err, EINVAL, "container record without Id or Name");
        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        r = check_name(db, txn, id, name, err);
        if (r < 0)
                return r;
        r = put(db, txn, doc, MDB_NOOVERWRITE, err);
        if (r < 0)
                return r;
        return commit(&txn, err);
}

static int
exists(struct metadata_db *db, MDB_txn *txn, const char *id, MDB_val *ret, berth_error_t **err)
{
        MDB_val k = val_of(id);
        int rc = mdb_get(txn, db->containers, &k, ret);

        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "No such container: %s", id);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "read container record");
        return 0;
}

int
metadata_containers_update(struct metadata_db *db, struct json_object *doc, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        const char *id = member_str(doc, "Id");
        MDB_val v;
        int r;

        if (id == NULL)
                return berth_error_new(err, EINVAL, "container record without Id");
        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        r = exists(db, txn, id, &v, err);
        if (r < 0)
                return r;
        r = put(db, txn, doc, 0, err);
        if (r < 0)
                return r;
        return commit(&txn, err);
}

int
metadata_containers_rename(struct metadata_db *db, const char *id, const char *name,
                           berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *full = xasprintf("/%s", name_bare(name));
        MDB_val v;
        int r;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        r = exists(db, txn, id, &v, err);
        if (r < 0)
                return r;
        r = json_parse_buffer(v.mv_data, v.mv_size, &doc, err);
        if (r < 0)
                return r;
        r = check_name(db, txn, id, name, err);
        if (r < 0)
                return r;
        json_object_object_add(doc, "Name", json_object_new_string(full));
        r = put(db, txn, doc, 0, err);
        if (r < 0)
                return r;
        return commit(&txn, err);
}

int
metadata_containers_delete(struct metadata_db *db, const char *id, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(id);
        int r, rc;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_del(txn, db->containers, &k, NULL);
        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "No such container: %s", id);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "remove container record");
        return commit(&txn, err);
}

int
metadata_containers_load(struct metadata_db *db, const char *id, struct json_object **ret,
                         berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val v;
        int r;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        r = exists(db, txn, id, &v, err);
        if (r < 0)
                return r;
        /* v points into the map: parse (copy) before the transaction ends. */
        return json_parse_buffer(v.mv_data, v.mv_size, ret, err);
}

int
metadata_containers_list(struct metadata_db *db, struct json_object **ret, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        int r;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        return scan(db, txn, ret, err);
}

int
metadata_containers_resolve(struct metadata_db *db, const char *ref, char **ret_id,
                            berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_strv char **ids = NULL;
        cleanup_strv char **names = NULL;
        size_t n;
        int r;

        r = metadata_containers_list(db, &all, err);
        if (r < 0)
                return r;
        n = json_object_array_length(all);
        for (size_t i = 0; i < n; i++) {
                struct json_object *o = json_object_array_get_idx(all, i);
                const char *id = member_str(o, "Id"), *name = member_str(o, "Name");
                strv_push(&ids, id ? id : "");
                strv_push(&names, name ? name : "");
        }
        r = container_ref_match(ids, names, n, ref, err);
        if (r < 0)
                return r;
        *ret_id = xstrdup(ids[r]);
        return 0;
}
