/* tests/unit/test_containers_archive.c: the pure parts of docker cp, diff, export and commit:
 * path rules (archive_path.h), the stat header, the change kinds, the changes of a fake
 * overlay upper dir over fake lower dirs, the commit layer's whiteouts and commit's Config. */
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
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/fs.h"
#include "lib/xalloc.h"
#include "supervisor/containers/archive.h"
#include "supervisor/containers/archive_path.h"
#include "supervisor/containers/commit.h"
#include "supervisor/images/registry_auth.h"

static void
check_path(const char *in, const char *clean, const char *dir, const char *base,
           const char *rebase, bool follow)
{
        berth_error_t *err = NULL;
        struct container_path p;

        assert_int_equal(container_path_parse(in, &p, &err), 0);
        assert_string_equal(p.clean, clean);
        assert_string_equal(p.dir, dir);
        assert_string_equal(p.base, base);
        assert_string_equal(p.rebase, rebase);
        assert_int_equal(p.follow, follow);
        container_path_done(&p);
}

static void
test_path_rules(void **state)
{
        berth_error_t *err = NULL;
        struct container_path p;

        (void) state;
        check_path("/etc/passwd", "/etc/passwd", "/etc", "passwd", "passwd", false);
        check_path("etc/passwd", "/etc/passwd", "/etc", "passwd", "passwd", false);
        check_path("/etc/", "/etc", "/", "etc", "etc", true);
        check_path("/etc/.", "/etc", "/", "etc", ".", true);
        check_path("/", "/", "/", "", ".", true);
        /* ".." never climbs above the container's root */
        check_path("/../../etc/./x", "/etc/x", "/etc", "x", "x", false);
        check_path("/a/b/../c", "/a/c", "/a", "c", "c", false);
        assert_int_equal(container_path_parse("", &p, &err), -EINVAL);
        berth_error_free(err);
}

static void
test_go_mode(void **state)
{
        (void) state;
        assert_int_equal(container_path_go_mode(S_IFREG | 0644), 0644);
        assert_int_equal(container_path_go_mode(S_IFDIR | 0755), (1u << 31) | 0755);
        assert_int_equal(container_path_go_mode(S_IFLNK | 0777), (1u << 27) | 0777);
        assert_int_equal(container_path_go_mode(S_IFCHR | 0600), (1u << 26) | (1u << 21) | 0600);
        assert_int_equal(container_path_go_mode(S_IFREG | S_ISUID | 0755), (1u << 23) | 0755);
        assert_int_equal(container_path_go_mode(S_IFDIR | S_ISVTX | 0777),
                         (1u << 31) | (1u << 20) | 0777);
}

static void
test_stat_header(void **state)
{
        struct container_path_stat st = {.name = "passwd",
                                         .size = 340,
                                         .mode = S_IFREG | 0644,
                                         .mtime_sec = 1700000000,
                                         .mtime_nsec = 120000000,
                                         .link_target = ""};
        cleanup_free char *h = container_path_stat_header(&st), *dec = NULL, *t = NULL;
        berth_error_t *err = NULL;
        size_t len = 0;

        (void) state;
        assert_int_equal(registry_base64_decode(h, &dec, &len, &err), 0);
        assert_string_equal(dec, "{\"name\":\"passwd\",\"size\":340,\"mode\":420,"
                                 "\"mtime\":\"2023-11-14T22:13:20.12Z\",\"linkTarget\":\"\"}");
        t = container_path_rfc3339nano(0, 0);
        assert_string_equal(t, "1970-01-01T00:00:00Z");
}

static void
test_change_kind(void **state)
{
        (void) state;
        assert_int_equal(container_change_kind_of(S_IFCHR, makedev(0, 0), true),
                         CONTAINER_CHANGE_DELETED);
        assert_int_equal(container_change_kind_of(S_IFCHR, makedev(1, 3), false),
                         CONTAINER_CHANGE_ADDED);
        assert_int_equal(container_change_kind_of(S_IFREG, 0, true), CONTAINER_CHANGE_MODIFIED);
        assert_int_equal(container_change_kind_of(S_IFDIR, 0, false), CONTAINER_CHANGE_ADDED);
}

static void
put(const char *root, const char *rel, const char *text)
{
        cleanup_free char *p = xasprintf("%s/%s", root, rel);
        berth_error_t *err = NULL;

        (void) err;
        assert_int_equal(fs_write_atomic(AT_FDCWD, p, text, strlen(text), 0644, &err), 0);
}

