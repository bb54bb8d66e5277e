/* tests/unit/test_logger_jsonfile.c: supervisor/logger/jsonfile.h: docker's json-file line
 * encoding, times, reading back, tail/since/until selection, sizes, rotated names, stdcopy. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "supervisor/logger/jsonfile.h"

static void
test_encode(void **state)
{
        (void) state;
        char *l = jsonfile_line_encode("stdout", "hello\n", 6, 1700000000, 123456000);
        assert_string_equal(l, "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456Z\"}\n");
        free(l);
        /* encoding/json's escapes: quotes, backslash, control bytes, <>&, bad UTF-8, U+2028 */
        l = jsonfile_line_encode("stderr", "a\"b\\c\t\x01<>&\xff\xe2\x80\xa8\xc3\xa9", 16, 1700000000, 0);
        assert_string_equal(l, "{\"log\":\"a\\\"b\\\\c\\t\\u0001\\u003c\\u003e\\u0026\\ufffd\\u2028\xc3\xa9\",\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:20Z\"}\n");
        free(l);
}

static void
test_time(void **state)
{
        char buf[64];
        (void) state;
        jsonfile_time_format(1700000000, 500000000, buf, sizeof(buf));
        assert_string_equal(buf, "2023-11-14T22:13:20.5Z");
        jsonfile_time_format(1700000000, 1, buf, sizeof(buf));
        assert_string_equal(buf, "2023-11-14T22:13:20.000000001Z");
        assert_int_equal(jsonfile_time_parse("2023-11-14T22:13:20.5Z"), 1700000000500000000LL);
        assert_int_equal(jsonfile_time_parse("2023-11-14T23:13:20+01:00"), 1700000000000000000LL);
        assert_int_equal(jsonfile_time_parse("garbage"), -1);
        int64_t ns;
        assert_int_equal(jsonfile_timestamp_parse("1700000000.25", &ns), 0);
        assert_int_equal(ns, 1700000000250000000LL);
        assert_int_equal(jsonfile_timestamp_parse("1700000000", &ns), 0);
        assert_int_equal(ns, 1700000000000000000LL);
        assert_int_equal(jsonfile_timestamp_parse("x", &ns), -1);
}

static void
test_parse_and_select(void **state)
{
        struct jsonfile_entry e;
        (void) state;
        const char *line = "{\"log\":\"x\\u003cy\\n\",\"stream\":\"stderr\",\"time\":\"2023-11-14T22:13:20.5Z\"}\n";
        assert_int_equal(jsonfile_entry_parse(line, strlen(line), &e), 0);
        assert_string_equal(e.log, "x<y\n");
        assert_int_equal(e.log_len, 4);
        assert_int_equal(e.stream, 2);
        assert_int_equal(e.time_ns, 1700000000500000000LL);
        assert_true(jsonfile_entry_wanted(&e, false, true, 0, 0));
        assert_false(jsonfile_entry_wanted(&e, true, false, 0, 0));
        assert_true(jsonfile_entry_wanted(&e, true, true, 1700000000500000000LL, 0));
        assert_false(jsonfile_entry_wanted(&e, true, true, 1700000000600000000LL, 0));
        assert_false(jsonfile_entry_wanted(&e, true, true, 0, 1700000000400000000LL));
        jsonfile_entry_done(&e);
        assert_int_equal(jsonfile_entry_parse("not json", 8, &e), -1);
        assert_int_equal(jsonfile_tail_parse("all"), -1);
        assert_int_equal(jsonfile_tail_parse(NULL), -1);
        assert_int_equal(jsonfile_tail_parse("5"), 5);
        assert_int_equal(jsonfile_tail_parse("0"), 0);
        assert_int_equal(jsonfile_tail_parse("-3"), -1);
        assert_int_equal(jsonfile_tail_parse("x"), -2);
}

static void
test_sizes_and_names(void **state)
{
        (void) state;
        assert_int_equal(jsonfile_size_parse("10m"), 10 * 1024 * 1024);
        assert_int_equal(jsonfile_size_parse("1k"), 1024);
        assert_int_equal(jsonfile_size_parse("2g"), 2LL * 1024 * 1024 * 1024);
        assert_int_equal(jsonfile_size_parse("512"), 512);
        assert_int_equal(jsonfile_size_parse("10mb"), 10 * 1024 * 1024);
        assert_int_equal(jsonfile_size_parse("10x"), -1);
        assert_int_equal(jsonfile_size_parse(""), -1);
        char *n = jsonfile_rotated_name("/a/x-json.log", 0);
        assert_string_equal(n, "/a/x-json.log");
        free(n);
        n = jsonfile_rotated_name("/a/x-json.log", 2);
        assert_string_equal(n, "/a/x-json.log.2");
        free(n);
}

static void
test_stdcopy(void **state)
{
        uint8_t h[8];
        (void) state;
        stdcopy_header(h, 2, 0x01020304);
        const uint8_t want[8] = {2, 0, 0, 0, 1, 2, 3, 4};
        assert_memory_equal(h, want, 8);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_encode),
                cmocka_unit_test(test_time),
                cmocka_unit_test(test_parse_and_select),
                cmocka_unit_test(test_sizes_and_names),
                cmocka_unit_test(test_stdcopy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
