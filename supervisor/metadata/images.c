/* supervisor/metadata/images.c: image records (the digest index) and the names that point at
 * them, each change in one LMDB write transaction. */
#include <config.h>

#include "supervisor/metadata/images.h"

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

void
image_record_done(struct image_record *rec)
{
        if (rec == NULL)
                return;
        free(rec->id);
        free(rec->manifest);
        free(rec->created);
        free(rec->chain_id);
        strv_free(rec->blobs);
        strv_free(rec->names);
        memset(rec, 0, sizeof(*rec));
}

void
image_records_free(struct image_record *recs, size_t n)
{
        for (size_t i = 0; recs && i < n; i++)
                image_record_done(&recs[i]);
        free(recs);
}

char *
image_record_format(const struct image_record *rec)
{
        cleanup_json struct json_object *o = json_object_new_object();
        struct json_object *blobs = json_object_new_array();

        json_object_object_add(o, "manifest", json_object_new_string(rec->manifest));
        json_object_object_add(o, "created",
                               json_object_new_string(rec->created ? rec->created : ""));
        json_object_object_add(o, "size", json_object_new_int64(rec->size));
        if (rec->chain_id)
                json_object_object_add(o, "chainId", json_object_new_string(rec->chain_id));
        strv_foreach(b, rec->blobs)
                json_object_array_add(blobs, json_object_new_string(b));
        json_object_object_add(o, "blobs", blobs);
        return xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                                 | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
image_record_parse(const char *id, const char *buf, size_t len, struct image_record *ret,
                   berth_error_t **err)
{
        cleanup_json struct json_object *o = NULL;
        struct image_record rec = {0};
        const char *manifest = NULL, *created = NULL, *chain = NULL;
        int64_t size = 0;
        int r;

        r = json_parse_buffer(buf, len, &o, err);
        if (r < 0)
                return berth_error_prefix(err, "image record \"%s\"", id);
        if ((r = json_expect_object(o, NULL, err)) < 0
            || (r = json_get_string(o, NULL, "manifest", &manifest, err)) < 0
            || (r = json_get_string(o, NULL, "created", &created, err)) < 0
            || (r = json_get_string(o, NULL, "chainId", &chain, err)) < 0
            || (r = json_get_int_range(o, NULL, "size", 0, INT64_MAX, &size, err)) < 0
            || (r = json_get_strv(o, NULL, "blobs", &rec.blobs, err)) < 0)
                return berth_error_prefix(err, "image record \"%s\"", id);
        if (manifest == NULL) {
                strv_free(rec.blobs);
                return berth_error_new(err, EINVAL, "image record \"%s\": manifest: missing", id);
        }
        rec.id = xstrdup(id);
        rec.manifest = xstrdup(manifest);
        rec.created = xstrdup(created ? created : "");
        rec.chain_id = chain ? xstrdup(chain) : NULL;
        rec.size = size;
        *ret = rec;
        return 0;
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

static int
id_exists(struct metadata_db *db, MDB_txn *txn, const char *id, berth_error_t **err)
{
        MDB_val k = val_of(id), v;
        int rc = mdb_get(txn, db->image_ids, &k, &v);
        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "no such image: %s", id);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "read image");
        return 0;
}

int
metadata_images_put(struct metadata_db *db, const struct image_record *rec, char *const *names,
                    berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        cleanup_free char *json = image_record_format(rec);
        MDB_val k = val_of(rec->id), v = val_of(json);
        int r, rc;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_put(txn, db->image_ids, &k, &v, 0);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "write image record");
        strv_foreach(n, names) {
                MDB_val nk = val_of(n), nv = val_of(rec->id);
                rc = mdb_put(txn, db->images, &nk, &nv, 0);
                if (rc != 0)
                        return metadata_mdb_error(err, rc, "write image name");
        }
        return commit(&txn, err);
}

int
metadata_images_tag(struct metadata_db *db, const char *name, const char *id, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(name), v = val_of(id);
        int r, rc;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        r = id_exists(db, txn, id, err);
        if (r < 0)
                return r;
        rc = mdb_put(txn, db->images, &k, &v, 0);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "write image name");
        return commit(&txn, err);
}

int
metadata_images_untag(struct metadata_db *db, const char *name, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(name);
        int r, rc;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_del(txn, db->images, &k, NULL);
        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "no such image: %s", name);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "remove image name");
        return commit(&txn, err);
}

/* Call FN on every name → ID entry; FN returning nonzero deletes the entry under the cursor. */
static int
scan_names(struct metadata_db *db, MDB_txn *txn,
           int (*fn)(const MDB_val *k, const MDB_val *v, void *userdata), void *userdata,
           berth_error_t **err)
{
        MDB_cursor *cur = NULL;
        MDB_val k, v;
        int rc;

        rc = mdb_cursor_open(txn, db->images, &cur);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "open cursor");
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                if (fn(&k, &v, userdata)) {
                        rc = mdb_cursor_del(cur, 0);
                        if (rc != 0)
                                break;
                }
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND)
                return metadata_mdb_error(err, rc, "scan image names");
        return 0;
}

