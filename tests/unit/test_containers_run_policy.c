/* tests/unit/test_containers_run_policy.c: the pure parts of supervisor/containers/run.h:
 * signal names, wait conditions, restart decisions and dockerd's backoff. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/error.h"

#include "supervisor/containers/run.h"

static void
test_signals(void **state)
{
        (void) state;
        assert_int_equal(container_signal_parse("KILL"), SIGKILL);
        assert_int_equal(container_signal_parse("SIGTERM"), SIGTERM);
        assert_int_equal(container_signal_parse("sigusr1"), SIGUSR1);
        assert_int_equal(container_signal_parse("9"), 9);
        assert_int_equal(container_signal_parse("RTMIN+1"), SIGRTMIN + 1);
        assert_int_equal(container_signal_parse("FOO"), -1);
        assert_int_equal(container_signal_parse("0"), -1);
        assert_int_equal(container_signal_parse(""), -1);
}

static void
test_wait_conditions(void **state)
{
        (void) state;
        assert_int_equal(container_wait_condition_parse(NULL), CONTAINER_WAIT_NOT_RUNNING);
        assert_int_equal(container_wait_condition_parse(""), CONTAINER_WAIT_NOT_RUNNING);
        assert_int_equal(container_wait_condition_parse("not-running"), CONTAINER_WAIT_NOT_RUNNING);
        assert_int_equal(container_wait_condition_parse("next-exit"), CONTAINER_WAIT_NEXT_EXIT);
        assert_int_equal(container_wait_condition_parse("removed"), CONTAINER_WAIT_REMOVED);
        assert_int_equal(container_wait_condition_parse("x"), -1);
}

static void
test_restart(void **state)
{
        (void) state;
        assert_false(container_restart_wanted("no", 0, 0, 1, false));
        assert_false(container_restart_wanted(NULL, 0, 0, 1, false));
        assert_true(container_restart_wanted("always", 0, 5, 0, false));
        assert_false(container_restart_wanted("always", 0, 5, 0, true));
        assert_true(container_restart_wanted("unless-stopped", 0, 0, 0, false));
        assert_false(container_restart_wanted("unless-stopped", 0, 0, 0, true));
        assert_true(container_restart_wanted("on-failure", 0, 100, 1, false));
        assert_false(container_restart_wanted("on-failure", 0, 0, 0, false));
        assert_true(container_restart_wanted("on-failure", 2, 1, 1, false));
        assert_false(container_restart_wanted("on-failure", 2, 2, 1, false));
        assert_int_equal(container_restart_delay(0, 0), 100);
        assert_int_equal(container_restart_delay(100, 50), 200);
        assert_int_equal(container_restart_delay(200, 9999), 400);
        assert_int_equal(container_restart_delay(400, 10000), 100);
        assert_int_equal(container_restart_delay(51200, 10), 60000);
        assert_int_equal(container_restart_delay(60000, 10), 60000);
}

static void
test_exec_user_names(void **state)
{
        (void) state;
        static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\n"
                                     "www:x:33:44:www:/var/www:/bin/false\n";
        static const char group[] = "root:x:0:\nweb:x:44:\nadm:x:4:www,other\nstaff:x:50:www\n";
        char *group_add[] = {(char *) "7", NULL};
        struct json_object *proc = json_tokener_parse(
                "{\"args\":[\"sleep\"],\"user\":{\"uid\":0,\"gid\":0,\"additionalGids\":[9]}}");
        struct json_object *cfg, *out = NULL;
        berth_error_t *err = NULL;

        /* a name: its uid, primary gid and memberships, then the container's GroupAdd */
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"],\"User\":\"www\"}");
        assert_int_equal(
                container_exec_process_build(proc, cfg, passwd, group, group_add, &out, &err), 0);
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(out, "user"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"uid\":33,\"gid\":44,\"additionalGids\":[4,50,7]}");
        json_object_put(out), out = NULL;
        json_object_put(cfg);
        /* NAME:GROUP: the group given, no memberships; the container's own extra gids go */
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"],\"User\":\"www:staff\"}");
        assert_int_equal(container_exec_process_build(proc, cfg, passwd, group, NULL, &out, &err),
                         0);
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(out, "user"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"uid\":33,\"gid\":50}");
        json_object_put(out), out = NULL;
        json_object_put(cfg);
        /* a uid with an entry takes its gid; UID:GID as given */
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"],\"User\":\"33\"}");
        assert_int_equal(container_exec_process_build(proc, cfg, passwd, group, NULL, &out, &err),
                         0);
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(out, "user"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"uid\":33,\"gid\":44,\"additionalGids\":[4,50]}");
        json_object_put(out), out = NULL;
        json_object_put(cfg);
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"],\"User\":\"1234:5678\"}");
        assert_int_equal(container_exec_process_build(proc, cfg, passwd, group, NULL, &out, &err),
                         0);
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(out, "user"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"uid\":1234,\"gid\":5678}");
        json_object_put(out), out = NULL;
        json_object_put(cfg);
        /* unknown names: docker's texts */
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"],\"User\":\"nosuch\"}");
        assert_int_equal(container_exec_process_build(proc, cfg, passwd, group, NULL, &out, &err),
                         -EINVAL);
        assert_string_equal(err->msg,
                            "unable to find user nosuch: no matching entries in passwd file");
        berth_error_free(err), err = NULL;
        json_object_put(cfg);
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"],\"User\":\"www:nogroup\"}");
        assert_int_equal(container_exec_process_build(proc, cfg, passwd, group, NULL, &out, &err),
                         -EINVAL);
        assert_string_equal(err->msg,
                            "unable to find group nogroup: no matching entries in group file");
        berth_error_free(err), err = NULL;
        json_object_put(cfg);
        /* no User: the container's process user stays */
        cfg = json_tokener_parse("{\"Cmd\":[\"id\"]}");
        assert_int_equal(container_exec_process_build(proc, cfg, passwd, group, NULL, &out, &err),
                         0);
        assert_string_equal(json_object_to_json_string_ext(json_object_object_get(out, "user"),
                                                           JSON_C_TO_STRING_PLAIN),
                            "{\"uid\":0,\"gid\":0,\"additionalGids\":[9]}");
        json_object_put(out);
        json_object_put(cfg);
        json_object_put(proc);
}

