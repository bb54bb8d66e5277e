/* tests/unit/test_api_router.c: supervisor/api/router.h: version prefixes, the version
 * middleware, docker's error bodies, and the /_ping shape (no HTTP server involved). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/xalloc.h"
#include "supervisor/api/router.h"
#include "supervisor/api/system.h"

static const struct api_ctx ctx = {.daemon_id = "id", .data_root = "/d", .driver = "vfs"};

static const char *
header(const struct api_response *r, const char *name)
{
        for (size_t i = 0; i < r->n_headers; i++)
                if (strcmp(r->headers[i].name, name) == 0)
                        return r->headers[i].value;
        return NULL;
}

static void
test_path_split(void **state)
{
        char *v = NULL;
        const char *rest = NULL;

        (void) state;
        api_path_split("/v1.41/version", &v, &rest);
        assert_string_equal(v, "1.41");
        assert_string_equal(rest, "/version");
        free(v);
        api_path_split("/version", &v, &rest);
        assert_null(v);
        assert_string_equal(rest, "/version");
        api_path_split("/v1.41", &v, &rest); /* no trailing path: not a prefix */
        assert_null(v);
        api_path_split("/vx/version", &v, &rest);
        assert_null(v);
        assert_string_equal(rest, "/vx/version");
}

static void
test_version_compare(void **state)
{
        (void) state;
        assert_int_equal(api_version_compare("1.41", "1.41"), 0);
        assert_int_equal(api_version_compare("1.9", "1.41"), -1);
        assert_int_equal(api_version_compare("1.41", "1.9"), 1);
        assert_int_equal(api_version_compare("1.41.0", "1.41"), 0);
        assert_int_equal(api_version_compare("2", "1.41"), 1);
}

static void
test_ping_get_and_head(void **state)
{
        struct api_response r;

        (void) state;
        api_route(&ctx, "GET", "/_ping", NULL, 0, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, 2);
        assert_memory_equal(r.body, "OK", 2);
        assert_string_equal(r.content_type, "text/plain; charset=utf-8");
        assert_string_equal(header(&r, "Api-Version"), "1.41");
        assert_string_equal(header(&r, "Docker-Experimental"), "false");
        assert_string_equal(header(&r, "Ostype"), "linux");
        assert_string_equal(header(&r, "Cache-Control"), "no-cache, no-store, must-revalidate");
        assert_string_equal(header(&r, "Pragma"), "no-cache");
        assert_null(header(&r, "Builder-Version"));
        api_response_done(&r);
        api_route(&ctx, "HEAD", "/v1.41/_ping", NULL, 0, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.body_len, 0);
        api_response_done(&r);
}

static void
test_not_found_and_bad_method(void **state)
{
        struct api_response r;

        (void) state;
        api_route(&ctx, "GET", "/v1.41/nope", NULL, 0, &r);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.body, "{\"message\":\"page not found\"}\n");
        assert_string_equal(r.content_type, "application/json");
        assert_null(header(&r, "Api-Version"));
        api_response_done(&r);
        api_route(&ctx, "POST", "/version", NULL, 0, &r);
        assert_int_equal(r.status, 404);
        assert_string_equal(r.body, "{\"message\":\"page not found\"}\n");
        api_response_done(&r);
}

static void
test_version_bounds(void **state)
{
        struct api_response r;

        (void) state;
        api_route(&ctx, "GET", "/v1.12/version", NULL, 0, &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(r.content_type, "text/plain; charset=utf-8");
        assert_string_equal(
                r.body,
                "client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version\n");
        assert_string_equal(header(&r, "Api-Version"), "1.41");
        api_response_done(&r);
        api_route(&ctx, "GET", "/v1.99/_ping", NULL, 0, &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(
                r.body,
                "{\"message\":\"client version 1.99 is too new. Maximum supported API version is 1.41\"}\n");
        api_response_done(&r);
}

static void
test_os_release(void **state)
{
        const char *f =
                "NAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nPRETTY_NAME='Debian 12'\nID=debian\n";
        char *v;

        (void) state;
        v = api_os_release_value(f, "VERSION_ID");
        assert_string_equal(v, "12");
        free(v);
        v = api_os_release_value(f, "PRETTY_NAME");
        assert_string_equal(v, "Debian 12");
        free(v);
        v = api_os_release_value(f, "ID");
        assert_string_equal(v, "debian");
        free(v);
        assert_null(api_os_release_value(f, "VERSION"));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_split),
                cmocka_unit_test(test_version_compare),
                cmocka_unit_test(test_ping_get_and_head),
                cmocka_unit_test(test_not_found_and_bad_method),
                cmocka_unit_test(test_version_bounds),
                cmocka_unit_test(test_os_release),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
