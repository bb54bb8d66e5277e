/* tests/unit/test_containers_host_devices.c: supervisor/containers/host_devices.h over a made-up
 * /dev in a temporary directory: devices found at any depth, what docker skips left out. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/containers/host_devices.h"

static char *
at(const char *dir, const char *name)
{
        return xasprintf("%s/%s", dir, name);
}

static void
node(const char *dir, const char *name, mode_t mode, unsigned ma, unsigned mi)
{
        cleanup_free char *p = at(dir, name);
        if (mknod(p, mode, makedev(ma, mi)) < 0) {
                if (errno == EPERM)
                        skip(); /* no CAP_MKNOD here */
                fail_msg("mknod %s: %s", p, strerror(errno));
        }
}

static void
test_walk(void **state)
{
        char tmpl[] = "/tmp/berth-hostdev-XXXXXX";
        char *dir = mkdtemp(tmpl);
        cleanup_free char *cmd = NULL;
        cleanup_json struct json_object *devs = NULL;
        cleanup_error berth_error_t *err = NULL;
        const char *text;
        (void) state;

        assert_non_null(dir);
        umask(0);
        cmd = xasprintf("rm -rf '%s'", dir);
        for (const char *const *d = (const char *const[]){"sub", "sub/deeper", "pts", "shm",
                                                          "mqueue", ".udev", NULL};
             *d; d++) {
                cleanup_free char *p = at(dir, *d);
                assert_int_equal(mkdir(p, 0755), 0);
        }
        node(dir, "null", S_IFCHR | 0666, 1, 3);
        node(dir, "sub/deeper/sda", S_IFBLK | 0660, 8, 0);
        node(dir, "pts/0", S_IFCHR | 0620, 136, 0);
        node(dir, ".udev/x", S_IFCHR | 0600, 1, 7);
        node(dir, "console", S_IFCHR | 0600, 5, 1);
        node(dir, "fifo", S_IFIFO | 0600, 0, 0);
        {
                cleanup_free char *p = at(dir, "stdin");
                cleanup_free char *f = at(dir, "file");
                FILE *fp;
                assert_int_equal(symlink("/proc/self/fd/0", p), 0);
                fp = fopen(f, "w");
                assert_non_null(fp);
                fclose(fp);
        }
        assert_int_equal(container_host_devices_list(dir, &devs, &err), 0);
        text = json_object_to_json_string_ext(devs, JSON_C_TO_STRING_PLAIN
                                                            | JSON_C_TO_STRING_NOSLASHESCAPE);
        assert_int_equal(json_object_array_length(devs), 2);
        {
                cleanup_free char *null_ = xasprintf(
                        "{\"path\":\"%s/null\",\"type\":\"c\",\"major\":1,\"minor\":3,\"fileMode\":438,\"uid\":0,\"gid\":0}",
                        dir);
                cleanup_free char *sda = xasprintf(
                        "{\"path\":\"%s/sub/deeper/sda\",\"type\":\"b\",\"major\":8,\"minor\":0,\"fileMode\":432,",
                        dir);
                /* readdir's order is the file system's */
                assert_non_null(strstr(text, null_));
                assert_non_null(strstr(text, sda));
        }
        assert_int_equal(system(cmd), 0);
}

static void
test_missing_dir(void **state)
{
        cleanup_json struct json_object *devs = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(container_host_devices_list("/nonexistent-dev", &devs, &err), -ENOENT);
        assert_null(devs);
        assert_non_null(strstr(err->msg, "open \"/nonexistent-dev\""));
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_walk),
                cmocka_unit_test(test_missing_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
