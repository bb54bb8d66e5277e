/* tests/unit/test_metadata_db.c: supervisor/metadata/db.h on a fresh LMDB environment per test. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <lmdb.h>

#include "lib/fs.h"
#include "lib/xalloc.h"
#include "supervisor/metadata/db.h"
#include "supervisor/metadata/schema.h"

static int
tmp_setup(void **state)
{
        char *p = xstrdup("/tmp/berth-test-metadata.XXXXXX");
        if (!mkdtemp(p)) {
                free(p);
                return -1;
        }
        *state = p;
        return 0;
}

static int
tmp_teardown(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        fs_remove_tree(AT_FDCWD, *state, &err);
        free(*state);
        return 0;
}

static void
test_daemon_id_persists(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *id1 = NULL, *id2 = NULL, *id3 = NULL;
        struct metadata_db *db = NULL;
        size_t n = 99;

        assert_int_equal(metadata_db_open(*state, &db, &err), 0);
        assert_int_equal(metadata_db_load_daemon_id(db, &id1, &err), 0);
        assert_int_equal(strlen(id1), 36);
        assert_int_equal(id1[14], '4');
        assert_int_equal(metadata_db_load_daemon_id(db, &id2, &err), 0);
        assert_string_equal(id1, id2);
        assert_int_equal(metadata_db_count_images(db, &n, &err), 0);
        assert_int_equal(n, 0);
        n = 99;
        assert_int_equal(metadata_db_count_containers(db, &n, &err), 0);
        assert_int_equal(n, 0);
        metadata_db_close(db);
        assert_int_equal(metadata_db_open(*state, &db, &err), 0);
        assert_int_equal(metadata_db_load_daemon_id(db, &id3, &err), 0);
        assert_string_equal(id1, id3);
        metadata_db_close(db);
}

static void
put_schema(const char *dir, const char *version)
{
        MDB_env *env = NULL;
        MDB_txn *txn = NULL;
        MDB_dbi dbi;
        MDB_val k = {.mv_size = strlen(METADATA_KEY_SCHEMA), .mv_data = METADATA_KEY_SCHEMA};
        MDB_val v = {.mv_size = strlen(version), .mv_data = (void *) version};

        assert_int_equal(mdb_env_create(&env), 0);
        assert_int_equal(mdb_env_set_maxdbs(env, 4), 0);
        assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
        assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
        assert_int_equal(mdb_dbi_open(txn, METADATA_DB_META, MDB_CREATE, &dbi), 0);
        assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
        assert_int_equal(mdb_txn_commit(txn), 0);
        mdb_env_close(env);
}

static void
test_newer_schema_refused(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct metadata_db *db = NULL;

        put_schema(*state, "2");
        assert_int_equal(metadata_db_open(*state, &db, &err), -EOPNOTSUPP);
        assert_string_equal(
                err->msg,
                "metadata: schema version 2 is newer than this berthd supports (1): refusing to open it");
        assert_null(db);
}

static void
test_bad_schema_refused(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct metadata_db *db = NULL;

        put_schema(*state, "x1");
        assert_int_equal(metadata_db_open(*state, &db, &err), -EINVAL);
        assert_string_equal(err->msg, "metadata: bad schema version \"x1\"");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_daemon_id_persists, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_refused, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_bad_schema_refused, tmp_setup, tmp_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