static void
test_changes_fake_upper(void **state)
{
        char tmpl[] = "/tmp/berth-changes-XXXXXX";
        cleanup_free char *upper = NULL, *low1 = NULL, *low2 = NULL, *wh = NULL, *wh2 = NULL;
        char *lowers[3];
        char *skip[] = {"/etc/hostname", "/only/mp", NULL};
        struct json_object *out = NULL;
        berth_error_t *err = NULL;
        const char *text;

        (void) state;
        assert_non_null(mkdtemp(tmpl));
        upper = xasprintf("%s/upper", tmpl);
        low1 = xasprintf("%s/l1", tmpl);
        low2 = xasprintf("%s/l2", tmpl);
        /* l2 (bottom) has /bin/ls, /etc/passwd, /gone; l1 (top) deletes /gone */
        assert_int_equal(fs_mkdir_p(upper, 0755, &err), 0);
        {
                cleanup_free char *a = xasprintf("%s/bin", low2), *b = xasprintf("%s/etc", low2);
                cleanup_free char *c = xasprintf("%s/bin", upper), *d = xasprintf("%s/etc", upper);
                assert_int_equal(fs_mkdir_p(a, 0755, &err), 0);
                assert_int_equal(fs_mkdir_p(b, 0755, &err), 0);
                assert_int_equal(fs_mkdir_p(c, 0755, &err), 0);
                assert_int_equal(fs_mkdir_p(d, 0755, &err), 0);
                assert_int_equal(fs_mkdir_p(low1, 0755, &err), 0);
        }
        put(low2, "bin/ls", "ls");
        put(low2, "etc/passwd", "root");
        put(low2, "gone", "x");
        wh2 = xasprintf("%s/gone", low1);
        if (mknod(wh2, S_IFCHR | 0000, makedev(0, 0)) < 0) {
                cleanup_free char *rm = xasprintf("rm -rf %s", tmpl);
                if (system(rm) != 0)
                        fprintf(stderr, "cleanup failed\n");
                skip(); /* mknod needs CAP_MKNOD */
        }
        put(upper, "etc/passwd", "root\nx");
        put(upper, "new", "");
        put(upper, "gone", "again");
        wh = xasprintf("%s/bin/ls", upper);
        assert_int_equal(mknod(wh, S_IFCHR | 0000, makedev(0, 0)), 0);
        /* mountpoints (skipped) and a directory made only for one */
        put(upper, "etc/hostname", "");
        {
                cleanup_free char *d = xasprintf("%s/only/mp", upper);
                assert_int_equal(fs_mkdir_p(d, 0755, &err), 0);
        }
        lowers[0] = low1;
        lowers[1] = low2;
        lowers[2] = NULL;
        assert_int_equal(container_changes_compute(upper, lowers, skip, &out, &err), 0);
        text = json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN
                                                           | JSON_C_TO_STRING_NOSLASHESCAPE);
        /* /gone was whited out in l1: present again in the upper it is added */
        assert_string_equal(text, "[{\"Path\":\"/bin\",\"Kind\":0},{\"Path\":\"/bin/ls\",\"Kind\":2},"
                                  "{\"Path\":\"/etc\",\"Kind\":0},{\"Path\":\"/etc/passwd\",\"Kind\":0},"
                                  "{\"Path\":\"/gone\",\"Kind\":1},{\"Path\":\"/new\",\"Kind\":1}]");
        json_object_put(out);
        /* the commit layer: the whiteout becomes bin/.wh.ls */
        {
                cleanup_free char *tar = xasprintf("%s/layer.tar", tmpl);
                cleanup_free char *cmd = xasprintf("tar -tf %s", tar);
                int fd = open(tar, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                char line[256];
                bool seen = false;
                FILE *p;
                assert_true(fd >= 0);
                assert_int_equal(container_layer_write(upper, skip, fd, &err), 0);
                close(fd);
                p = popen(cmd, "r");
                assert_non_null(p);
                while (fgets(line, sizeof(line), p))
                        if (strcmp(line, "bin/.wh.ls\n") == 0)
                                seen = true;
                        else
                                assert_string_not_equal(line, "etc/hostname\n");
                pclose(p);
                assert_true(seen);
        }
        {
                cleanup_free char *rm = xasprintf("rm -rf %s", tmpl);
                assert_int_equal(system(rm), 0);
        }
}

static void
test_commit_config(void **state)
{
        struct json_object *cc = json_tokener_parse(
                "{\"Cmd\":[\"sh\"],\"Env\":[\"PATH=/bin\"],\"WorkingDir\":\"\"}");
        struct json_object *over = json_tokener_parse("{\"WorkingDir\":\"/w\",\"Cmd\":null}");
        struct json_object *out = NULL;
        char *changes[] = {"CMD [\"echo\",\"hi\"]", NULL};
        char *bad[] = {"FROM x", NULL};
        berth_error_t *err = NULL;

        (void) state;
        assert_int_equal(container_commit_config(cc, over, changes, &out, &err), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(out, "WorkingDir")),
                            "/w");
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(out, "Cmd"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "[\"echo\",\"hi\"]");
        json_object_put(out);
        assert_int_equal(container_commit_config(cc, NULL, bad, &out, &err), -EINVAL);
        berth_error_free(err);
        json_object_put(cc);
        json_object_put(over);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_path_rules),    cmocka_unit_test(test_go_mode),
                cmocka_unit_test(test_stat_header),   cmocka_unit_test(test_change_kind),
                cmocka_unit_test(test_changes_fake_upper), cmocka_unit_test(test_commit_config),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
