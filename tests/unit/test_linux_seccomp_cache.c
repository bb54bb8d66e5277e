/* tests/unit/test_linux_seccomp_cache.c: runtime/linux/seccomp_cache.h: the key, and programs
 * stored under a root and read back instead of compiled again. */
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
#include <sys/prctl.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/linux/seccomp_cache.h"
#include "runtime/spec/seccomp.h"

#define AT JPATH_KEY(JPATH_KEY(NULL, "linux"), "seccomp")

/* SQUOTED (' for ") parsed as linux.seccomp into S. */
static void
parse(const char *squoted, struct spec_seccomp *s)
{
        cleanup_free char *text = xstrdup(squoted);
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *o = NULL;

        for (char *p = text; *p; p++)
                if (*p == '\'')
                        *p = '"';
        assert_int_equal(json_parse_buffer(text, strlen(text), &o, &err), 0);
        assert_int_equal(spec_parse_seccomp(o, AT, s, &err), 0);
}

static const char *const MKDIR_EPERM =
        "{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64'], 'syscalls': ["
        " {'names': ['mkdir', 'rmdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}]}";

static void
key_of(const char *squoted, const char *version, char out[SECCOMP_CACHE_KEY_LEN + 1])
{
        struct spec_seccomp s;

        parse(squoted, &s);
        seccomp_cache_key(&s, version, 6, "x86_64", out);
        spec_seccomp_done(&s);
}

static void
test_key(void **state)
{
        char a[SECCOMP_CACHE_KEY_LEN + 1], b[SECCOMP_CACHE_KEY_LEN + 1];
        (void) state;

        key_of(MKDIR_EPERM, "2.5.4", a);
        assert_int_equal(strlen(a), 64);
        key_of(MKDIR_EPERM, "2.5.4", b);
        assert_string_equal(a, b);
        /* Anything that changes the program changes the key. */
        key_of(MKDIR_EPERM, "2.6.0", b);
        assert_string_not_equal(a, b);
        key_of("{'defaultAction': 'SCMP_ACT_ALLOW', 'architectures': ['SCMP_ARCH_X86_64'], "
               "'syscalls': [{'names': ['mkdir', 'rmdir'], 'action': 'SCMP_ACT_ERRNO', "
               "'errnoRet': 2}]}",
               "2.5.4", b);
        assert_string_not_equal(a, b);
        /* Names are not just concatenated: ["mk","dir"] is not ["mkdir"]. */
        key_of("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], "
               "'action': 'SCMP_ACT_ERRNO'}]}",
               "2.5.4", a);
        key_of("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdirat'], "
               "'action': 'SCMP_ACT_ERRNO'}]}",
               "2.5.4", b);
        assert_string_not_equal(a, b);
        key_of("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_LOG'], "
               "'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}",
               "2.5.4", b);
        assert_string_not_equal(a, b);
        key_of("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], "
               "'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 0, 'value': 1, 'op': "
               "'SCMP_CMP_EQ'}]}]}",
               "2.5.4", b);
        assert_string_not_equal(a, b);
}

/* The files under ROOT/@seccomp-cache (the last one's path in OUT): how many there are. */
static int
cached(const char *root, char **out)
{
        cleanup_free char *dir = xasprintf("%s/" SECCOMP_CACHE_DIR, root);
        DIR *d = opendir(dir);
        struct dirent *de;
        int n = 0;

        while (d && (de = readdir(d)) != NULL) {
                if (de->d_name[0] == '.')
                        continue;
                n++;
                free(*out);
                *out = xasprintf("%s/%s", dir, de->d_name);
        }
        if (d)
                closedir(d);
        return n;
}

static void
test_store_and_reuse(void **state)
{
        char root[] = "/tmp/test-seccomp-cache.XXXXXX";
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;
        struct seccomp_program first = {0}, again = {0}, fresh = {0};
        cleanup_free char *path = NULL, *bytes = NULL;
        size_t len = 0;
        (void) state;

        assert_non_null(mkdtemp(root));
        parse(MKDIR_EPERM, &s);
        /* No root: compiled, nothing stored. */
        assert_int_equal(seccomp_program_load(&s, NULL, &fresh, &err), 0);
        assert_true(fresh.len > 0 && fresh.len % 8 == 0);
        /* First load: compiled and stored (0700 directory, the same bytes). */
        assert_int_equal(seccomp_program_load(&s, root, &first, &err), 0);
        assert_int_equal(cached(root, &path), 1);
        assert_int_equal(fs_read_file(AT_FDCWD, path, &bytes, &len, &err), 0);
        assert_int_equal(len, first.len);
        assert_memory_equal(bytes, first.insns, len);
        assert_int_equal(first.len, fresh.len);
        assert_memory_equal(first.insns, fresh.insns, fresh.len);
        {
                cleanup_free char *dir = xasprintf("%s/" SECCOMP_CACHE_DIR, root);
                struct stat st;
                assert_int_equal(stat(dir, &st), 0);
                assert_int_equal(st.st_mode & 0777, 0700);
        }
        /* Second load: read back, not compiled: a stored program of our making is what comes
         * back (one instruction: return ALLOW). */
        {
                static const unsigned char allow[8] = {0x06, 0, 0, 0, 0, 0, 0xff, 0x7f};
                assert_int_equal(fs_write_atomic(AT_FDCWD, path, (const char *) allow, 8, 0600,
                                                 &err),
                                 0);
        }
        assert_int_equal(seccomp_program_load(&s, root, &again, &err), 0);
        assert_int_equal(again.len, 8);
        assert_int_equal(again.insns[0], 0x06);
        seccomp_program_done(&again);
        /* A damaged entry (not whole instructions) is compiled again and replaced. */
        assert_int_equal(fs_write_atomic(AT_FDCWD, path, "garbage", 7, 0600, &err), 0);
        assert_int_equal(seccomp_program_load(&s, root, &again, &err), 0);
        assert_int_equal(again.len, fresh.len);
        assert_memory_equal(again.insns, fresh.insns, fresh.len);
        seccomp_program_done(&again);
        /* Another profile: another entry. */
        {
                struct spec_seccomp s2;
                cleanup_free char *p2 = NULL;
                parse("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['chdir'], "
                      "'action': 'SCMP_ACT_ERRNO'}]}",
                      &s2);
                assert_int_equal(seccomp_program_load(&s2, root, &again, &err), 0);
                assert_int_equal(cached(root, &p2), 2);
                seccomp_program_done(&again);
                spec_seccomp_done(&s2);
        }
        /* Bad profiles are still errors (nothing stored for them). */
        {
                struct spec_seccomp bad;
                cleanup_free char *p3 = NULL;
                parse("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['nosuchcall'], "
                      "'action': 'SCMP_ACT_ERRNO'}]}",
                      &bad);
                assert_int_equal(seccomp_program_load(&bad, root, &again, &err), -EINVAL);
                assert_non_null(strstr(err->msg, "nosuchcall"));
                berth_error_free(err);
                err = NULL;
                assert_int_equal(cached(root, &p3), 2);
                spec_seccomp_done(&bad);
        }
        /* Nothing was loaded into this process. */
        assert_int_equal(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0);
        seccomp_program_done(&first);
        seccomp_program_done(&fresh);
        spec_seccomp_done(&s);
        {
                cleanup_error berth_error_t *e = NULL;
                assert_int_equal(fs_remove_tree(AT_FDCWD, root, &e), 0);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_key),
                cmocka_unit_test(test_store_and_reuse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
