/* tests/unit/test_metadata_images.c: supervisor/metadata/images.h and gc.h on a fresh LMDB
 * environment and content store per test. */
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

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/content/store.h"
#include "supervisor/metadata/db.h"
#include "supervisor/metadata/gc.h"
#include "supervisor/metadata/images.h"

/* sha256 of "a", "b", "c" */
#define DA "sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb"
#define DB "sha256:3e23e8160039594a33894f6564e1b1348bbd7a0088d42c4acb73eeaed59c009d"
#define DC "sha256:2e7d2c03a9507ae265ecf5b5356885a53393a2029d241394997265a1a25aefc6"

struct fixture {
        char *dir;
        struct metadata_db *db;
        struct content_store *store;
};

static int
setup(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct fixture *f = xzalloc(sizeof(*f));
        cleanup_free char *meta = NULL, *content = NULL;

        f->dir = xstrdup("/tmp/berth-test-images.XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        meta = xasprintf("%s/metadata", f->dir);
        content = xasprintf("%s/content", f->dir);
        if (metadata_db_open(meta, &f->db, &err) < 0
            || content_store_open(content, &f->store, &err) < 0)
                return -1;
        *state = f;
        return 0;
}

static int
teardown(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct fixture *f = *state;

        metadata_db_close(f->db);
        content_store_close(f->store);
        fs_remove_tree(AT_FDCWD, f->dir, &err);
        free(f->dir);
        free(f);
        return 0;
}

static void
test_record_round_trip(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        char *blobs[] = {DA, DB, NULL};
        struct image_record in = {.id = DB,
                                  .manifest = DA,
                                  .created = "2024-01-01T00:00:00Z",
                                  .size = 42,
                                  .chain_id = DC,
                                  .blobs = blobs};
        struct image_record out = {0};
        cleanup_free char *s = image_record_format(&in);

        (void) state;
        assert_int_equal(image_record_parse(DB, s, strlen(s), &out, &err), 0);
        assert_string_equal(out.id, DB);
        assert_string_equal(out.manifest, DA);
        assert_string_equal(out.chain_id, DC);
        assert_int_equal(out.size, 42);
        assert_int_equal(strv_length(out.blobs), 2);
        image_record_done(&out);
}

static void
test_record_bad_member_is_einval(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct image_record out = {0};
        const char *s = "{\"manifest\":\"x\",\"size\":\"big\"}";

        (void) state;
        assert_int_equal(image_record_parse(DB, s, strlen(s), &out, &err), -EINVAL);
        assert_string_equal(err->json_path, "size");
        assert_non_null(strstr(err->msg, "image record \"" DB "\""));
}

static void
test_put_tag_untag_delete(void **state)
{
        struct fixture *f = *state;
        cleanup_error berth_error_t *err = NULL;
        char *blobs[] = {DA, DB, NULL};
        char *names[] = {"docker.io/library/busybox:latest", NULL};
        struct image_record rec = {.id = DB, .manifest = DA, .created = "", .blobs = blobs};
        struct image_record got = {0};
        struct image_record *all = NULL;
        cleanup_free char *id = NULL, *prefix = NULL;

        assert_int_equal(metadata_images_put(f->db, &rec, names, &err), 0);
        assert_int_equal(metadata_images_resolve(f->db, names[0], &id, &err), 0);
        assert_string_equal(id, DB);
        assert_int_equal(metadata_images_tag(f->db, "docker.io/library/b:1", DB, &err), 0);
        assert_int_equal(metadata_images_load(f->db, DB, &got, &err), 0);
        assert_int_equal(strv_length(got.names), 2);
        assert_string_equal(got.names[0], "docker.io/library/b:1");
        image_record_done(&got);
        /* A short ID matches with or without the algorithm. */
        assert_int_equal(metadata_images_match_id(f->db, "3e23e8", &prefix, &err), 1);
        assert_string_equal(prefix, DB);
        assert_int_equal(metadata_images_match_id(f->db, "sha256:ff", &prefix, &err), 0);
        /* Tagging a missing image is ENOENT and leaves nothing. */
        assert_int_equal(metadata_images_tag(f->db, "x:y", DC, &err), -ENOENT);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(metadata_images_untag(f->db, names[0], &err), 0);
        assert_int_equal(metadata_images_untag(f->db, names[0], &err), -ENOENT);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(metadata_images_list(f->db, &all, &err), 1);
        assert_int_equal(strv_length(all[0].names), 1);
        image_records_free(all, 1);
        assert_int_equal(metadata_images_delete(f->db, DB, &err), 0);
        assert_int_equal(metadata_images_resolve(f->db, "docker.io/library/b:1", &id, &err),
                         -ENOENT);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(metadata_images_list(f->db, &all, &err), 0);
        free(all);
}

static void
test_gc_removes_unreferenced_blobs(void **state)
{
        struct fixture *f = *state;
        cleanup_error berth_error_t *err = NULL;
        char *blobs[] = {DA, NULL};
        struct image_record rec = {.id = DB, .manifest = DA, .created = "", .blobs = blobs};
        int64_t size = 0, bytes = 0;

        assert_int_equal(content_store_write_blob(f->store, "a", "a", 1, DA, 1, &err), 0);
        assert_int_equal(content_store_write_blob(f->store, "b", "b", 1, DB, 1, &err), 0);
        assert_int_equal(content_store_write_blob(f->store, "c", "c", 1, DC, 1, &err), 0);
        assert_int_equal(metadata_images_put(f->db, &rec, NULL, &err), 0);
        /* The dangling image still holds its manifest (listed) and config (its ID). */
        assert_int_equal(metadata_gc_blobs(f->db, f->store, &bytes, &err), 1);
        assert_int_equal(bytes, 1);
        assert_int_equal(content_store_stat_blob(f->store, DC, &size, &err), -ENOENT);
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(content_store_stat_blob(f->store, DA, &size, &err), 0);
        assert_int_equal(metadata_images_delete(f->db, DB, &err), 0);
        assert_int_equal(metadata_gc_blobs(f->db, f->store, NULL, &err), 2);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_record_round_trip),
                cmocka_unit_test(test_record_bad_member_is_einval),
                cmocka_unit_test_setup_teardown(test_put_tag_untag_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_gc_removes_unreferenced_blobs, setup,
                                                teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
