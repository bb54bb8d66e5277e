/* tests/unit/test_images_registry.c: supervisor/images/registry.h's pure parts: which registries
 * berthd talks plain HTTP to, and docker's wording of a registry's error body. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "supervisor/images/registry.h"

static void
test_plain_http(void **state)
{
        char *insecure[] = {"reg.example:5000", "other.example", NULL};

        (void) state;
        assert_true(registry_host_allows_http("127.0.0.1:5000", NULL));
        assert_true(registry_host_allows_http("127.0.0.1", NULL));
        assert_true(registry_host_allows_http("127.255.3.4:80", NULL));
        assert_false(registry_host_allows_http("128.0.0.1:5000", NULL));
        assert_false(registry_host_allows_http("docker.io", NULL));
        assert_true(registry_host_allows_http("localhost:5000", NULL));
        assert_true(registry_host_allows_http("[::1]:5000", NULL));
        assert_false(registry_host_allows_http("", NULL));
        assert_true(registry_host_allows_http("reg.example:5000", insecure));
        assert_false(registry_host_allows_http("reg.example:5001", insecure));
        assert_true(registry_host_allows_http("other.example:443", insecure));
        assert_true(registry_host_allows_http("other.example", insecure));
        assert_false(registry_host_allows_http("quay.io", insecure));
}

static void
test_format_errors(void **state)
{
        const char *b1 = "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest "
                         "unknown\",\"detail\":{\"Tag\":\"nope\"}}]}\n";
        const char *b2 = "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}";
        cleanup_free char *m1 = registry_format_errors(b1, strlen(b1));
        cleanup_free char *m2 = registry_format_errors(b2, strlen(b2));

        (void) state;
        assert_string_equal(m1, "manifest unknown: manifest unknown");
        assert_string_equal(m2, "name unknown");
        assert_null(registry_format_errors("not json", 8));
        assert_null(registry_format_errors("{\"errors\":[]}", 13));
        assert_null(registry_format_errors(NULL, 0));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_plain_http),
                cmocka_unit_test(test_format_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
