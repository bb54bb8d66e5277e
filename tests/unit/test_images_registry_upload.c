/* tests/unit/test_images_registry_upload.c: supervisor/images/registry_upload.h's pure parts: a
 * Location header resolved against the request's URL, and query arguments appended. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "supervisor/images/registry_upload.h"

#define BASE "http://127.0.0.1:5000/v2/test/busybox/blobs/uploads/"

static void
check_resolve(const char *base, const char *location, const char *want)
{
        cleanup_free char *got = registry_url_resolve(base, location);
        assert_string_equal(got, want);
}

static void
test_resolve_location(void **state)
{
        (void) state;
        /* distribution sends absolute URLs built from the request's Host. */
        check_resolve(BASE, "http://127.0.0.1:5000/v2/test/busybox/blobs/uploads/u1?_state=x",
                      "http://127.0.0.1:5000/v2/test/busybox/blobs/uploads/u1?_state=x");
        /* Other registries send an absolute path (the OCI distribution spec allows both). */
        check_resolve(BASE, "/v2/test/busybox/blobs/uploads/u2?_state=y",
                      "http://127.0.0.1:5000/v2/test/busybox/blobs/uploads/u2?_state=y");
        check_resolve(BASE "?mount=sha256:1&from=a/b", "/v2/x/blobs/uploads/u3",
                      "http://127.0.0.1:5000/v2/x/blobs/uploads/u3");
        /* Scheme-relative: another host, this scheme. */
        check_resolve(BASE, "//cdn.example/up/u4", "http://cdn.example/up/u4");
        /* Relative to the base's directory; a query in the base does not count. */
        check_resolve(BASE, "u5?_state=z",
                      "http://127.0.0.1:5000/v2/test/busybox/blobs/uploads/u5?_state=z");
        check_resolve("http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=q", "u6",
                      "http://127.0.0.1:5000/v2/a/blobs/uploads/u6");
        check_resolve("http://127.0.0.1:5000", "u7", "http://127.0.0.1:5000/u7");
        /* An empty Location leaves the URL as it was. */
        check_resolve(BASE, "", BASE);
        check_resolve("https://reg.example/v2/a/blobs/uploads/", "/v2/a/blobs/uploads/u8",
                      "https://reg.example/v2/a/blobs/uploads/u8");
}

static void
test_add_query(void **state)
{
        cleanup_free char *a = NULL, *b = NULL, *c = NULL;

        (void) state;
        a = registry_url_add_query(BASE, "mount", "sha256:abcd");
        assert_string_equal(a, BASE "?mount=sha256%3Aabcd");
        b = registry_url_add_query(a, "from", "test/other-repo_1.x");
        assert_string_equal(b, BASE "?mount=sha256%3Aabcd&from=test/other-repo_1.x");
        c = registry_url_add_query("http://h/u?_state=a%3D", "digest", "a b&c=d");
        assert_string_equal(c, "http://h/u?_state=a%3D&digest=a%20b%26c%3Dd");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_resolve_location),
                cmocka_unit_test(test_add_query),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
