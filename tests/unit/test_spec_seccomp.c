/* tests/unit/test_spec_seccomp.c: linux.seccomp parsing (runtime/spec/seccomp.h): a full profile
 * with every field, then one bad value at a time, each with its exact JSON path and message. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/spec/seccomp.h"
#include "runtime/spec/spec.h"

/* JSON written with ' for " so the documents below stay readable. */
static struct json_object *
doc(const char *squoted)
{
        cleanup_free char *text = xstrdup(squoted);
        cleanup_error berth_error_t *err = NULL;
        struct json_object *o = NULL;

        for (char *p = text; *p; p++) {
                if (*p == '\'')
                        *p = '"';
        }
        assert_int_equal(json_parse_buffer(text, strlen(text), &o, &err), 0);
        assert_null(err);
        return o;
}

/* The location the loader passes in: linux.seccomp. */
#define AT JPATH_KEY(JPATH_KEY(NULL, "linux"), "seccomp")

static const char full_profile[] =
        "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38,"
        " 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'],"
        " 'flags': ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG',"
        "   'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],"
        " 'listenerPath': '/run/listener.sock', 'listenerMetadata': 'meta=1',"
        " 'someFutureField': [1, 2],"
        " 'syscalls': ["
        "   {'names': ['read', 'write', 'exit_group'], 'action': 'SCMP_ACT_ALLOW'},"
        "   {'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1},"
        "   {'names': ['mkdirat'], 'action': 'SCMP_ACT_ERRNO'},"
        "   {'names': ['ptrace'], 'action': 'SCMP_ACT_TRACE', 'errnoRet': 4094},"
        "   {'names': ['personality'], 'action': 'SCMP_ACT_ALLOW',"
        "    'args': [{'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'},"
        "      {'index': 1, 'value': 8, 'op': 'SCMP_CMP_NE'},"
        "      {'index': 2, 'value': 9, 'op': 'SCMP_CMP_LT'},"
        "      {'index': 3, 'value': 10, 'op': 'SCMP_CMP_LE'},"
        "      {'index': 4, 'value': 11, 'op': 'SCMP_CMP_GE'},"
        "      {'index': 5, 'value': 18446744073709551615, 'op': 'SCMP_CMP_GT'}]},"
        "   {'names': ['clone'], 'action': 'SCMP_ACT_ALLOW',"
        "    'args': [{'index': 0, 'value': 2114060288, 'valueTwo': 0, 'op': 'SCMP_CMP_MASKED_EQ'}]},"
        "   {'names': ['kexec_load'], 'action': 'SCMP_ACT_KILL'},"
        "   {'names': ['reboot'], 'action': 'SCMP_ACT_KILL_PROCESS'},"
        "   {'names': ['swapon'], 'action': 'SCMP_ACT_KILL_THREAD'},"
        "   {'names': ['swapoff'], 'action': 'SCMP_ACT_TRAP'},"
        "   {'names': ['acct'], 'action': 'SCMP_ACT_LOG', 'comment': 'ignored'},"
        "   {'names': ['mount'], 'action': 'SCMP_ACT_NOTIFY'}]}";

