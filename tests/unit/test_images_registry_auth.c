/* tests/unit/test_images_registry_auth.c: the pure parts of the registry client's auth and
 * endpoint choice: WWW-Authenticate parsing, X-Registry-Auth decoding, the config file's
 * `auths`, insecure-registries with CIDR entries, mirror order (registry_auth.h,
 * registry_endpoint.h). */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/images/registry_auth.h"
#include "supervisor/images/registry_endpoint.h"

static void
test_challenge_bearer(void **state)
{
        struct registry_challenge c;
        cleanup_error berth_error_t *err = NULL;

        (void) state;
        assert_int_equal(registry_challenge_parse(
                                 "Bearer realm=\"https://auth.docker.io/token\",service=\"registry."
                                 "docker.io\",scope=\"repository:library/busybox:pull\"",
                                 &c, &err),
                         0);
        assert_int_equal(c.scheme, REGISTRY_AUTH_BEARER);
        assert_string_equal(c.realm, "https://auth.docker.io/token");
        assert_string_equal(c.service, "registry.docker.io");
        assert_string_equal(c.scope, "repository:library/busybox:pull");
        registry_challenge_done(&c);

        /* any order, tokens unquoted, escapes, spaces, unknown parameters, scheme case */
        assert_int_equal(registry_challenge_parse("bearer  service=reg, error=\"invalid_token\", "
                                                  "realm=\"http://127.0.0.1:1/t?a=\\\"b\\\"\"",
                                                  &c, &err),
                         0);
        assert_int_equal(c.scheme, REGISTRY_AUTH_BEARER);
        assert_string_equal(c.realm, "http://127.0.0.1:1/t?a=\"b\"");
        assert_string_equal(c.service, "reg");
        assert_null(c.scope);
        registry_challenge_done(&c);
}

static void
test_challenge_basic_and_bad(void **state)
{
        struct registry_challenge c;
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;

        (void) state;
        assert_int_equal(registry_challenge_parse("Basic realm=\"Registry Realm\"", &c, &e1), 0);
        assert_int_equal(c.scheme, REGISTRY_AUTH_BASIC);
        assert_string_equal(c.realm, "Registry Realm");
        registry_challenge_done(&c);
        assert_int_equal(registry_challenge_parse("Digest realm=\"x\"", &c, &e1), -EOPNOTSUPP);
        assert_int_equal(registry_challenge_parse("Bearer service=\"x\"", &c, &e2), -EINVAL);
        assert_string_equal(e2->msg, "WWW-Authenticate: Bearer without realm");
        assert_int_equal(registry_challenge_parse("Bearer realm=\"x", &c, &e3), -EINVAL);
        assert_int_equal(registry_challenge_parse("Bearer realm", &c, &e4), -EINVAL);
}

