/* tests/unit/test_images_reference.c: supervisor/images/reference.h (docker's normalisation). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "supervisor/images/reference.h"

static void
check(const char *in, const char *key, const char *familiar)
{
        cleanup_error berth_error_t *err = NULL;
        struct image_ref ref = {0};
        cleanup_free char *k = NULL, *f = NULL;

        assert_int_equal(image_ref_parse(in, &ref, &err), 0);
        k = image_ref_key(&ref);
        assert_string_equal(k, key);
        f = image_ref_familiar(k);
        assert_string_equal(f, familiar);
        image_ref_done(&ref);
}

static void
test_normalise(void **state)
{
        (void) state;
        check("busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36");
        check("foo/bar:1", "docker.io/foo/bar:1", "foo/bar:1");
        check("docker.io/library/busybox", "docker.io/library/busybox:latest", "busybox:latest");
        check("index.docker.io/x/y", "docker.io/x/y:latest", "x/y:latest");
        check("localhost:5000/a/b:c", "localhost:5000/a/b:c", "localhost:5000/a/b:c");
        check("localhost/a", "localhost/a:latest", "localhost/a:latest");
        check("quay.io/x/y@sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
              "quay.io/x/y@sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
              "quay.io/x/y@sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
}

static void
test_invalid(void **state)
{
        const char *bad[] = {"", "Busybox", "a//b", "a:", "a@sha256:12", "-a", "a:-b"};
        (void) state;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cleanup_error berth_error_t *err = NULL;
                struct image_ref ref = {0};
                assert_int_equal(image_ref_parse(bad[i], &ref, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "invalid reference format"));
        }
}

static void
test_id_prefix(void **state)
{
        (void) state;
        assert_true(image_ref_is_id_prefix("e651b9"));
        assert_true(image_ref_is_id_prefix("sha256:e651"));
        assert_false(image_ref_is_id_prefix("busybox"));
        assert_false(image_ref_is_id_prefix(""));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_normalise),
                cmocka_unit_test(test_invalid),
                cmocka_unit_test(test_id_prefix),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
