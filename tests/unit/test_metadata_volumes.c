/* tests/unit/test_metadata_volumes.c: supervisor/metadata/volumes.c: records created once,
 * loaded, listed by name, deleted; dockerd's "no such volume" text. */
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

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "supervisor/metadata/db.h"
#include "supervisor/metadata/volumes.h"

static struct json_object *
rec(const char *name)
{
        struct json_object *o = json_object_new_object();
        json_object_object_add(o, "v", json_object_new_int(VOLUME_RECORD_VERSION));
        json_object_object_add(o, "Name", json_object_new_string(name));
        json_object_object_add(o, "Driver", json_object_new_string("local"));
        return o;
}

static void
test_records(void **state)
{
        char dir[] = "/tmp/berth-test-vol.XXXXXX";
        struct metadata_db *db = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *a = rec("web"), *b = rec("db"), *list = NULL;
        cleanup_json struct json_object *loaded = NULL;
        (void) state;

        assert_non_null(mkdtemp(dir));
        assert_int_equal(metadata_db_open(dir, &db, &err), 0);
        assert_int_equal(metadata_volumes_create(db, a, &err), 0);
        assert_int_equal(metadata_volumes_create(db, a, &err), -EEXIST);
        berth_error_free(err);
        err = NULL;
        assert_int_equal(metadata_volumes_create(db, b, &err), 0);
        assert_int_equal(metadata_volumes_list(db, &list, &err), 0);
        assert_int_equal(json_object_array_length(list), 2);
        assert_string_equal(json_object_get_string(json_object_object_get(
                                    json_object_array_get_idx(list, 0), "Name")),
                            "db");
        assert_int_equal(metadata_volumes_load(db, "web", &loaded, &err), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(loaded, "Driver")),
                            "local");
        assert_int_equal(metadata_volumes_delete(db, "web", &err), 0);
        assert_int_equal(metadata_volumes_delete(db, "web", &err), -ENOENT);
        assert_string_equal(err->msg, "get web: no such volume");
        berth_error_free(err);
        err = NULL;
        assert_int_equal(metadata_volumes_load(db, "", &loaded, &err), -ENOENT);
        metadata_db_close(db);
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, &err), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_records),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
