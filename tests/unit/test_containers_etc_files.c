/* tests/unit/test_containers_etc_files.c: supervisor/containers/etc_files.h: resolv.conf as dockerd
 * filters the host's, and /etc/hosts. */
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
#include "lib/error.h"
#include "supervisor/containers/etc_files.h"

static void
test_loopback_nameservers_dropped(void **state)
{
        cleanup_free char *r = container_resolv_conf_build(
                "# generated\nsearch example.com\nnameserver 127.0.0.53\nnameserver 10.0.0.2\n"
                "nameserver ::1\noptions edns0\n",
                NULL, NULL, NULL);
        (void) state;
        assert_string_equal(
                r, "# generated\nsearch example.com\nnameserver 10.0.0.2\noptions edns0\n");
}

static void
test_defaults_when_none_left(void **state)
{
        cleanup_free char *r =
                container_resolv_conf_build("nameserver 127.0.0.1\n", NULL, NULL, NULL);
        cleanup_free char *empty = container_resolv_conf_build(NULL, NULL, NULL, NULL);
        (void) state;
        assert_string_equal(r, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
        assert_string_equal(empty, "nameserver 8.8.8.8\nnameserver 8.8.4.4\n");
}

static void
test_request_dns_replaces(void **state)
{
        char *dns[] = {(char *) "1.1.1.1", NULL};
        char *search[] = {(char *) "a.test", (char *) "b.test", NULL};
        char *opts[] = {(char *) "ndots:2", NULL};
        cleanup_free char *r = container_resolv_conf_build(
                "search host.test\nnameserver 10.0.0.2\noptions rotate\n", dns, search, opts);
        (void) state;
        assert_string_equal(r, "nameserver 1.1.1.1\nsearch a.test b.test\noptions ndots:2\n");
}

static void
test_hosts(void **state)
{
        char *extra[] = {(char *) "db:10.1.2.3", (char *) "v6:fd00::1", NULL};
        cleanup_free char *h = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(container_hosts_build("abc", "example.com", extra, &h, &err), 0);
        assert_string_equal(h, "127.0.0.1\tlocalhost\n"
                               "::1\tlocalhost ip6-localhost ip6-loopback\n"
                               "fe00::0\tip6-localnet\n"
                               "ff00::0\tip6-mcastprefix\n"
                               "ff02::1\tip6-allnodes\n"
                               "ff02::2\tip6-allrouters\n"
                               "10.1.2.3\tdb\n"
                               "fd00::1\tv6\n"
                               "127.0.0.1\tabc.example.com abc\n");
}

static void
test_bad_add_host(void **state)
{
        char *bad[] = {(char *) "nocolon", NULL};
        char *badip[] = {(char *) "x:300.1.1.1", NULL};
        cleanup_free char *h = NULL;
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL;
        (void) state;
        assert_int_equal(container_hosts_build("abc", NULL, bad, &h, &e1), -EINVAL);
        assert_string_equal(e1->msg, "bad format for add-host: \"nocolon\"");
        assert_int_equal(container_hosts_build("abc", NULL, badip, &h, &e2), -EINVAL);
        assert_string_equal(e2->msg, "invalid IP address in add-host: \"300.1.1.1\"");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_loopback_nameservers_dropped),
                cmocka_unit_test(test_defaults_when_none_left),
                cmocka_unit_test(test_request_dns_replaces),
                cmocka_unit_test(test_hosts),
                cmocka_unit_test(test_bad_add_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
