/* tests/unit/test_shim_address.c: the shim's socket address (containerd 1.6's rule, checked
 * against an address containerd computed), its grouping key, and listening on it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "shim/address.h"

static void
test_observed_address(void **state)
{
        cleanup_free char *addr = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        /* containerd 1.6, -address /run/containerd/containerd.sock, namespace default, id t1 */
        assert_int_equal(shim_address_build(SHIM_SOCKET_ROOT_DEFAULT, "/run/containerd/containerd.sock", "default", "t1",
                                            &addr, &err),
                         0);
        assert_string_equal(addr, "unix:///run/containerd/s/df6a0c5cd2e9a1a16d9a3f2447365d9fc6021bc1d3d9a4caa2f5b2c4f773758f");
        assert_string_equal(shim_address_path(addr),
                            "/run/containerd/s/df6a0c5cd2e9a1a16d9a3f2447365d9fc6021bc1d3d9a4caa2f5b2c4f773758f");
}

static void
test_path_is_cleaned_like_go(void **state)
{
        cleanup_free char *a = NULL, *b = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(shim_address_build("/run/containerd", "/run//containerd/./containerd.sock/", "default", "t1", &a, &err), 0);
        assert_int_equal(shim_address_build("/run/containerd", "/run/containerd/containerd.sock", "default", "t1", &b, &err), 0);
        assert_string_equal(a, b);
}

static void
test_too_long(void **state)
{
        char root[128];
        cleanup_free char *addr = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        memset(root, 'r', sizeof(root) - 1);
        root[0] = '/';
        root[sizeof(root) - 1] = '\0';
        assert_int_equal(shim_address_build(root, "/a", "ns", "id", &addr, &err), -ENAMETOOLONG);
        assert_null(addr);
        assert_non_null(strstr(err->msg, "is longer than 106 bytes"));
}

static void
test_group_key(void **state)
{
        struct json_object *c = json_tokener_parse(
                "{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"pod1\",\"io.kubernetes.cri.container-type\":\"container\"}}");
        struct json_object *g = json_tokener_parse(
                "{\"annotations\":{\"io.containerd.runc.v2.group\":\"grp\",\"io.kubernetes.cri.sandbox-id\":\"pod1\"}}");
        struct json_object *none = json_tokener_parse("{\"annotations\":{\"io.kubernetes.cri.sandbox-id\":\"\"}}");
        (void) state;

        assert_string_equal(shim_group_key(c, "ctr"), "pod1");
        assert_string_equal(shim_group_key(g, "ctr"), "grp");
        assert_string_equal(shim_group_key(none, "ctr"), "ctr");
        assert_string_equal(shim_group_key(NULL, "ctr"), "ctr");
        json_object_put(c);
        json_object_put(g);
        json_object_put(none);
}

static void
test_listen_reuse_and_stale(void **state)
{
        char dir[] = "/tmp/berth-shim-addr.XXXXXX";
        cleanup_free char *addr = NULL, *saved = NULL;
        cleanup_error berth_error_t *err = NULL;
        int fd = -1, fd2 = -1;
        bool running = true;
        (void) state;

        assert_non_null(mkdtemp(dir));
        addr = NULL;
        assert_true(asprintf(&addr, "unix://%s/s/sock", dir) > 0);
        assert_int_equal(shim_address_listen(addr, &fd, &running, &err), 0);
        assert_true(fd >= 0);
        assert_false(running);
        /* a second shim of the same group finds the first one answering */
        assert_int_equal(shim_address_listen(addr, &fd2, &running, &err), 0);
        assert_true(running);
        assert_int_equal(fd2, -1);
        /* the first one died: its socket file is stale and taken over */
        close(fd);
        assert_int_equal(shim_address_listen(addr, &fd2, &running, &err), 0);
        assert_false(running);
        assert_true(fd2 >= 0);
        close(fd2);
        assert_int_equal(shim_address_save(dir, addr, &err), 0);
        {
                cleanup_free char *path = NULL;
                assert_true(asprintf(&path, "%s/address", dir) > 0);
                assert_int_equal(fs_read_file(AT_FDCWD, path, &saved, NULL, &err), 0);
                assert_string_equal(saved, addr);
        }
        assert_int_equal(fs_remove_tree(AT_FDCWD, dir, &err), 0);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_observed_address),     cmocka_unit_test(test_path_is_cleaned_like_go),
                cmocka_unit_test(test_too_long),             cmocka_unit_test(test_group_key),
                cmocka_unit_test(test_listen_reuse_and_stale),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
