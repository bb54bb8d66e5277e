/* tests/unit/test_containers_config.c: supervisor/containers/config.h: docker's merge of an
 * image's config into a create request's Config, Path/Args and the process environment. */
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

#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/config.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static const char *image_json =
        "{\"User\":\"daemon\",\"WorkingDir\":\"/app\",\"Env\":[\"PATH=/usr/bin\",\"A=image\",\"B=image\"],"
        "\"Entrypoint\":[\"/entry.sh\"],\"Cmd\":[\"serve\",\"--port\",\"80\"],"
        "\"Labels\":{\"l1\":\"image\",\"l2\":\"image\"},\"ExposedPorts\":{\"80/tcp\":{}},"
        "\"Volumes\":{\"/data\":{}},\"StopSignal\":\"SIGQUIT\","
        "\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]}}";

static struct json_object *
parse(const char *s)
{
        struct json_object *o = json_tokener_parse(s);
        assert_non_null(o);
        return o;
}

static struct json_object *
merge(const char *image, const char *req)
{
        cleanup_json struct json_object *i = image ? parse(image) : NULL;
        cleanup_json struct json_object *r = req ? parse(req) : NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = NULL;

        assert_int_equal(container_config_merge(i, r, ID, &out, &err), 0);
        return out;
}

static const char *
s(struct json_object *o, const char *k)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, k, &v))
                return "absent";
        return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_image_defaults_fill_empty_request(void **state)
{
        cleanup_json struct json_object *m = merge(image_json, "{\"Image\":\"x\"}");
        (void) state;
        assert_string_equal(s(m, "User"), "\"daemon\"");
        assert_string_equal(s(m, "WorkingDir"), "\"/app\"");
        assert_string_equal(s(m, "Entrypoint"), "[\"/entry.sh\"]");
        assert_string_equal(s(m, "Cmd"), "[\"serve\",\"--port\",\"80\"]");
        assert_string_equal(s(m, "StopSignal"), "\"SIGQUIT\"");
        assert_string_equal(s(m, "Hostname"), "\"0123456789ab\"");
        assert_string_equal(s(m, "Healthcheck"), "{\"Test\":[\"CMD\",\"true\"]}");
        assert_string_equal(s(m, "Volumes"), "{\"/data\":{}}");
}

static void
test_request_cmd_keeps_image_entrypoint(void **state)
{
        cleanup_json struct json_object *m = merge(image_json, "{\"Cmd\":[\"other\"]}");
        (void) state;
        assert_string_equal(s(m, "Entrypoint"), "[\"/entry.sh\"]");
        assert_string_equal(s(m, "Cmd"), "[\"other\"]");
}

static void
test_request_entrypoint_drops_image_cmd(void **state)
{
        cleanup_json struct json_object *m = merge(image_json, "{\"Entrypoint\":[\"sh\"]}");
        (void) state;
        assert_string_equal(s(m, "Entrypoint"), "[\"sh\"]");
        assert_string_equal(s(m, "Cmd"), "absent");
}

static void
test_empty_entrypoint_resets(void **state)
{
        cleanup_json struct json_object *m =
                merge(image_json, "{\"Entrypoint\":[\"\"],\"Cmd\":[\"ls\",\"-l\"]}");
        char *path = NULL;
        struct json_object *args = NULL;
        (void) state;
        assert_string_equal(s(m, "Entrypoint"), "null");
        container_config_command(m, &path, &args);
        assert_string_equal(path, "ls");
        assert_string_equal(json_object_to_json_string(args), "[ \"-l\" ]");
        free(path);
        json_object_put(args);
}

static void
test_entrypoint_reset_without_cmd_is_no_command(void **state)
{
        cleanup_json struct json_object *i = parse(image_json);
        cleanup_json struct json_object *r = parse("{\"Entrypoint\":[\"\"]}");
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = NULL;
        (void) state;
        assert_int_equal(container_config_merge(i, r, ID, &out, &err), -EINVAL);
        assert_string_equal(err->msg, "No command specified");
}

static void
test_no_command_at_all(void **state)
{
        cleanup_json struct json_object *r = parse("{\"Image\":\"scratch\"}");
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = NULL;
        (void) state;
        assert_int_equal(container_config_merge(NULL, r, ID, &out, &err), -EINVAL);
        assert_string_equal(err->msg, "No command specified");
}

static void
test_env_request_first_then_image_keys_not_set(void **state)
{
        cleanup_json struct json_object *m = merge(image_json, "{\"Env\":[\"B=req\",\"C=req\"]}");
        (void) state;
        assert_string_equal(s(m, "Env"), "[\"B=req\",\"C=req\",\"PATH=/usr/bin\",\"A=image\"]");
}

static void
test_labels_and_ports_union_request_wins(void **state)
{
        cleanup_json struct json_object *m = merge(
                image_json,
                "{\"Labels\":{\"l2\":\"req\",\"l3\":\"req\"},\"ExposedPorts\":{\"53/udp\":{}}}");
        (void) state;
        assert_string_equal(s(m, "Labels"), "{\"l1\":\"image\",\"l2\":\"req\",\"l3\":\"req\"}");
        assert_string_equal(s(m, "ExposedPorts"), "{\"80/tcp\":{},\"53/udp\":{}}");
}

static void
test_string_cmd_accepted_and_bad_types_refused(void **state)
{
        cleanup_json struct json_object *m = merge(NULL, "{\"Cmd\":\"true\"}");
        cleanup_json struct json_object *bad = parse("{\"Cmd\":[1]}");
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = NULL;
        (void) state;
        assert_string_equal(s(m, "Cmd"), "[\"true\"]");
        assert_int_equal(container_config_merge(NULL, bad, ID, &out, &err), -EINVAL);
        assert_string_equal(err->msg, "Config.Cmd[0]: expected a string");
}

static void
test_request_user_hostname_win(void **state)
{
        cleanup_json struct json_object *m =
                merge(image_json, "{\"User\":\"1000\",\"Hostname\":\"web\",\"WorkingDir\":\"/w\"}");
        (void) state;
        assert_string_equal(s(m, "User"), "\"1000\"");
        assert_string_equal(s(m, "Hostname"), "\"web\"");
        assert_string_equal(s(m, "WorkingDir"), "\"/w\"");
}

static void
test_process_env_defaults_and_override(void **state)
{
        cleanup_json struct json_object *m =
                merge(NULL, "{\"Cmd\":[\"sh\"],\"Tty\":true,\"Env\":[\"HOSTNAME=mine\",\"X=1\"]}");
        cleanup_strv char **env = container_config_process_env(m);
        cleanup_free char *joined = strv_join(env, " ");
        (void) state;
        assert_string_equal(joined,
                            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "
                            "HOSTNAME=mine TERM=xterm X=1");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_image_defaults_fill_empty_request),
                cmocka_unit_test(test_request_cmd_keeps_image_entrypoint),
                cmocka_unit_test(test_request_entrypoint_drops_image_cmd),
                cmocka_unit_test(test_empty_entrypoint_resets),
                cmocka_unit_test(test_entrypoint_reset_without_cmd_is_no_command),
                cmocka_unit_test(test_no_command_at_all),
                cmocka_unit_test(test_env_request_first_then_image_keys_not_set),
                cmocka_unit_test(test_labels_and_ports_union_request_wins),
                cmocka_unit_test(test_string_cmd_accepted_and_bad_types_refused),
                cmocka_unit_test(test_request_user_hostname_win),
                cmocka_unit_test(test_process_env_defaults_and_override),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
