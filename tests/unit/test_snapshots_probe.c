/* tests/unit/test_snapshots_probe.c: supervisor/snapshots/probe.c's choice of storage driver
 * from the request, the data-root's record, the overlay probe and existing snapshots. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "lib/cleanup.h"
#include "supervisor/snapshots/probe.h"

static const char *
choose(const char *requested, const char *recorded, bool works, bool snaps, int want_r)
{
        cleanup_error berth_error_t *err = NULL;
        const char *ret = NULL;

        assert_int_equal(snapshots_choose_driver(requested, recorded, works, snaps, &ret, &err),
                         want_r);
        return ret;
}

static void
test_choice(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        const char *ret = NULL;

        (void) state;
        /* Not given: the probe decides a new data-root, the record an old one. */
        assert_string_equal(choose(NULL, NULL, true, false, 0), "overlay2");
        assert_string_equal(choose(NULL, NULL, false, false, 0), "vfs");
        assert_string_equal(choose(NULL, "vfs", true, true, 0), "vfs");
        assert_string_equal(choose(NULL, "overlay2", true, true, 0), "overlay2");
        /* Given: taken when it works and no other driver's snapshots are there. */
        assert_string_equal(choose("vfs", NULL, true, false, 0), "vfs");
        assert_string_equal(choose("vfs", "overlay2", true, false, 0), "vfs");
        assert_null(choose("vfs", "overlay2", true, true, -EBUSY));
        assert_null(choose("overlay2", NULL, false, false, -EOPNOTSUPP));
        assert_null(choose(NULL, "overlay2", false, true, -EOPNOTSUPP));
        assert_int_equal(snapshots_choose_driver("vfs", "overlay2", true, true, &ret, &err),
                         -EBUSY);
        assert_string_equal(
                err->msg,
                "storage-driver \"vfs\": data-root holds overlay2 snapshots (start with --storage-driver overlay2, or use another data-root)");
        berth_error_free(TAKE_PTR(err));
        assert_int_equal(snapshots_choose_driver("btrfs", NULL, true, false, &ret, &err), -EINVAL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_choice),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