static void
test_full_profile(void **state)
{
        cleanup_json struct json_object *d = doc(full_profile);
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;
        const struct spec_seccomp_rule *r;
        (void) state;

        assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), 0);
        assert_null(err);
        assert_true(s.present);
        assert_int_equal(s.default_action, SECCOMP_ACTION_ERRNO);
        assert_true(s.has_default_errno);
        assert_int_equal(s.default_errno, 38);
        assert_int_equal(strv_length(s.architectures), 3);
        assert_string_equal(s.architectures[0], "SCMP_ARCH_X86_64");
        assert_string_equal(s.architectures[1], "SCMP_ARCH_X86");
        assert_string_equal(s.architectures[2], "SCMP_ARCH_X32");
        assert_int_equal(s.flags, SECCOMP_SPEC_FLAG_TSYNC | SECCOMP_SPEC_FLAG_LOG
                                          | SECCOMP_SPEC_FLAG_SPEC_ALLOW);
        assert_string_equal(s.listener_path, "/run/listener.sock");
        assert_string_equal(s.listener_metadata, "meta=1");
        assert_true(spec_seccomp_uses_notify(&s));
        assert_int_equal(s.n_rules, 12);

        r = &s.rules[0];
        assert_int_equal(strv_length(r->names), 3);
        assert_string_equal(r->names[0], "read");
        assert_string_equal(r->names[2], "exit_group");
        assert_int_equal(r->action, SECCOMP_ACTION_ALLOW);
        assert_false(r->has_errno);
        assert_int_equal(r->n_args, 0);

        r = &s.rules[1];
        assert_string_equal(r->names[0], "mkdir");
        assert_int_equal(r->action, SECCOMP_ACTION_ERRNO);
        assert_true(r->has_errno);
        assert_int_equal(r->errno_ret, 1);

        /* No errnoRet: none recorded; the builder picks EPERM. */
        r = &s.rules[2];
        assert_int_equal(r->action, SECCOMP_ACTION_ERRNO);
        assert_false(r->has_errno);

        r = &s.rules[3];
        assert_int_equal(r->action, SECCOMP_ACTION_TRACE);
        assert_true(r->has_errno);
        assert_int_equal(r->errno_ret, 4094);

        r = &s.rules[4];
        assert_int_equal(r->n_args, 6);
        for (unsigned i = 0; i < 6; i++)
                assert_int_equal(r->args[i].index, i);
        assert_int_equal(r->args[0].op, SECCOMP_OP_EQ);
        assert_true(r->args[0].value == 0);
        assert_int_equal(r->args[1].op, SECCOMP_OP_NE);
        assert_true(r->args[1].value == 8);
        assert_int_equal(r->args[2].op, SECCOMP_OP_LT);
        assert_int_equal(r->args[3].op, SECCOMP_OP_LE);
        assert_int_equal(r->args[4].op, SECCOMP_OP_GE);
        assert_int_equal(r->args[5].op, SECCOMP_OP_GT);
        assert_true(r->args[5].value == UINT64_MAX);
        assert_true(r->args[5].value_two == 0);

        r = &s.rules[5];
        assert_int_equal(r->n_args, 1);
        assert_int_equal(r->args[0].op, SECCOMP_OP_MASKED_EQ);
        assert_true(r->args[0].value == 2114060288u);
        assert_true(r->args[0].value_two == 0);

        assert_int_equal(s.rules[6].action, SECCOMP_ACTION_KILL);
        assert_int_equal(s.rules[7].action, SECCOMP_ACTION_KILL_PROCESS);
        assert_int_equal(s.rules[8].action, SECCOMP_ACTION_KILL_THREAD);
        assert_int_equal(s.rules[9].action, SECCOMP_ACTION_TRAP);
        assert_int_equal(s.rules[10].action, SECCOMP_ACTION_LOG);
        assert_int_equal(s.rules[11].action, SECCOMP_ACTION_NOTIFY);

        spec_seccomp_done(&s);
        assert_false(s.present);
        assert_null(s.rules);
        assert_int_equal(s.n_rules, 0);
        assert_null(s.architectures);
        assert_null(s.listener_path);
}

static void
test_minimal_profile(void **state)
{
        cleanup_json struct json_object *d = doc("{'defaultAction': 'SCMP_ACT_ALLOW'}");
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;
        (void) state;

        assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), 0);
        assert_null(err);
        assert_true(s.present);
        assert_int_equal(s.default_action, SECCOMP_ACTION_ALLOW);
        assert_false(s.has_default_errno);
        assert_null(s.architectures);
        assert_int_equal(s.flags, 0);
        assert_null(s.listener_path);
        assert_null(s.listener_metadata);
        assert_int_equal(s.n_rules, 0);
        assert_false(spec_seccomp_uses_notify(&s));
        spec_seccomp_done(&s);
}

/* Empty strings for listenerPath and listenerMetadata count as unset (runc). */
static void
test_empty_listener_strings(void **state)
{
        cleanup_json struct json_object *d = doc(
                "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '', 'listenerMetadata': '',"
                " 'syscalls': [], 'flags': [], 'architectures': []}");
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;
        (void) state;

        assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), 0);
        assert_null(err);
        assert_null(s.listener_path);
        assert_null(s.listener_metadata);
        assert_int_equal(s.n_rules, 0);
        assert_int_equal(strv_length(s.architectures), 0);
        spec_seccomp_done(&s);
}