static int
names_of_id(const MDB_val *k, const MDB_val *v, void *userdata)
{
        struct image_record *rec = userdata;

        if (v->mv_size == strlen(rec->id) && memcmp(v->mv_data, rec->id, v->mv_size) == 0) {
                cleanup_free char *name = xstrndup(k->mv_data, k->mv_size);
                strv_push(&rec->names, name);
        }
        return 0;
}

static int
delete_names_of_id(const MDB_val *k, const MDB_val *v, void *userdata)
{
        const char *id = userdata;

        (void) k;
        return v->mv_size == strlen(id) && memcmp(v->mv_data, id, v->mv_size) == 0;
}

int
metadata_images_delete(struct metadata_db *db, const char *id, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(id);
        int r, rc;

        r = begin(db, 0, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_del(txn, db->image_ids, &k, NULL);
        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "no such image: %s", id);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "remove image record");
        r = scan_names(db, txn, delete_names_of_id, (void *) id, err);
        if (r < 0)
                return r;
        return commit(&txn, err);
}

int
metadata_images_resolve(struct metadata_db *db, const char *name, char **ret, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(name), v;
        int r, rc;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_get(txn, db->images, &k, &v);
        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "no such image: %s", name);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "read image name");
        *ret = xstrndup(v.mv_data, v.mv_size);
        return 0;
}

int
metadata_images_match_id(struct metadata_db *db, const char *prefix, char **ret,
                         berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        cleanup_free char *full = strncmp(prefix, "sha256:", 7) == 0
                                          ? xstrdup(prefix)
                                          : xasprintf("sha256:%s", prefix);
        cleanup_free char *first = NULL;
        MDB_cursor *cur = NULL;
        MDB_val k = val_of(full), v;
        size_t plen = strlen(full);
        int r, rc, n = 0;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_cursor_open(txn, db->image_ids, &cur);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "open cursor");
        /* IDs are sorted: the matches are the run starting at the first key >= PREFIX. */
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                if (k.mv_size < plen || memcmp(k.mv_data, full, plen) != 0)
                        break;
                if (n++ == 0)
                        first = xstrndup(k.mv_data, k.mv_size);
        }
        mdb_cursor_close(cur);
        if (rc != 0 && rc != MDB_NOTFOUND)
                return metadata_mdb_error(err, rc, "scan image ids");
        if (n == 1)
                *ret = TAKE_PTR(first);
        return n;
}

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

static int
load_in(struct metadata_db *db, MDB_txn *txn, const char *id, const MDB_val *v,
        struct image_record *ret, berth_error_t **err)
{
        struct image_record rec = {0};
        int r;

        r = image_record_parse(id, v->mv_data, v->mv_size, &rec, err);
        if (r < 0)
                return r;
        r = scan_names(db, txn, names_of_id, &rec, err);
        if (r < 0) {
                image_record_done(&rec);
                return r;
        }
        if (rec.names)
                qsort(rec.names, strv_length(rec.names), sizeof(char *), cmp_str);
        *ret = rec;
        return 0;
}

int
metadata_images_load(struct metadata_db *db, const char *id, struct image_record *ret,
                     berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        MDB_val k = val_of(id), v;
        int r, rc;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_get(txn, db->image_ids, &k, &v);
        if (rc == MDB_NOTFOUND)
                return berth_error_new(err, ENOENT, "no such image: %s", id);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "read image");
        return load_in(db, txn, id, &v, ret, err);
}

int
metadata_images_list(struct metadata_db *db, struct image_record **ret, berth_error_t **err)
{
        cleanup_txn MDB_txn *txn = NULL;
        struct image_record *recs = NULL;
        MDB_cursor *cur = NULL;
        MDB_val k, v;
        size_t n = 0;
        int r, rc;

        r = begin(db, MDB_RDONLY, &txn, err);
        if (r < 0)
                return r;
        rc = mdb_cursor_open(txn, db->image_ids, &cur);
        if (rc != 0)
                return metadata_mdb_error(err, rc, "open cursor");
        for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                cleanup_free char *id = xstrndup(k.mv_data, k.mv_size);
                recs = xrealloc(recs, (n + 1) * sizeof(*recs));
                r = load_in(db, txn, id, &v, &recs[n], err);
                if (r < 0) {
                        mdb_cursor_close(cur);
                        image_records_free(recs, n);
                        return r;
                }
                n++;
        }
        mdb_cursor_close(cur);
        if (rc != MDB_NOTFOUND) {
                image_records_free(recs, n);
                return metadata_mdb_error(err, rc, "scan images");
        }
        *ret = recs;
        return (int) n;
}
