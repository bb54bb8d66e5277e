/* tests/unit/test_containers_seccomp.c: supervisor/containers/seccomp.h: docker's default profile
 * filtered by capabilities, arch and kernel; a custom profile's round trip to linux.seccomp; every
 * bad profile refused with its JSON path. */
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
#include "supervisor/containers/seccomp.h"
#include "supervisor/containers/spec.h"

static const struct container_seccomp_host amd64_61 = {
        .arch = "amd64", .kernel_major = 6, .kernel_minor = 1};

static const char *
plain(struct json_object *o)
{
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* The default profile for the docker default caps plus EXTRA (NULL-terminated, may be NULL). */
static struct json_object *
build_default(const char *const *extra, const struct container_seccomp_host *host)
{
        cleanup_json struct json_object *p = container_seccomp_default_profile();
        cleanup_strv char **caps = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *out = NULL;

        for (size_t i = 0; container_default_caps[i]; i++)
                strv_push(&caps, container_default_caps[i]);
        for (size_t i = 0; extra && extra[i]; i++)
                strv_push(&caps, extra[i]);
        assert_int_equal(container_seccomp_build(p, (const char *const *) caps, host, &out, &err),
                         0);
        assert_non_null(out);
        return out;
}

/* Whether NAME is in a rule with ACTION and no args. */
static bool
allowed(struct json_object *sc, const char *name)
{
        struct json_object *calls = json_object_object_get(sc, "syscalls");
        for (size_t i = 0; i < json_object_array_length(calls); i++) {
                struct json_object *r = json_object_array_get_idx(calls, i);
                struct json_object *names = json_object_object_get(r, "names");
                if (strcmp(json_object_get_string(json_object_object_get(r, "action")),
                           "SCMP_ACT_ALLOW")
                            != 0
                    || json_object_object_get(r, "args"))
                        continue;
                for (size_t j = 0; j < json_object_array_length(names); j++)
                        if (strcmp(json_object_get_string(json_object_array_get_idx(names, j)),
                                   name)
                            == 0)
                                return true;
        }
        return false;
}

/* The rules naming exactly [NAME], as JSON text joined by spaces ("" for none). */
static char *
rules_for(struct json_object *sc, const char *name)
{
        struct json_object *calls = json_object_object_get(sc, "syscalls");
        char *out = xstrdup("");
        for (size_t i = 0; i < json_object_array_length(calls); i++) {
                struct json_object *r = json_object_array_get_idx(calls, i);
                struct json_object *names = json_object_object_get(r, "names");
                char *n;
                if (json_object_array_length(names) != 1
                    || strcmp(json_object_get_string(json_object_array_get_idx(names, 0)), name)
                               != 0)
                        continue;
                n = xasprintf("%s%s%s", out, out[0] ? " " : "", plain(r));
                free(out);
                out = n;
        }
        return out;
}

static void
test_default_with_default_caps(void **state)
{
        cleanup_json struct json_object *sc = build_default(NULL, &amd64_61);
        cleanup_free char *clone = rules_for(sc, "clone");
        cleanup_free char *clone3 = rules_for(sc, "clone3");
        cleanup_free char *pers = rules_for(sc, "personality");
        (void) state;

        assert_string_equal(plain(json_object_object_get(sc, "defaultAction")),
                            "\"SCMP_ACT_ERRNO\"");
        assert_string_equal(plain(json_object_object_get(sc, "defaultErrnoRet")), "1");
        assert_string_equal(plain(json_object_object_get(sc, "architectures")),
                            "[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]");
        assert_true(allowed(sc, "read"));
        assert_true(allowed(sc, "execve"));
        assert_true(allowed(sc, "socket")); /* dockerd 20.10 does not look at the family */
        assert_false(allowed(sc, "name_to_handle_at"));
        assert_false(allowed(sc, "pkey_alloc"));       /* not in 20.10's list */
        assert_false(allowed(sc, "process_vm_readv")); /* CAP_SYS_PTRACE only, in 20.10 */
        assert_true(allowed(sc, "arch_prctl"));        /* amd64 only */
        assert_true(allowed(sc, "chroot"));            /* CAP_SYS_CHROOT is a default cap */
        assert_true(allowed(sc, "ptrace"));            /* minKernel 4.8 */
        assert_false(allowed(sc, "mount"));            /* CAP_SYS_ADMIN */
        assert_false(allowed(sc, "unshare"));
        assert_false(allowed(sc, "setns"));
        assert_false(allowed(sc, "reboot"));        /* CAP_SYS_BOOT */
        assert_false(allowed(sc, "init_module"));   /* CAP_SYS_MODULE */
        assert_false(allowed(sc, "kcmp"));          /* CAP_SYS_PTRACE */
        assert_false(allowed(sc, "clock_settime")); /* CAP_SYS_TIME */
        assert_false(allowed(sc, "bpf"));
        assert_false(allowed(sc, "open_by_handle_at"));
        assert_false(allowed(sc, "s390_runtime_instr"));
        assert_false(allowed(sc, "set_tls"));
        assert_false(allowed(sc, "clone"));
        assert_string_equal(
                clone,
                "{\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":2114060288,\"op\":\"SCMP_CMP_MASKED_EQ\"}],\"names\":[\"clone\"]}");
        assert_string_equal(
                clone3, "{\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":38,\"names\":[\"clone3\"]}");
        assert_non_null(strstr(pers, "\"value\":4294967295"));
        assert_non_null(strstr(pers, "\"value\":131080"));
}

static void
test_default_with_sys_admin_and_others(void **state)
{
        static const char *const extra[] = {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_TIME",
                                            "CAP_BPF", NULL};
        cleanup_json struct json_object *sc = build_default(extra, &amd64_61);
        cleanup_free char *clone3 = rules_for(sc, "clone3");
        (void) state;

        assert_true(allowed(sc, "mount"));
        assert_true(allowed(sc, "name_to_handle_at"));
        assert_true(allowed(sc, "process_vm_readv"));
        assert_true(allowed(sc, "unshare"));
        assert_true(allowed(sc, "setns"));
        assert_true(allowed(sc, "clone"));
        assert_true(allowed(sc, "clone3"));
        assert_true(allowed(sc, "kcmp"));
        assert_true(allowed(sc, "clock_settime"));
        assert_true(allowed(sc, "bpf"));
        assert_false(allowed(sc, "reboot"));
        /* the conditional clone and clone3's ENOSYS are for containers without CAP_SYS_ADMIN */
        assert_string_equal(clone3, "");
        {
                cleanup_free char *clone = rules_for(sc, "clone");
                assert_null(strstr(clone, "MASKED_EQ"));
        }
}

static void
test_default_old_kernel_and_other_arches(void **state)
{
        static const struct container_seccomp_host k44 = {
                .arch = "amd64", .kernel_major = 4, .kernel_minor = 4};
        static const struct container_seccomp_host arm64 = {
                .arch = "arm64", .kernel_major = 5, .kernel_minor = 10};
        static const struct container_seccomp_host s390x = {.arch = "s390x", .kernel_major = 5};
        static const struct container_seccomp_host mystery = {.arch = "sparc64", .kernel_major = 5};
        static const char *const ptrace[] = {"CAP_SYS_PTRACE", NULL};
        (void) state;
        {
                cleanup_json struct json_object *sc = build_default(NULL, &k44);
                assert_false(allowed(sc, "ptrace"));
                assert_true(allowed(sc, "read"));
        }
        {
                cleanup_json struct json_object *sc = build_default(ptrace, &k44);
                assert_true(allowed(sc, "ptrace"));
        }
        {
                cleanup_json struct json_object *sc = build_default(NULL, &arm64);
                assert_string_equal(plain(json_object_object_get(sc, "architectures")),
                                    "[\"SCMP_ARCH_AARCH64\",\"SCMP_ARCH_ARM\"]");
                assert_true(allowed(sc, "set_tls"));
                assert_false(allowed(sc, "arch_prctl"));
        }
        {
                cleanup_json struct json_object *sc = build_default(NULL, &s390x);
                cleanup_free char *clone = rules_for(sc, "clone");
                assert_non_null(strstr(clone, "\"index\":1,"));
                assert_null(strstr(clone, "\"index\":0,"));
        }
        {
                /* no archMap entry: libseccomp's native arch alone */
                cleanup_json struct json_object *sc = build_default(NULL, &mystery);
                assert_null(json_object_object_get(sc, "architectures"));
        }
}

static bool
knows_no_futex_waitv_nor_iopl(const char *name)
{
        return strcmp(name, "futex_waitv") != 0 && strcmp(name, "iopl") != 0
               && strcmp(name, "ioperm") != 0;
}

static void
test_unknown_names_left_out(void **state)
{
        static const char *const rawio[] = {"CAP_SYS_RAWIO", NULL};
        struct container_seccomp_host h = amd64_61;
        size_t n_filtered, n_all;
        (void) state;
        h.syscall_known = knows_no_futex_waitv_nor_iopl;
        {
                cleanup_json struct json_object *sc = build_default(rawio, &h);
                assert_false(allowed(sc, "futex_waitv"));
                assert_true(allowed(sc, "futex"));
                assert_false(allowed(sc, "iopl"));
                assert_false(allowed(sc, "ioperm"));
                n_filtered = json_object_array_length(json_object_object_get(sc, "syscalls"));
        }
        h.syscall_known = NULL;
        {
                cleanup_json struct json_object *sc = build_default(rawio, &h);
                assert_true(allowed(sc, "futex_waitv"));
                assert_true(allowed(sc, "iopl"));
                n_all = json_object_array_length(json_object_object_get(sc, "syscalls"));
        }
        /* the rule that names nothing the runtime knows (iopl, ioperm) is dropped whole */
        assert_int_equal(n_all, n_filtered + 1);
}

static void
test_custom_round_trip(void **state)
{
        static const char *const caps[] = {"CAP_CHOWN", "CAP_NET_ADMIN", NULL};
        static const char *const profile =
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\","
                "\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],"
                "\"comment\":\"ignored\","
                "\"syscalls\":["
                "{\"name\":\"mkdir\",\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
                "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":9,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
                "{\"names\":[\"chown\"],\"action\":\"SCMP_ACT_KILL\",\"excludes\":{\"caps\":[\"CAP_CHOWN\"]}},"
                "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_LOG\",\"includes\":{\"caps\":[\"CAP_NET_ADMIN\",\"CAP_CHOWN\"],\"arches\":[\"amd64\"],\"minKernel\":\"5.10\"}},"
                "{\"names\":[\"sync\"],\"action\":\"SCMP_ACT_TRAP\",\"includes\":{\"minKernel\":\"6.2\"}},"
                "{\"names\":[\"fsync\"],\"action\":\"SCMP_ACT_TRAP\",\"excludes\":{\"minKernel\":\"6.1.0\"}},"
                "{\"names\":[\"umask\"],\"action\":\"SCMP_ACT_TRAP\",\"excludes\":{\"arches\":[\"amd64\"]}}"
                "]}";
        cleanup_json struct json_object *sc = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;

        assert_int_equal(container_seccomp_build_text(profile, caps, &amd64_61, &sc, &err), 0);
        assert_string_equal(
                plain(sc),
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"],\"syscalls\":["
                "{\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13,\"names\":[\"mkdir\"]},"
                "{\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":1,\"value\":9,\"valueTwo\":0,\"op\":\"SCMP_CMP_EQ\"}],\"names\":[\"kill\"]},"
                "{\"action\":\"SCMP_ACT_LOG\",\"names\":[\"ioctl\"]}]}");
}

static void
test_no_filter(void **state)
{
        cleanup_json struct json_object *sc = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(container_seccomp_build_text("{}", NULL, NULL, &sc, &err), 0);
        assert_null(sc);
        assert_int_equal(container_seccomp_build_text("{\"syscalls\":[]}", NULL, NULL, &sc, &err),
                         0);
        assert_null(sc);
}

static void
expect_error(const char *profile, const char *json_path, const char *msg)
{
        cleanup_json struct json_object *sc = NULL;
        cleanup_error berth_error_t *err = NULL;
        assert_int_equal(container_seccomp_build_text(profile, NULL, &amd64_61, &sc, &err),
                         -EINVAL);
        assert_null(sc);
        if (json_path)
                assert_string_equal(err->json_path, json_path);
        if (msg)
                assert_string_equal(err->msg, msg);
        else
                assert_true(strncmp(err->msg, "seccomp profile: ", 17) == 0);
}

#define RULES(...) "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[" __VA_ARGS__ "]}"
#define OK_RULE    "{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\"},"

static void
test_errors(void **state)
{
        (void) state;
        expect_error("[]", NULL, "seccomp profile: expected an object, got array");
        expect_error("{\"defaultAction\":", NULL, NULL);
        expect_error("{} x", NULL, NULL);
        expect_error("{\"defaultAction\":\"SCMP_ACT_NOPE\"}", "defaultAction",
                     "seccomp profile: defaultAction: unknown action \"SCMP_ACT_NOPE\"");
        expect_error("{\"defaultAction\":7}", "defaultAction", NULL);
        expect_error("{\"syscalls\":[" OK_RULE "{}]}", "defaultAction",
                     "seccomp profile: defaultAction: required");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
                     "defaultErrnoRet", NULL);
        expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":\"1\"}",
                     "defaultErrnoRet", NULL);
        expect_error(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_VAX\"]}",
                "architectures[1]",
                "seccomp profile: architectures[1]: unknown architecture \"SCMP_ARCH_VAX\"");
        expect_error(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"architectures\":[\"SCMP_ARCH_X86_64\"],"
                "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\"}]}",
                "",
                "seccomp profile: \"architectures\" and \"archMap\" are both given; use one of them");
        expect_error(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"subArchitectures\":[]}]}",
                "archMap[0].architecture", "seccomp profile: archMap[0].architecture: required");
        expect_error(
                "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\",\"arm\"]}]}",
                "archMap[0].subArchitectures[1]",
                "seccomp profile: archMap[0].subArchitectures[1]: unknown architecture \"arm\"");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":[3]}", "archMap[0]", NULL);
        expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"flags\":[\"SECCOMP_FILTER_FLAG_X\"]}",
                     "flags[0]",
                     "seccomp profile: flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_X\"");
        expect_error("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":{}}", "syscalls", NULL);
        /* the example of the issue: the fourth rule's action */
        expect_error(RULES(OK_RULE OK_RULE OK_RULE
                           "{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_FOO\"}"),
                     "syscalls[3].action",
                     "seccomp profile: syscalls[3].action: unknown action \"SCMP_ACT_FOO\"");
        expect_error(RULES(OK_RULE "\"read\""), "syscalls[1]", NULL);
        expect_error(
                RULES("{\"name\":\"read\",\"names\":[\"write\"],\"action\":\"SCMP_ACT_ALLOW\"}"),
                "syscalls[0]",
                "seccomp profile: syscalls[0]: \"name\" and \"names\" are both given; use one of them");
        expect_error(RULES("{\"action\":\"SCMP_ACT_ALLOW\"}"), "syscalls[0].names",
                     "seccomp profile: syscalls[0].names: required");
        expect_error(RULES("{\"names\":[],\"action\":\"SCMP_ACT_ALLOW\"}"), "syscalls[0].names",
                     "seccomp profile: syscalls[0].names: required");
        expect_error(RULES("{\"names\":[\"read\",\"\"],\"action\":\"SCMP_ACT_ALLOW\"}"),
                     "syscalls[0].names[1]",
                     "seccomp profile: syscalls[0].names[1]: empty syscall name");
        expect_error(RULES("{\"names\":[\"read\",4],\"action\":\"SCMP_ACT_ALLOW\"}"), NULL, NULL);
        expect_error(RULES("{\"names\":[\"read\"]}"), "syscalls[0].action",
                     "seccomp profile: syscalls[0].action: required");
        expect_error(RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":-2}"),
                     "syscalls[0].errnoRet", NULL);
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"),
                "syscalls[0].args[0].index", NULL);
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}"),
                "syscalls[0].args[0].index",
                "seccomp profile: syscalls[0].args[0].index: required");
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1}]}"),
                "syscalls[0].args[0].op", "seccomp profile: syscalls[0].args[0].op: required");
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_SIMILAR\"}]}"),
                "syscalls[0].args[0].op",
                "seccomp profile: syscalls[0].args[0].op: unknown operator \"SCMP_CMP_SIMILAR\"");
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":-1,\"op\":\"SCMP_CMP_EQ\"}]}"),
                "syscalls[0].args[0].value", NULL);
        expect_error(RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[1]}"),
                     "syscalls[0].args[0]", NULL);
        /* a rule is checked even where it does not apply */
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"s390x\"],\"minKernel\":\"four\"}}"),
                "syscalls[0].includes.minKernel",
                "seccomp profile: syscalls[0].includes.minKernel: invalid kernel version \"four\"");
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"minKernel\":\"5.\"}}"),
                "syscalls[0].excludes.minKernel",
                "seccomp profile: syscalls[0].excludes.minKernel: invalid kernel version \"5.\"");
        expect_error(
                RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"caps\":\"CAP_SYS_ADMIN\"}}"),
                "syscalls[0].excludes.caps", NULL);
        expect_error(RULES("{\"names\":[\"read\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":[]}"),
                     "syscalls[0].includes", NULL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_with_default_caps),
                cmocka_unit_test(test_default_with_sys_admin_and_others),
                cmocka_unit_test(test_default_old_kernel_and_other_arches),
                cmocka_unit_test(test_unknown_names_left_out),
                cmocka_unit_test(test_custom_round_trip),
                cmocka_unit_test(test_no_filter),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
