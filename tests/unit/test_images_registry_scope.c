/* tests/unit/test_images_registry_scope.c: the token scopes a push asks for (its repository's
 * pull,push, a mount source's pull, a challenge's own) and docker's texts for a refused bearer
 * request (registry_scope.h). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "supervisor/images/registry_auth.h"
#include "supervisor/images/registry_scope.h"

static void
test_repository_scope(void **state)
{
        cleanup_free char *s = registry_scope_repository("test/busybox", "pull,push");

        (void) state;
        assert_string_equal(s, "repository:test/busybox:pull,push");
}

static void
test_push_and_mount_scopes(void **state)
{
        cleanup_strv char **list = NULL;
        cleanup_free char *q = NULL;

        (void) state;
        /* the push's own scope, then the mount source's pull, as docker asks for a mount */
        registry_scopes_add(&list, "repository:test/b:pull,push");
        registry_scopes_add(&list, "repository:test/a:pull");
        assert_int_equal(strv_length(list), 2);
        assert_string_equal(list[0], "repository:test/b:pull,push");
        assert_string_equal(list[1], "repository:test/a:pull");
        q = registry_scopes_query(list);
        assert_string_equal(q, "scope=repository%3Atest%2Fb%3Apull%2Cpush&"
                               "scope=repository%3Atest%2Fa%3Apull");
}

static void
test_challenge_scopes_merge(void **state)
{
        cleanup_strv char **list = NULL;

        (void) state;
        registry_scopes_add(&list, "repository:test/b:pull");
        /* distribution joins a challenge's scopes with spaces; the same resource's actions are
         * merged, nothing repeated */
        registry_scopes_add(&list, "repository:test/b:push,pull repository:test/a:pull");
        registry_scopes_add(&list, "repository:test/a:pull");
        assert_int_equal(strv_length(list), 2);
        assert_string_equal(list[0], "repository:test/b:pull,push");
        assert_string_equal(list[1], "repository:test/a:pull");
        /* a name with a port keeps its colons: the resource ends at the last one */
        registry_scopes_add(&list, "repository:reg:5000/x:pull");
        registry_scopes_add(&list, "repository:reg:5000/x:push");
        assert_string_equal(list[2], "repository:reg:5000/x:pull,push");
        /* other resource types and malformed ones are kept once */
        registry_scopes_add(&list, "registry:catalog:*  weird weird");
        assert_int_equal(strv_length(list), 5);
        assert_string_equal(list[3], "registry:catalog:*");
        assert_string_equal(list[4], "weird");
        registry_scopes_add(&list, NULL);
        registry_scopes_add(&list, "");
        assert_int_equal(strv_length(list), 5);
}

static void
test_empty_query(void **state)
{
        cleanup_free char *q = registry_scopes_query(NULL);

        (void) state;
        assert_string_equal(q, "");
}

static void
test_bearer_error_texts(void **state)
{
        cleanup_free char *denied = registry_bearer_error_text("insufficient_scope", NULL);
        cleanup_free char *unauth = registry_bearer_error_text("invalid_token", "");
        cleanup_free char *desc = registry_bearer_error_text("insufficient_scope", "no push");

        (void) state;
        assert_string_equal(denied, "denied: requested access to the resource is denied");
        assert_string_equal(unauth, "unauthorized: authentication required");
        assert_string_equal(desc, "denied: no push");
        assert_null(registry_bearer_error_text("invalid_request", NULL));
        assert_null(registry_bearer_error_text(NULL, NULL));
}

static void
test_challenge_error_parsed(void **state)
{
        struct registry_challenge c;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *text = NULL;

        (void) state;
        /* what distribution's token access controller answers a token without push */
        assert_int_equal(
                registry_challenge_parse(
                        "Bearer realm=\"http://127.0.0.1:1/token\",service=\"reg\","
                        "scope=\"repository:test/b:pull,push\",error=\"insufficient_scope\"",
                        &c, &err),
                0);
        assert_string_equal(c.error, "insufficient_scope");
        assert_null(c.error_description);
        text = registry_bearer_error_text(c.error, c.error_description);
        assert_string_equal(text, "denied: requested access to the resource is denied");
        registry_challenge_done(&c);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_repository_scope),
                cmocka_unit_test(test_push_and_mount_scopes),
                cmocka_unit_test(test_challenge_scopes_merge),
                cmocka_unit_test(test_empty_query),
                cmocka_unit_test(test_bearer_error_texts),
                cmocka_unit_test(test_challenge_error_parsed),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