/* Every action name maps to its own enum value, as a default and in a rule. */
static void
test_every_action_name(void **state)
{
        static const struct {
                const char *name;
                enum seccomp_action action;
        } table[] = {
                {"SCMP_ACT_KILL", SECCOMP_ACTION_KILL},
                {"SCMP_ACT_KILL_PROCESS", SECCOMP_ACTION_KILL_PROCESS},
                {"SCMP_ACT_KILL_THREAD", SECCOMP_ACTION_KILL_THREAD},
                {"SCMP_ACT_TRAP", SECCOMP_ACTION_TRAP},
                {"SCMP_ACT_ERRNO", SECCOMP_ACTION_ERRNO},
                {"SCMP_ACT_TRACE", SECCOMP_ACTION_TRACE},
                {"SCMP_ACT_ALLOW", SECCOMP_ACTION_ALLOW},
                {"SCMP_ACT_LOG", SECCOMP_ACTION_LOG},
                {"SCMP_ACT_NOTIFY", SECCOMP_ACTION_NOTIFY},
        };
        (void) state;

        for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
                cleanup_free char *text =
                        xasprintf("{'defaultAction': '%s', 'listenerPath': '/l',"
                                  " 'syscalls': [{'names': ['getpid'], 'action': '%s'}]}",
                                  table[i].name, table[i].name);
                cleanup_json struct json_object *d = doc(text);
                cleanup_error berth_error_t *err = NULL;
                struct spec_seccomp s;

                assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), 0);
                assert_null(err);
                assert_int_equal(s.default_action, table[i].action);
                assert_int_equal(s.rules[0].action, table[i].action);
                assert_string_equal(spec_seccomp_action_names[table[i].action], table[i].name);
                assert_int_equal(spec_seccomp_uses_notify(&s),
                                 table[i].action == SECCOMP_ACTION_NOTIFY);
                spec_seccomp_done(&s);
        }
        assert_null(spec_seccomp_action_names[9]);
        assert_string_equal(spec_seccomp_op_names[SECCOMP_OP_MASKED_EQ], "SCMP_CMP_MASKED_EQ");
        assert_string_equal(spec_seccomp_flag_names[2], "SECCOMP_FILTER_FLAG_SPEC_ALLOW");
        assert_string_equal(spec_seccomp_arch_names[1], "SCMP_ARCH_X86_64");
}

/* Through the whole loader: linux.seccomp reaches struct spec, and its errors carry the path. */
static void
test_through_spec_parse_json(void **state)
{
        cleanup_json struct json_object *d =
                doc("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'},"
                    " 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ERRNO',"
                    "   'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ALLOW'}]}}}");
        cleanup_json struct json_object *bad =
                doc("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'},"
                    " 'linux': {'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW',"
                    "   'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_BLOCK'}]}}}");
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_null(err);
        assert_true(spec.linux.seccomp.present);
        assert_int_equal(spec.linux.seccomp.default_action, SECCOMP_ACTION_ERRNO);
        assert_int_equal(spec.linux.seccomp.n_rules, 1);
        assert_string_equal(spec.linux.seccomp.rules[0].names[0], "mkdir");
        spec_done(&spec);

        assert_int_equal(spec_parse_json(bad, &spec, &err), -EINVAL);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->json_path, "linux.seccomp.syscalls[0].action");
        assert_string_equal(err->msg,
                            "linux.seccomp.syscalls[0].action: unknown action \"SCMP_ACT_BLOCK\"");
        spec_done(&spec);
}

/* Without a seccomp member nothing is present. */
static void
test_absent_is_not_present(void **state)
{
        cleanup_json struct json_object *d =
                doc("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}, 'linux': {}}");
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_null(err);
        assert_false(spec.linux.seccomp.present);
        assert_false(spec_seccomp_uses_notify(&spec.linux.seccomp));
        spec_done(&spec);
}

/* Parse SQUOTED as linux.seccomp; it must fail with EINVAL at PATH with the whole message MSG. */
static void
expect_invalid(const char *squoted, const char *path, const char *msg)
{
        cleanup_json struct json_object *d = doc(squoted);
        cleanup_error berth_error_t *err = NULL;
        struct spec_seccomp s;

        assert_int_equal(spec_parse_seccomp(d, AT, &s, &err), -EINVAL);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        assert_non_null(err->json_path);
        assert_string_equal(err->json_path, path);
        assert_string_equal(err->msg, msg);
        spec_seccomp_done(&s);
        assert_null(s.rules);
}

