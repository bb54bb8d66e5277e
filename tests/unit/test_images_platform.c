/* tests/unit/test_images_platform.c: supervisor/images/platform.h (containerd's normalisation
 * and matching). */
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
#include "supervisor/images/platform.h"

static void
check(const char *in, const char *want)
{
        cleanup_error berth_error_t *err = NULL;
        struct image_platform p = {0};
        cleanup_free char *f = NULL;

        assert_int_equal(image_platform_parse(in, &p, &err), 0);
        f = image_platform_format(&p);
        assert_string_equal(f, want);
        image_platform_done(&p);
}

static void
test_parse_normalises(void **state)
{
        (void) state;
        check("linux/amd64", "linux/amd64");
        check("linux/x86_64", "linux/amd64");
        check("Linux/X86-64", "linux/amd64");
        check("linux/aarch64", "linux/arm64");
        check("linux/arm64/v8", "linux/arm64");
        check("linux/armhf", "linux/arm/v7");
        check("linux/armel", "linux/arm/v6");
        check("linux/arm", "linux/arm/v7");
        check("linux/arm/7", "linux/arm/v7");
        check("linux/arm/v6", "linux/arm/v6");
        check("linux/i386", "linux/386");
        check("linux/s390x", "linux/s390x");
        check("arm64", "linux/arm64");
        check("macos/arm64", "darwin/arm64");
}

static void
bad(const char *in)
{
        cleanup_error berth_error_t *err = NULL;
        struct image_platform p = {0};

        assert_int_equal(image_platform_parse(in, &p, &err), -EINVAL);
        assert_non_null(strstr(err->msg, in));
}

static void
test_parse_rejects(void **state)
{
        (void) state;
        bad("linux/");
        bad("/amd64");
        bad("linux/arm/v7/extra");
        bad("linux");
}

static void
test_match(void **state)
{
        cleanup_error berth_error_t *err = NULL;
        struct image_platform p = {0};

        (void) state;
        assert_int_equal(image_platform_parse("linux/arm/v7", &p, &err), 0);
        assert_true(image_platform_match(&p, "linux", "arm", "v7"));
        assert_true(image_platform_match(&p, "linux", "armhf", NULL));
        assert_true(image_platform_match(&p, "linux", "arm", NULL)); /* arm means arm/v7 */
        assert_false(image_platform_match(&p, "linux", "arm", "v6"));
        assert_false(image_platform_match(&p, "linux", "arm64", NULL));
        assert_false(image_platform_match(&p, "windows", "arm", "v7"));
        assert_false(image_platform_match(&p, NULL, NULL, NULL));
        image_platform_done(&p);
        assert_int_equal(image_platform_parse("linux/arm64", &p, &err), 0);
        assert_true(image_platform_match(&p, "linux", "arm64", "v8"));
        assert_true(image_platform_match(&p, "linux", "aarch64", NULL));
        image_platform_done(&p);
        assert_int_equal(image_platform_parse("linux/amd64", &p, &err), 0);
        assert_true(image_platform_match(&p, "linux", "x86_64", NULL));
        assert_false(image_platform_match(&p, "linux", "386", NULL));
        image_platform_done(&p);
}

static void
test_host(void **state)
{
        struct image_platform p = {0};

        (void) state;
        image_platform_host(&p);
        assert_string_equal(p.os, "linux");
        assert_true(strcmp(p.arch, "x86_64") != 0 && strcmp(p.arch, "aarch64") != 0);
        image_platform_done(&p);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_normalises),
                cmocka_unit_test(test_parse_rejects),
                cmocka_unit_test(test_match),
                cmocka_unit_test(test_host),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
