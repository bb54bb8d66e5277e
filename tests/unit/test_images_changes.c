/* tests/unit/test_images_changes.c: supervisor/images/changes.h (docker import --change). */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "supervisor/images/changes.h"

static const char *
member(struct json_object *c, const char *k)
{
        struct json_object *v = NULL;
        json_object_object_get_ex(c, k, &v);
        return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static struct json_object *
applied(const char *const *changes)
{
        cleanup_error berth_error_t *err = NULL;
        struct json_object *c = image_changes_new_config();

        assert_int_equal(image_changes_apply(c, (char *const *) changes, &err), 0);
        return c;
}

static void
test_empty_config_shape(void **state)
{
        cleanup_json struct json_object *c = image_changes_new_config();

        (void) state;
        assert_string_equal(
                json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN),
                "{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,"
                "\"AttachStdout\":false,\"AttachStderr\":false,\"Tty\":false,\"OpenStdin\":false,"
                "\"StdinOnce\":false,\"Env\":null,\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,"
                "\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":null}");
}

static void
test_cmd_entrypoint_forms(void **state)
{
        const char *ch[] = {"CMD [\"echo\", \"hi\"]", "ENTRYPOINT /bin/run --x", NULL};
        cleanup_json struct json_object *c = applied(ch);

        (void) state;
        assert_string_equal(member(c, "Cmd"), "[\"echo\",\"hi\"]");
        assert_string_equal(member(c, "Entrypoint"), "[\"/bin/sh\",\"-c\",\"/bin/run --x\"]");
}

static void
test_env_label_user_workdir(void **state)
{
        const char *ch[] = {"ENV A=1 B=\"two words\"",
                            "env A=3",
                            "ENV C legacy form",
                            "LABEL org.x=y \"q\"=\"v\"",
                            "USER nobody",
                            "WORKDIR /srv",
                            "WORKDIR app",
                            "STOPSIGNAL SIGINT",
                            NULL};
        cleanup_json struct json_object *c = applied(ch);

        (void) state;
        assert_string_equal(member(c, "Env"), "[\"A=3\",\"B=two words\",\"C=legacy form\"]");
        assert_string_equal(member(c, "Labels"), "{\"org.x\":\"y\",\"q\":\"v\"}");
        assert_string_equal(member(c, "User"), "\"nobody\"");
        assert_string_equal(member(c, "WorkingDir"), "\"/srv/app\"");
        assert_string_equal(member(c, "StopSignal"), "\"SIGINT\"");
}

static void
test_expose_volume(void **state)
{
        const char *ch[] = {"EXPOSE 80 53/udp", "VOLUME /data /logs", "VOLUME [\"/x\"]", NULL};
        cleanup_json struct json_object *c = applied(ch);

        (void) state;
        assert_string_equal(member(c, "ExposedPorts"), "{\"80/tcp\":{},\"53/udp\":{}}");
        assert_string_equal(member(c, "Volumes"), "{\"/data\":{},\"/logs\":{},\"/x\":{}}");
}

static void
test_multi_line_change(void **state)
{
        const char *ch[] = {"CMD [\"sh\"]\nUSER 1000", NULL};
        cleanup_json struct json_object *c = applied(ch);

        (void) state;
        assert_string_equal(member(c, "User"), "\"1000\"");
}

static void
bad(const char *change, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *c = image_changes_new_config();
        const char *ch[] = {change, NULL};

        assert_int_equal(image_changes_apply(c, (char *const *) ch, &err), -EINVAL);
        assert_string_equal(err->msg, msg);
}

static void
test_rejects(void **state)
{
        (void) state;
        bad("RUN echo hi", "run is not a valid change command");
        bad("FROM busybox", "from is not a valid change command");
        bad("EXPOSE http", "EXPOSE: invalid port \"http\"");
        bad("ENV", "ENV requires at least one argument");
        bad("USER a b", "USER requires exactly one argument");
        bad("ENV A=\"x", "ENV: unmatched quote");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty_config_shape),
                cmocka_unit_test(test_cmd_entrypoint_forms),
                cmocka_unit_test(test_env_label_user_workdir),
                cmocka_unit_test(test_expose_volume),
                cmocka_unit_test(test_multi_line_change),
                cmocka_unit_test(test_rejects),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
