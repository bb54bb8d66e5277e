/* tests/unit/test_spec_mounts.c: mount option words (runtime/spec/mounts.c) as runc reads them:
 * MS_* flags set and cleared, propagation, recursive attributes, and data for the filesystem. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include <cmocka.h>

#include "runtime/spec/spec.h"

/* Parse the NULL-terminated OPTIONS into *M (zeroed first); returns M. */
static struct spec_mount *
parse(struct spec_mount *m, char *const *options)
{
        cleanup_error berth_error_t *err = NULL;

        memset(m, 0, sizeof(*m));
        assert_int_equal(spec_mount_options_parse(options, m, JPATH_KEY(NULL, "options"), &err), 0);
        assert_null(err);
        return m;
}

#define OPTS(...) ((char *const[]){__VA_ARGS__, NULL})

static void
test_no_options(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, NULL);
        assert_int_equal(m.flags, 0);
        assert_int_equal(m.clear_flags, 0);
        assert_int_equal(m.propagation, 0);
        assert_int_equal(m.rec_set, 0);
        assert_int_equal(m.rec_clear, 0);
        assert_null(m.data);
        assert_false(m.tmpcopyup);
        parse(&m, OPTS("defaults"));
        assert_int_equal(m.flags, 0);
        assert_null(m.data);
}

static void
test_ro_then_rw_clears_rdonly(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, OPTS("ro"));
        assert_int_equal(m.flags, MS_RDONLY);
        assert_int_equal(m.clear_flags, 0);
        parse(&m, OPTS("ro", "rw"));
        assert_int_equal(m.flags & MS_RDONLY, 0);
        assert_int_equal(m.clear_flags, MS_RDONLY);
        /* The last word wins both ways. */
        parse(&m, OPTS("rw", "ro"));
        assert_int_equal(m.flags, MS_RDONLY);
        assert_int_equal(m.clear_flags & MS_RDONLY, 0);
}

static void
test_flag_words(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, OPTS("nosuid", "nodev", "noexec", "relatime"));
        assert_int_equal(m.flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RELATIME);
        assert_null(m.data);
        parse(&m, OPTS("strictatime", "noatime", "nodiratime", "sync", "dirsync", "remount"));
        assert_int_equal(m.flags, MS_STRICTATIME | MS_NOATIME | MS_NODIRATIME | MS_SYNCHRONOUS
                                          | MS_DIRSYNC | MS_REMOUNT);
        parse(&m, OPTS("nosuid", "suid", "nodev", "dev", "noexec", "exec", "noatime", "atime"));
        assert_int_equal(m.flags, 0);
        assert_int_equal(m.clear_flags, MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME);
        parse(&m, OPTS("sync", "async", "mand", "nomand", "silent", "loud"));
        assert_int_equal(m.flags, 0);
        assert_int_equal(m.clear_flags, MS_SYNCHRONOUS | MS_MANDLOCK | MS_SILENT);
        parse(&m, OPTS("nosymfollow", "lazytime", "iversion"));
        assert_int_equal(m.flags, MS_NOSYMFOLLOW | MS_LAZYTIME | MS_I_VERSION);
}

static void
test_bind_and_rbind(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, OPTS("bind"));
        assert_int_equal(m.flags, MS_BIND);
        parse(&m, OPTS("rbind"));
        assert_int_equal(m.flags, MS_BIND | MS_REC);
        parse(&m, OPTS("rbind", "ro", "nosuid"));
        assert_int_equal(m.flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
        assert_int_equal(m.propagation, 0);
}

static void
test_propagation_words(void **state)
{
        static const struct {
                const char *word;
                unsigned long flag;
        } cases[] = {
                {"private", MS_PRIVATE},       {"rprivate", MS_PRIVATE | MS_REC},
                {"shared", MS_SHARED},         {"rshared", MS_SHARED | MS_REC},
                {"slave", MS_SLAVE},           {"rslave", MS_SLAVE | MS_REC},
                {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
        };
        struct spec_mount m;
        (void) state;

        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                parse(&m, OPTS((char *) cases[i].word));
                assert_int_equal(m.propagation, cases[i].flag);
                /* Propagation is a separate mount(2) call: never mixed into the flags. */
                assert_int_equal(m.flags, 0);
                assert_null(m.data);
        }
        parse(&m, OPTS("shared", "rslave"));
        assert_int_equal(m.propagation, MS_SLAVE | MS_REC);
}

