/* tests/unit/test_containers_health.c: the pure parts of healthchecks (containers/health.h):
 * probe settings from Config, the state machine (results → Status, FailingStreak, Log) and Go's
 * duration text. */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "supervisor/containers/health.h"

static struct json_object *
cfg_of(const char *s)
{
        struct json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        return o;
}

static const char *
str(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;
        json_object_object_get_ex(o, k, &v);
        return json_object_get_string(v);
}

static int
num(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;
        json_object_object_get_ex(o, k, &v);
        return json_object_get_int(v);
}

static void
test_settings(void **state)
{
        (void) state;
        struct container_health_settings s;
        struct json_object *c;

        c = cfg_of("{\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":1000000000}}");
        container_health_settings_build(c, &s);
        assert_true(s.enabled);
        assert_string_equal(json_object_to_json_string_ext(s.cmd, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                            "[\"/bin/sh\",\"-c\",\"true\"]");
        assert_int_equal(s.interval_ns, 1000000000LL);
        assert_int_equal(s.timeout_ns, CONTAINER_HEALTH_DEFAULT_TIMEOUT_NS);
        assert_int_equal(s.retries, 3);
        assert_int_equal(s.start_period_ns, 0);
        container_health_settings_done(&s);
        json_object_put(c);

        c = cfg_of("{\"Shell\":[\"/bin/bash\",\"-ec\"],\"Healthcheck\":{\"Test\":[\"CMD-SHELL\",\"x\"],\"Retries\":2}}");
        container_health_settings_build(c, &s);
        assert_string_equal(json_object_to_json_string_ext(s.cmd, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                            "[\"/bin/bash\",\"-ec\",\"x\"]");
        assert_int_equal(s.interval_ns, CONTAINER_HEALTH_DEFAULT_INTERVAL_NS);
        assert_int_equal(s.retries, 2);
        container_health_settings_done(&s);
        json_object_put(c);

        c = cfg_of("{\"Healthcheck\":{\"Test\":[\"CMD\",\"/bin/check\",\"-v\"]}}");
        container_health_settings_build(c, &s);
        assert_true(s.enabled);
        assert_string_equal(json_object_to_json_string_ext(s.cmd, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
                            "[\"/bin/check\",\"-v\"]");
        container_health_settings_done(&s);
        json_object_put(c);

        const char *none[] = {"{\"Healthcheck\":{\"Test\":[\"NONE\"]}}", "{\"Healthcheck\":{}}",
                              "{}", "{\"Healthcheck\":{\"Test\":[\"CMD\"]}}"};
        for (size_t i = 0; i < 4; i++) {
                c = cfg_of(none[i]);
                container_health_settings_build(c, &s);
                assert_false(s.enabled);
                assert_null(s.cmd);
                json_object_put(c);
        }
}

static const char *
feed(struct json_object *h, int code, int retries, bool start_period)
{
        struct container_health_result r = {.start = "s", .end = "e", .exit_code = code,
                                            .output = "out"};
        return container_health_apply(h, &r, retries, start_period);
}

static void
test_state_machine(void **state)
{
        (void) state;
        struct json_object *h = container_health_new(), *log;

        assert_string_equal(str(h, "Status"), "starting");
        /* Failures below the retries keep it starting. */
        assert_null(feed(h, 1, 3, false));
        assert_null(feed(h, 1, 3, false));
        assert_int_equal(num(h, "FailingStreak"), 2);
        assert_string_equal(str(h, "Status"), "starting");
        /* A success: healthy, the streak ends. */
        assert_string_equal(feed(h, 0, 3, false), "healthy");
        assert_int_equal(num(h, "FailingStreak"), 0);
        assert_null(feed(h, 0, 3, false));
        /* Three failures: unhealthy at the third, then no more changes. */
        assert_null(feed(h, 1, 3, false));
        assert_null(feed(h, -1, 3, false));
        assert_string_equal(feed(h, 2, 3, false), "unhealthy");
        assert_null(feed(h, 2, 3, false));
        assert_int_equal(num(h, "FailingStreak"), 4);
        /* Only the last five results are kept, newest last. */
        json_object_object_get_ex(h, "Log", &log);
        assert_int_equal(json_object_array_length(log), 5);
        assert_int_equal(num(json_object_array_get_idx(log, 4), "ExitCode"), 2);
        assert_int_equal(num(json_object_array_get_idx(log, 0), "ExitCode"), 0);
        assert_string_equal(str(json_object_array_get_idx(log, 0), "Output"), "out");
        json_object_put(h);

        /* In the start period a failure while starting does not count. */
        h = container_health_new();
        assert_null(feed(h, 1, 1, true));
        assert_int_equal(num(h, "FailingStreak"), 0);
        assert_string_equal(str(h, "Status"), "starting");
        assert_string_equal(feed(h, 1, 1, false), "unhealthy");
        json_object_put(h);
        /* Once healthy, failures in the start period count. */
        h = container_health_new();
        assert_string_equal(feed(h, 0, 1, true), "healthy");
        assert_string_equal(feed(h, 1, 1, true), "unhealthy");
        json_object_put(h);
}

static void
test_output_truncated(void **state)
{
        (void) state;
        struct json_object *h = container_health_new(), *log;
        char *big = malloc(10000);
        memset(big, 'x', 9999);
        big[9999] = '\0';
        struct container_health_result r = {.start = "s", .end = "e", .exit_code = 0,
                                            .output = big};
        container_health_apply(h, &r, 3, false);
        json_object_object_get_ex(h, "Log", &log);
        assert_int_equal(strlen(str(json_object_array_get_idx(log, 0), "Output")),
                         CONTAINER_HEALTH_MAX_OUTPUT);
        free(big);
        json_object_put(h);
}

static void
test_duration(void **state)
{
        (void) state;
        const struct {
                int64_t ns;
                const char *s;
        } cases[] = {{0, "0s"},           {1000000000LL, "1s"},      {1500000000LL, "1.5s"},
                     {500000000LL, "500ms"}, {30000000000LL, "30s"}, {90000000000LL, "1m30s"},
                     {60000000000LL, "1m0s"}, {3600000000000LL, "1h0m0s"}, {1500, "1.5µs"},
                     {12, "12ns"}};
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char *s = container_health_duration_string(cases[i].ns);
                assert_string_equal(s, cases[i].s);
                free(s);
        }
}

static void
test_ps_text(void **state)
{
        (void) state;
        struct json_object *st = cfg_of("{\"Health\":{\"Status\":\"starting\"}}");
        assert_string_equal(container_health_ps_text(st), "health: starting");
        json_object_put(st);
        st = cfg_of("{\"Health\":{\"Status\":\"healthy\"}}");
        assert_string_equal(container_health_ps_text(st), "healthy");
        json_object_put(st);
        st = cfg_of("{\"Status\":\"running\"}");
        assert_null(container_health_ps_text(st));
        json_object_put(st);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_settings),
                cmocka_unit_test(test_state_machine),
                cmocka_unit_test(test_output_truncated),
                cmocka_unit_test(test_duration),
                cmocka_unit_test(test_ps_text),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