static void
test_base64(void **state)
{
        cleanup_free char *a = registry_base64_encode("user:pa?ss>", 11, false);
        cleanup_free char *b = registry_base64_encode("user:pa?ss>", 11, true);
        cleanup_free char *d1 = NULL, *d2 = NULL, *d3 = NULL;
        cleanup_error berth_error_t *err = NULL;
        size_t n = 0;

        (void) state;
        assert_string_equal(a, "dXNlcjpwYT9zcz4=");
        assert_string_equal(b, "dXNlcjpwYT9zcz4=");
        {
                cleanup_free char *c = registry_base64_encode("\xfb\xff", 2, false);
                cleanup_free char *u = registry_base64_encode("\xfb\xff", 2, true);
                assert_string_equal(c, "+/8=");
                assert_string_equal(u, "-_8=");
        }
        assert_int_equal(registry_base64_decode("dXNlcjpwYT9zcz4", &d1, &n, &err), 0);
        assert_int_equal(n, 11);
        assert_string_equal(d1, "user:pa?ss>");
        assert_int_equal(registry_base64_decode("-_8", &d2, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_memory_equal(d2, "\xfb\xff", 2);
        assert_int_equal(registry_base64_decode("a*b=", &d3, &n, &err), -EINVAL);
}

static void
test_x_registry_auth(void **state)
{
        struct registry_creds c = {
                .username = "bob", .password = "s3cret/+?", .server_address = "127.0.0.1:5000"};
        struct registry_creds got;
        cleanup_free char *h = registry_auth_header_format(&c);
        cleanup_free char *plain = NULL;
        cleanup_error berth_error_t *err = NULL, *e2 = NULL, *e3 = NULL;

        (void) state;
        assert_null(strchr(h, '+'));
        assert_null(strchr(h, '/'));
        assert_int_equal(registry_auth_header_parse(h, &got, &err), 0);
        assert_string_equal(got.username, "bob");
        assert_string_equal(got.password, "s3cret/+?");
        assert_string_equal(got.server_address, "127.0.0.1:5000");
        assert_null(got.identity_token);
        assert_true(registry_creds_present(&got));
        registry_creds_done(&got);

        /* what the docker CLI sends without credentials: "{}" and an empty-members object */
        assert_int_equal(registry_auth_header_parse("e30=", &got, &err), 0);
        assert_false(registry_creds_present(&got));
        registry_creds_done(&got);
        assert_int_equal(registry_auth_header_parse(NULL, &got, &err), 0);
        assert_false(registry_creds_present(&got));
        /* the standard alphabet without padding, an identity token only */
        {
                const char *j = "{\"identitytoken\":\"tok\",\"serveraddress\":\"r\"}";
                cleanup_free char *enc = registry_base64_encode(j, strlen(j), false);
                enc[strcspn(enc, "=")] = '\0';
                assert_int_equal(registry_auth_header_parse(enc, &got, &err), 0);
                assert_string_equal(got.identity_token, "tok");
                assert_null(got.username);
                assert_true(registry_creds_present(&got));
                registry_creds_done(&got);
        }
        assert_int_equal(registry_auth_header_parse("!!!", &got, &e2), -EINVAL);
        assert_int_equal(registry_auth_header_parse("WzFd", &got, &e3), -EINVAL); /* [1] */
        assert_string_equal(e3->msg, "X-Registry-Auth: not a JSON object");
        (void) plain;
}

static void
test_auth_key(void **state)
{
        const char *hub[] = {"docker.io",
                             "https://index.docker.io/v1/",
                             "index.docker.io",
                             "registry-1.docker.io",
                             "",
                             NULL};

        (void) state;
        for (size_t i = 0; i < 6; i++) {
                cleanup_free char *k = registry_auth_key(hub[i]);
                assert_string_equal(k, "https://index.docker.io/v1/");
        }
        {
                cleanup_free char *a = registry_auth_key("https://Reg.Example:5000/v2/");
                cleanup_free char *b = registry_auth_key("127.0.0.1:5000");
                assert_string_equal(a, "reg.example:5000");
                assert_string_equal(b, "127.0.0.1:5000");
        }
}

static void
test_config_auths(void **state)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL, *e2 = NULL;
        struct registry_creds c;
        const char *text = "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":"
                           "\"aHViOnB3OmQ=\"},\"http://127.0.0.1:5000\":{\"auth\":\"YTpi\"},"
                           "\"tok.example\":{\"identitytoken\":\"rt\"},\"bad.example\":{\"auth\":"
                           "\"bm9jb2xvbg==\"}},\"credsStore\":\"x\"}";
        struct json_object *auths, *e;

        (void) state;
        assert_int_equal(json_parse_buffer(text, strlen(text), &doc, &err), 0);
        assert_int_equal(registry_auths_lookup(doc, "docker.io", &c, &err), 0);
        assert_string_equal(c.username, "hub");
        assert_string_equal(c.password, "pw:d"); /* only the first colon splits */
        registry_creds_done(&c);
        assert_int_equal(registry_auths_lookup(doc, "127.0.0.1:5000", &c, &err), 0);
        assert_string_equal(c.username, "a");
        assert_string_equal(c.password, "b");
        registry_creds_done(&c);
        assert_int_equal(registry_auths_lookup(doc, "tok.example", &c, &err), 0);
        assert_string_equal(c.identity_token, "rt");
        registry_creds_done(&c);
        assert_int_equal(registry_auths_lookup(doc, "127.0.0.1:5001", &c, &err), 0);
        assert_false(registry_creds_present(&c));
        assert_int_equal(registry_auths_lookup(doc, "bad.example", &c, &e2), -EINVAL);

        /* set replaces any key naming the host, keeps the rest of the document */
        registry_auths_set(doc, "https://127.0.0.1:5000/", "u", "p:q");
        json_object_object_get_ex(doc, "auths", &auths);
        assert_false(json_object_object_get_ex(auths, "http://127.0.0.1:5000", &e));
        assert_true(json_object_object_get_ex(auths, "127.0.0.1:5000", &e));
        assert_string_equal(json_object_get_string(json_object_object_get(e, "auth")), "dTpwOnE=");
        assert_true(json_object_object_get_ex(doc, "credsStore", &e));
        assert_true(registry_auths_remove(doc, "127.0.0.1:5000"));
        assert_false(registry_auths_remove(doc, "127.0.0.1:5000"));
        assert_true(registry_auths_remove(doc, "index.docker.io"));
        assert_int_equal(registry_auths_lookup(doc, "docker.io", &c, &err), 0);
        assert_false(registry_creds_present(&c));
        /* a fresh document gets an auths object */
        {
                cleanup_json struct json_object *fresh = json_object_new_object();
                registry_auths_set(fresh, "docker.io", "x", "y");
                assert_string_equal(
                        json_object_to_json_string_ext(
                                fresh, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                        "{\"auths\":{\"https://index.docker.io/v1/\":{\"auth\":\"eDp5\"}}}");
        }
}

static void
test_cidr(void **state)
{
        (void) state;
        assert_true(registry_cidr_match("10.9.3.4", "10.9.0.0/16"));
        assert_false(registry_cidr_match("10.10.3.4", "10.9.0.0/16"));
        assert_true(registry_cidr_match("192.168.1.7", "192.168.1.7"));
        assert_true(registry_cidr_match("1.2.3.4", "0.0.0.0/0"));
        assert_true(registry_cidr_match("fd00::1", "fd00::/8"));
        assert_false(registry_cidr_match("fe80::1", "fd00::/8"));
        assert_false(registry_cidr_match("10.0.0.1", "fd00::/8"));
        assert_false(registry_cidr_match("10.0.0.1", "10.0.0.0/33"));
        assert_false(registry_cidr_match("10.0.0.1", "10.0.0.0/"));
        assert_false(registry_cidr_match("reg", "10.0.0.0/8"));
        assert_true(registry_cidr_match("10.0.0.255", "10.0.0.128/25"));
        assert_false(registry_cidr_match("10.0.0.127", "10.0.0.128/25"));
}

static void
test_insecure(void **state)
{
        char *insecure[] = {"reg.example:5000", "other.example", "10.9.0.0/16", NULL};

        (void) state;
        assert_true(registry_host_is_insecure("127.0.0.1:5000", NULL));
        assert_true(registry_host_is_insecure("localhost", NULL));
        assert_true(registry_host_is_insecure("[::1]:5000", NULL));
        assert_false(registry_host_is_insecure("quay.io", NULL));
        assert_false(registry_host_listed_insecure("127.0.0.1:5000", NULL));
        assert_true(registry_host_listed_insecure("10.9.1.2:5000", insecure));
        assert_true(registry_host_listed_insecure("10.9.1.2", insecure));
        assert_false(registry_host_listed_insecure("10.8.1.2:5000", insecure));
        assert_true(registry_host_listed_insecure("REG.example:5000", insecure));
        assert_false(registry_host_listed_insecure("reg.example:5001", insecure));
        assert_true(registry_host_listed_insecure("other.example:443", insecure));
}

static void
test_endpoints(void **state)
{
        char *mirrors[] = {"https://mirror.example/", "http://127.0.0.1:5001/some/path", NULL};
        char *insecure[] = {"reg.example:5000", NULL};
        struct registry_endpoint *e = NULL;
        size_t n = 0;
        cleanup_error berth_error_t *err = NULL, *e2 = NULL;

        (void) state;
        assert_int_equal(registry_endpoints_build("docker.io", mirrors, NULL, &e, &n, &err), 0);
        assert_int_equal(n, 3);
        assert_string_equal(e[0].url, "https://mirror.example");
        assert_int_equal(e[0].tls, REGISTRY_TLS_VERIFY);
        assert_true(e[0].mirror);
        assert_string_equal(e[1].url, "http://127.0.0.1:5001");
        assert_string_equal(e[1].host, "127.0.0.1:5001");
        assert_int_equal(e[1].tls, REGISTRY_TLS_NONE);
        assert_string_equal(e[2].url, "https://registry-1.docker.io");
        assert_false(e[2].mirror);
        assert_int_equal(e[2].tls, REGISTRY_TLS_VERIFY);
        registry_endpoints_free(e, n);

        /* mirrors are for Docker Hub only */
        assert_int_equal(registry_endpoints_build("quay.io", mirrors, NULL, &e, &n, &err), 0);
        assert_int_equal(n, 1);
        assert_string_equal(e[0].url, "https://quay.io");
        registry_endpoints_free(e, n);
        assert_int_equal(registry_endpoints_build("docker.io", NULL, NULL, &e, &n, &err), 0);
        assert_int_equal(n, 1);
        registry_endpoints_free(e, n);

        assert_int_equal(registry_endpoints_build("127.0.0.1:5000", NULL, NULL, &e, &n, &err), 0);
        assert_int_equal(e[0].tls, REGISTRY_TLS_VERIFY_OR_HTTP);
        registry_endpoints_free(e, n);
        assert_int_equal(registry_endpoints_build("reg.example:5000", NULL, insecure, &e, &n, &err),
                         0);
        assert_int_equal(e[0].tls, REGISTRY_TLS_INSECURE_OR_HTTP);
        assert_string_equal(e[0].url, "https://reg.example:5000");
        registry_endpoints_free(e, n);
        {
                char *bad[] = {"ftp://m", NULL};
                assert_int_equal(registry_endpoints_build("docker.io", bad, NULL, &e, &n, &e2),
                                 -EINVAL);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_challenge_bearer),
                cmocka_unit_test(test_challenge_basic_and_bad),
                cmocka_unit_test(test_base64),
                cmocka_unit_test(test_x_registry_auth),
                cmocka_unit_test(test_auth_key),
                cmocka_unit_test(test_config_auths),
                cmocka_unit_test(test_cidr),
                cmocka_unit_test(test_insecure),
                cmocka_unit_test(test_endpoints),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