static void
test_recursive_attributes(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, OPTS("rro", "rnosuid"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
        assert_int_equal(m.rec_clear, 0);
        /* Recursive words leave the plain flags alone. */
        assert_int_equal(m.flags, 0);
        parse(&m, OPTS("rnodev", "rnoexec", "rnodiratime", "rnosymfollow"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NODIRATIME
                                            | MOUNT_ATTR_NOSYMFOLLOW);
        parse(&m, OPTS("rro", "rrw", "rnosuid", "rsuid", "rdev", "rexec"));
        assert_int_equal(m.rec_set, 0);
        assert_int_equal(m.rec_clear, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV
                                              | MOUNT_ATTR_NOEXEC);
        parse(&m, OPTS("rrw", "rro"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_RDONLY);
        assert_int_equal(m.rec_clear, 0);
}

static void
test_recursive_atime_words(void **state)
{
        struct spec_mount m;
        (void) state;

        /* mount_setattr(2) takes an access-time mode only with all of MOUNT_ATTR__ATIME in
         * attr_clr; relatime is the value 0, so without that it would change nothing. */
        parse(&m, OPTS("rnoatime"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_NOATIME);
        assert_int_equal(m.rec_clear, MOUNT_ATTR__ATIME);
        parse(&m, OPTS("rrelatime"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_RELATIME);
        assert_int_equal(m.rec_clear, MOUNT_ATTR__ATIME);
        parse(&m, OPTS("rnoatime", "rstrictatime"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_STRICTATIME);
        assert_int_equal(m.rec_clear, MOUNT_ATTR__ATIME);
        parse(&m, OPTS("rstrictatime", "rro", "rrelatime"));
        assert_int_equal(m.rec_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_RELATIME);
        assert_int_equal(m.rec_clear, MOUNT_ATTR__ATIME);
}

static void
test_tmpcopyup(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, OPTS("tmpcopyup", "mode=755"));
        assert_true(m.tmpcopyup);
        assert_string_equal(m.data, "mode=755");
        free(m.data);
}

static void
test_unknown_words_become_data(void **state)
{
        struct spec_mount m;
        (void) state;

        parse(&m, OPTS("nosuid", "size=65536k", "strictatime", "mode=755"));
        assert_int_equal(m.flags, MS_NOSUID | MS_STRICTATIME);
        assert_string_equal(m.data, "size=65536k,mode=755");
        free(m.data);
        parse(&m, OPTS("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        assert_int_equal(m.flags, MS_NOSUID | MS_NOEXEC);
        assert_string_equal(m.data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
        free(m.data);
        /* Words are matched whole: a near miss is data for the filesystem. */
        parse(&m, OPTS("RO", "ro=1", "rbind2"));
        assert_int_equal(m.flags, 0);
        assert_string_equal(m.data, "RO,ro=1,rbind2");
        free(m.data);
}

static void
test_option_names_sorted_and_known(void **state)
{
        (void) state;

        for (size_t i = 0; spec_mount_option_names[i]; i++) {
                struct spec_mount m;
                if (i > 0)
                        assert_true(
                                strcmp(spec_mount_option_names[i - 1], spec_mount_option_names[i])
                                < 0);
                /* Every name `features` advertises is understood, not passed on as data. */
                parse(&m, OPTS((char *) spec_mount_option_names[i]));
                assert_null(m.data);
        }
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_no_options),
                cmocka_unit_test(test_ro_then_rw_clears_rdonly),
                cmocka_unit_test(test_flag_words),
                cmocka_unit_test(test_bind_and_rbind),
                cmocka_unit_test(test_propagation_words),
                cmocka_unit_test(test_recursive_attributes),
                cmocka_unit_test(test_recursive_atime_words),
                cmocka_unit_test(test_tmpcopyup),
                cmocka_unit_test(test_unknown_words_become_data),
                cmocka_unit_test(test_option_names_sorted_and_known),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