#define INVALID(name, squoted, path, msg)             \
        static void test_invalid_##name(void **state) \
        {                                             \
                (void) state;                         \
                expect_invalid(squoted, path, msg);   \
        }

#define ALLOW "'defaultAction': 'SCMP_ACT_ALLOW'"
/* One rule whose members follow. */
#define RULE "{" ALLOW ", 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_ERRNO'"
/* One rule with one argument condition whose members follow. */
#define ARG RULE ", 'args': [{'index': 0, 'value': 1, 'op': 'SCMP_CMP_EQ'}, {"

INVALID(default_action_missing, "{'syscalls': []}", "linux.seccomp.defaultAction",
        "linux.seccomp.defaultAction: required")
INVALID(default_action_unknown, "{'defaultAction': 'SCMP_ACT_DENY'}", "linux.seccomp.defaultAction",
        "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_DENY\"")
INVALID(default_action_lowercase, "{'defaultAction': 'scmp_act_allow'}",
        "linux.seccomp.defaultAction",
        "linux.seccomp.defaultAction: unknown action \"scmp_act_allow\"")
INVALID(default_action_number, "{'defaultAction': 0}", "linux.seccomp.defaultAction",
        "linux.seccomp.defaultAction: expected string, got number")
INVALID(default_errno_with_allow, "{" ALLOW ", 'defaultErrnoRet': 1}",
        "linux.seccomp.defaultErrnoRet",
        "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
INVALID(default_errno_with_kill, "{'defaultAction': 'SCMP_ACT_KILL', 'defaultErrnoRet': 1}",
        "linux.seccomp.defaultErrnoRet",
        "linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
INVALID(default_errno_too_big, "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 4096}",
        "linux.seccomp.defaultErrnoRet",
        "linux.seccomp.defaultErrnoRet: 4096 out of range [0, 4094]")
INVALID(default_errno_negative, "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': -1}",
        "linux.seccomp.defaultErrnoRet", "linux.seccomp.defaultErrnoRet: -1 out of range [0, 4094]")
INVALID(default_errno_string, "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 'EPERM'}",
        "linux.seccomp.defaultErrnoRet",
        "linux.seccomp.defaultErrnoRet: expected integer, got string")
INVALID(arch_unknown, "{" ALLOW ", 'architectures': ['SCMP_ARCH_X86_64', 'SCMP_ARCH_Z80']}",
        "linux.seccomp.architectures[1]",
        "linux.seccomp.architectures[1]: unknown architecture \"SCMP_ARCH_Z80\"")
INVALID(arch_go_name, "{" ALLOW ", 'architectures': ['amd64']}", "linux.seccomp.architectures[0]",
        "linux.seccomp.architectures[0]: unknown architecture \"amd64\"")
INVALID(arch_not_string, "{" ALLOW ", 'architectures': [64]}", "linux.seccomp.architectures[0]",
        "linux.seccomp.architectures[0]: expected string, got number")
INVALID(arch_not_array, "{" ALLOW ", 'architectures': 'SCMP_ARCH_X86_64'}",
        "linux.seccomp.architectures", "linux.seccomp.architectures: expected array, got string")
INVALID(flag_unknown,
        "{" ALLOW
        ", 'flags': ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']}",
        "linux.seccomp.flags[1]",
        "linux.seccomp.flags[1]: unknown flag \"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV\"")
INVALID(flag_not_string, "{" ALLOW ", 'flags': [1]}", "linux.seccomp.flags[0]",
        "linux.seccomp.flags[0]: expected string, got number")
INVALID(flags_not_array, "{" ALLOW ", 'flags': 'SECCOMP_FILTER_FLAG_LOG'}", "linux.seccomp.flags",
        "linux.seccomp.flags: expected array, got string")
INVALID(listener_metadata_object, "{" ALLOW ", 'listenerMetadata': {}}",
        "linux.seccomp.listenerMetadata",
        "linux.seccomp.listenerMetadata: expected string, got object")
INVALID(names_not_array,
        "{" ALLOW ", 'syscalls': [{'names': 'mkdir', 'action': 'SCMP_ACT_ERRNO'}]}",
        "linux.seccomp.syscalls[0].names",
        "linux.seccomp.syscalls[0].names: expected array, got string")
INVALID(listener_path_number, "{" ALLOW ", 'listenerPath': 1}", "linux.seccomp.listenerPath",
        "linux.seccomp.listenerPath: expected string, got number")
INVALID(syscalls_not_array, "{" ALLOW ", 'syscalls': {'names': ['mkdir']}}",
        "linux.seccomp.syscalls", "linux.seccomp.syscalls: expected array, got object")
INVALID(syscall_not_object,
        "{" ALLOW ", 'syscalls': [{'names': ['a'], 'action': 'SCMP_ACT_LOG'}, 'mkdir']}",
        "linux.seccomp.syscalls[1]", "linux.seccomp.syscalls[1]: expected object, got string")
INVALID(names_missing, "{" ALLOW ", 'syscalls': [{'action': 'SCMP_ACT_ERRNO'}]}",
        "linux.seccomp.syscalls[0].names",
        "linux.seccomp.syscalls[0].names: must name at least one syscall")
INVALID(names_empty, "{" ALLOW ", 'syscalls': [{'names': [], 'action': 'SCMP_ACT_ERRNO'}]}",
        "linux.seccomp.syscalls[0].names",
        "linux.seccomp.syscalls[0].names: must name at least one syscall")
INVALID(names_not_string,
        "{" ALLOW ", 'syscalls': [{'names': ['mkdir', 83], 'action': 'SCMP_ACT_ERRNO'}]}",
        "linux.seccomp.syscalls[0].names[1]",
        "linux.seccomp.syscalls[0].names[1]: expected string, got number")
INVALID(action_missing, "{" ALLOW ", 'syscalls': [{'names': ['mkdir']}]}",
        "linux.seccomp.syscalls[0].action", "linux.seccomp.syscalls[0].action: required")
INVALID(action_unknown,
        "{" ALLOW ", 'syscalls': [{'names': ['getpid'], 'action': 'SCMP_ACT_LOG'},"
        " {'names': ['mkdir'], 'action': 'SCMP_ACT_BLOCK'}]}",
        "linux.seccomp.syscalls[1].action",
        "linux.seccomp.syscalls[1].action: unknown action \"SCMP_ACT_BLOCK\"")
INVALID(errno_with_allow,
        "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['mkdir'],"
        " 'action': 'SCMP_ACT_ALLOW', 'errnoRet': 1}]}",
        "linux.seccomp.syscalls[0].errnoRet",
        "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
INVALID(errno_with_kill_process,
        "{" ALLOW
        ", 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_KILL_PROCESS', 'errnoRet': 38}]}",
        "linux.seccomp.syscalls[0].errnoRet",
        "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
INVALID(errno_with_notify,
        "{" ALLOW ", 'listenerPath': '/l', 'syscalls': [{'names': ['mkdir'],"
        " 'action': 'SCMP_ACT_NOTIFY', 'errnoRet': 1}]}",
        "linux.seccomp.syscalls[0].errnoRet",
        "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE")
INVALID(errno_too_big, RULE ", 'errnoRet': 100000}]}", "linux.seccomp.syscalls[0].errnoRet",
        "linux.seccomp.syscalls[0].errnoRet: 100000 out of range [0, 4094]")
INVALID(errno_fraction, RULE ", 'errnoRet': 1.5}]}", "linux.seccomp.syscalls[0].errnoRet",
        "linux.seccomp.syscalls[0].errnoRet: expected integer, got number with a fraction or exponent")
INVALID(args_not_array, RULE ", 'args': {'index': 0}}]}", "linux.seccomp.syscalls[0].args",
        "linux.seccomp.syscalls[0].args: expected array, got object")
INVALID(arg_not_object, RULE ", 'args': [0]}]}", "linux.seccomp.syscalls[0].args[0]",
        "linux.seccomp.syscalls[0].args[0]: expected object, got number")
INVALID(arg_index_missing, ARG "'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}",
        "linux.seccomp.syscalls[0].args[1].index",
        "linux.seccomp.syscalls[0].args[1].index: required")
INVALID(arg_index_6, ARG "'index': 6, 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}",
        "linux.seccomp.syscalls[0].args[1].index",
        "linux.seccomp.syscalls[0].args[1].index: 6 out of range [0, 5]")
INVALID(arg_value_missing, ARG "'index': 1, 'op': 'SCMP_CMP_EQ'}]}]}",
        "linux.seccomp.syscalls[0].args[1].value",
        "linux.seccomp.syscalls[0].args[1].value: required")
INVALID(arg_value_negative, ARG "'index': 1, 'value': -1, 'op': 'SCMP_CMP_EQ'}]}]}",
        "linux.seccomp.syscalls[0].args[1].value",
        "linux.seccomp.syscalls[0].args[1].value: -1 must not be negative")
INVALID(arg_value_two_string,
        ARG "'index': 1, 'value': 1, 'valueTwo': '1', 'op': 'SCMP_CMP_EQ'}]}]}",
        "linux.seccomp.syscalls[0].args[1].valueTwo",
        "linux.seccomp.syscalls[0].args[1].valueTwo: expected integer, got string")
INVALID(arg_op_missing, ARG "'index': 1, 'value': 1}]}]}", "linux.seccomp.syscalls[0].args[1].op",
        "linux.seccomp.syscalls[0].args[1].op: required")
INVALID(arg_op_unknown, ARG "'index': 1, 'value': 1, 'op': 'SCMP_CMP_MASKED_NE'}]}]}",
        "linux.seccomp.syscalls[0].args[1].op",
        "linux.seccomp.syscalls[0].args[1].op: unknown operator \"SCMP_CMP_MASKED_NE\"")
INVALID(arg_op_symbol, ARG "'index': 1, 'value': 1, 'op': '=='}]}]}",
        "linux.seccomp.syscalls[0].args[1].op",
        "linux.seccomp.syscalls[0].args[1].op: unknown operator \"==\"")
INVALID(notify_rule_without_listener,
        "{" ALLOW ", 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}",
        "linux.seccomp.listenerPath",
        "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY")
INVALID(notify_default_without_listener, "{'defaultAction': 'SCMP_ACT_NOTIFY'}",
        "linux.seccomp.listenerPath",
        "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY")
INVALID(notify_with_empty_listener,
        "{" ALLOW
        ", 'listenerPath': '', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}",
        "linux.seccomp.listenerPath",
        "linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY")

#define INVALID_TEST(name) cmocka_unit_test(test_invalid_##name)

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_profile),
                cmocka_unit_test(test_minimal_profile),
                cmocka_unit_test(test_empty_listener_strings),
                cmocka_unit_test(test_every_action_name),
                cmocka_unit_test(test_through_spec_parse_json),
                cmocka_unit_test(test_absent_is_not_present),
                INVALID_TEST(default_action_missing),
                INVALID_TEST(default_action_unknown),
                INVALID_TEST(default_action_lowercase),
                INVALID_TEST(default_action_number),
                INVALID_TEST(default_errno_with_allow),
                INVALID_TEST(default_errno_with_kill),
                INVALID_TEST(default_errno_too_big),
                INVALID_TEST(default_errno_negative),
                INVALID_TEST(default_errno_string),
                INVALID_TEST(arch_unknown),
                INVALID_TEST(arch_go_name),
                INVALID_TEST(arch_not_string),
                INVALID_TEST(arch_not_array),
                INVALID_TEST(flag_unknown),
                INVALID_TEST(flag_not_string),
                INVALID_TEST(flags_not_array),
                INVALID_TEST(listener_metadata_object),
                INVALID_TEST(names_not_array),
                INVALID_TEST(listener_path_number),
                INVALID_TEST(syscalls_not_array),
                INVALID_TEST(syscall_not_object),
                INVALID_TEST(names_missing),
                INVALID_TEST(names_empty),
                INVALID_TEST(names_not_string),
                INVALID_TEST(action_missing),
                INVALID_TEST(action_unknown),
                INVALID_TEST(errno_with_allow),
                INVALID_TEST(errno_with_kill_process),
                INVALID_TEST(errno_with_notify),
                INVALID_TEST(errno_too_big),
                INVALID_TEST(errno_fraction),
                INVALID_TEST(args_not_array),
                INVALID_TEST(arg_not_object),
                INVALID_TEST(arg_index_missing),
                INVALID_TEST(arg_index_6),
                INVALID_TEST(arg_value_missing),
                INVALID_TEST(arg_value_negative),
                INVALID_TEST(arg_value_two_string),
                INVALID_TEST(arg_op_missing),
                INVALID_TEST(arg_op_unknown),
                INVALID_TEST(arg_op_symbol),
                INVALID_TEST(notify_rule_without_listener),
                INVALID_TEST(notify_default_without_listener),
                INVALID_TEST(notify_with_empty_listener),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
