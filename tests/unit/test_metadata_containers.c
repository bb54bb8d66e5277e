/* tests/unit/test_metadata_containers.c: supervisor/metadata/containers.h: docker's ID/name
 * resolution, name rules, and records in a fresh LMDB environment. */
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
#include <json-c/json.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/metadata/db.h"

#define A "aaaa111111111111111111111111111111111111111111111111111111111111"
#define B "aaab222222222222222222222222222222222222222222222222222222222222"
#define C "c0ffee3333333333333333333333333333333333333333333333333333333333"

static void
test_ref_match(void **state)
{
        char *ids[] = {(char *) A, (char *) B, (char *) C};
        char *names[] = {(char *) "/web", (char *) "/c0ffee", (char *) "/db"};
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL;
        (void) state;
        assert_int_equal(container_ref_match(ids, names, 3, A, &e1), 0);
        assert_int_equal(container_ref_match(ids, names, 3, "web", &e1), 0);
        assert_int_equal(container_ref_match(ids, names, 3, "/db", &e1), 2);
        assert_int_equal(container_ref_match(ids, names, 3, "aaab", &e1), 1);
        /* a name wins over an ID prefix (dockerd: full ID, name, then prefix) */
        assert_int_equal(container_ref_match(ids, names, 3, "c0ffee", &e1), 1);
        assert_int_equal(container_ref_match(ids, names, 3, "aaa", &e1), -ENOTUNIQ);
        assert_string_equal(e1->msg, "Multiple IDs found with provided prefix: aaa");
        assert_int_equal(container_ref_match(ids, names, 3, "zzz", &e2), -ENOENT);
        assert_string_equal(e2->msg, "No such container: zzz");
        assert_int_equal(container_ref_match(ids, names, 3, "", &e3), -ENOENT);
}

static void
test_name_valid(void **state)
{
        (void) state;
        assert_true(container_name_valid("web"));
        assert_true(container_name_valid("/web-1.a_b"));
        assert_false(container_name_valid("a"));
        assert_false(container_name_valid("-web"));
        assert_false(container_name_valid("we b"));
        assert_false(container_name_valid("we/b"));
}

static struct json_object *
rec(const char *id, const char *name)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "Id", json_object_new_string(id));
        json_object_object_add(o, "Name", json_object_new_string(name));
        return o;
}

static void
test_records(void **state)
{
        char dir[] = "/tmp/berth-test-ctr.XXXXXX";
        struct metadata_db *db = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *a = rec(A, "/web"), *b = rec(B, "/web");
        cleanup_json struct json_object *list = NULL, *loaded = NULL;
        cleanup_free char *id = NULL;
        size_t n = 0;
        (void) state;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(metadata_db_open(dir, &db, &err), 0);
        assert_int_equal(metadata_containers_create(db, a, &err), 0);
        assert_int_equal(metadata_containers_create(db, b, &err), -EEXIST);
        assert_string_equal(
                err->msg,
                "Conflict. The container name \"/web\" is already in use by container \"" A
                "\". You have to remove (or rename) that container to be able to reuse that name.");
        berth_error_free(err);
        err = NULL;
        json_object_object_add(b, "Name", json_object_new_string("/db"));
        assert_int_equal(metadata_containers_create(db, b, &err), 0);
        assert_int_equal(metadata_db_count_containers(db, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(metadata_containers_rename(db, B, "web", &err), -EEXIST);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(metadata_containers_rename(db, B, "cache", &err), 0);
        assert_int_equal(metadata_containers_resolve(db, "cache", &id, &err), 0);
        assert_string_equal(id, B);
        assert_int_equal(metadata_containers_load(db, B, &loaded, &err), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(loaded, "Name")),
                            "/cache");
        assert_int_equal(metadata_containers_delete(db, A, &err), 0);
        assert_int_equal(metadata_containers_delete(db, A, &err), -ENOENT);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(metadata_containers_list(db, &list, &err), 0);
        assert_int_equal(json_object_array_length(list), 1);
        metadata_db_close(db);
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, &err), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_ref_match),
                cmocka_unit_test(test_name_valid),
                cmocka_unit_test(test_records),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
