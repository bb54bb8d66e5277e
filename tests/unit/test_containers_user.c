/* tests/unit/test_containers_user.c: supervisor/containers/user.h: --user and --group-add against
 * an image's /etc/passwd and /etc/group, as runc's GetExecUser resolves them for dockerd. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/error.h"
#include "lib/strv.h"
#include "supervisor/containers/user.h"

static const char *passwd = "root:x:0:0:root:/root:/bin/sh\n"
                            "# comment\n"
                            "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                            "www:x:33:33::/var/www:/bin/false\n"
                            "broken line\n";
static const char *group = "root:x:0:\n"
                           "daemon:x:1:\n"
                           "wheel:x:10:root,www\n"
                           "www:x:33:\n"
                           "audio:x:29:www\n";

static void
resolve_ok(const char *user, char *const *add, uid_t uid, gid_t gid, const char *extra)
{
        struct container_user u = {0};
        cleanup_error berth_error_t *err = NULL;
        char buf[128] = "";

        assert_int_equal(container_user_resolve(user, add, passwd, group, &u, &err), 0);
        assert_int_equal(u.uid, uid);
        assert_int_equal(u.gid, gid);
        for (size_t i = 0; i < u.n_additional; i++)
                snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%u", i ? "," : "",
                         (unsigned) u.additional[i]);
        assert_string_equal(buf, extra);
        container_user_done(&u);
}

static void
test_default_is_root_with_its_groups(void **state)
{
        (void) state;
        resolve_ok("", NULL, 0, 0, "10");
        resolve_ok(NULL, NULL, 0, 0, "10");
}

static void
test_names_and_numbers(void **state)
{
        (void) state;
        resolve_ok("www", NULL, 33, 33, "10,29");
        resolve_ok("33", NULL, 33, 33, "10,29");
        resolve_ok("4242", NULL, 4242, 0, "");
        resolve_ok("daemon:www", NULL, 1, 33, "");
        resolve_ok("1000:1000", NULL, 1000, 1000, "");
}

static void
test_group_add(void **state)
{
        char *add[] = {(char *) "audio", (char *) "4000", (char *) "wheel", NULL};
        (void) state;
        resolve_ok("daemon", add, 1, 1, "29,4000,10");
}

static void
test_unknown_names(void **state)
{
        struct container_user u = {0};
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL;
        char *add[] = {(char *) "nogroup", NULL};
        (void) state;
        assert_int_equal(container_user_resolve("nobody", NULL, passwd, group, &u, &e1), -EINVAL);
        assert_string_equal(e1->msg,
                            "unable to find user nobody: no matching entries in passwd file");
        assert_int_equal(container_user_resolve("root:staff", NULL, passwd, group, &u, &e2),
                         -EINVAL);
        assert_string_equal(e2->msg,
                            "unable to find group staff: no matching entries in group file");
        assert_int_equal(container_user_resolve("", add, passwd, group, &u, &e3), -EINVAL);
        assert_string_equal(e3->msg,
                            "unable to find group nogroup: no matching entries in group file");
}

static void
test_no_files(void **state)
{
        struct container_user u = {0};
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(container_user_resolve("7:8", NULL, NULL, NULL, &u, &err), 0);
        assert_int_equal(u.uid, 7);
        assert_int_equal(u.gid, 8);
        assert_int_equal(container_user_resolve("app", NULL, NULL, NULL, &u, &err), -EINVAL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_is_root_with_its_groups),
                cmocka_unit_test(test_names_and_numbers),
                cmocka_unit_test(test_group_add),
                cmocka_unit_test(test_unknown_names),
                cmocka_unit_test(test_no_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