static void
test_exec_process(void **state)
{
        (void) state;
        struct json_object *proc = json_tokener_parse(
                "{\"args\":[\"sleep\"],\"env\":[\"PATH=/bin\",\"A=1\"],\"cwd\":\"/\","
                "\"user\":{\"uid\":0,\"gid\":0},\"capabilities\":{\"bounding\":[\"CAP_A\",\"CAP_B\"],"
                "\"effective\":[\"CAP_A\"],\"permitted\":[\"CAP_A\"]}}");
        struct json_object *cfg = json_tokener_parse(
                "{\"Cmd\":[\"sh\",\"-c\",\"x\"],\"Env\":[\"A=2\",\"B=3\"],\"WorkingDir\":\"/tmp\","
                "\"Tty\":true,\"User\":\"1000:100\",\"Privileged\":true}");
        struct json_object *out = NULL;
        berth_error_t *err = NULL;

        assert_int_equal(container_exec_process_build(proc, cfg, NULL, NULL, NULL, &out, &err), 0);
        assert_string_equal(json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN),
                            "{\"args\":[\"sh\",\"-c\",\"x\"],\"env\":[\"PATH=\\/bin\",\"A=2\",\"B=3\"],"
                            "\"cwd\":\"\\/tmp\",\"user\":{\"uid\":1000,\"gid\":100},"
                            "\"capabilities\":{\"bounding\":[\"CAP_A\",\"CAP_B\"],\"effective\":[\"CAP_A\",\"CAP_B\"],"
                            "\"permitted\":[\"CAP_A\",\"CAP_B\"]},\"terminal\":true}");
        json_object_put(out);
        json_object_put(cfg);
        /* a name missing from the passwd file is docker's text; no command is docker's 400 */
        cfg = json_tokener_parse("{\"Cmd\":[\"true\"],\"User\":\"nobody\"}");
        assert_int_equal(container_exec_process_build(proc, cfg, NULL, NULL, NULL, &out, &err),
                         -EINVAL);
        assert_string_equal(err->msg,
                            "unable to find user nobody: no matching entries in passwd file");
        berth_error_free(err), err = NULL;
        json_object_put(cfg);
        cfg = json_tokener_parse("{\"Cmd\":[]}");
        assert_int_equal(container_exec_process_build(proc, cfg, NULL, NULL, NULL, &out, &err),
                         -EINVAL);
        assert_string_equal(err->msg, "No exec command specified");
        berth_error_free(err);
        json_object_put(cfg);
        json_object_put(proc);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_signals),         cmocka_unit_test(test_wait_conditions),
                cmocka_unit_test(test_restart),         cmocka_unit_test(test_exec_process),
                cmocka_unit_test(test_exec_user_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
