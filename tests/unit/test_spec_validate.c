/* tests/unit/test_spec_validate.c: the cross-section rules of runtime/spec/validate.h, on specs
 * parsed from JSON: namespaces each setting needs, and sysctls a container may set. */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/xalloc.h"
#include "runtime/spec/spec.h"
#include "runtime/spec/validate.h"

/* A config.json from parts, written with ' for ": TOP holds extra top-level members, NS the
 * namespaces as "mount,uts,user=/proc/1/ns/user" (NULL: no linux section), LX extra members of
 * "linux". Parsed into *SPEC, which must succeed. */
static void
parse(const char *top, const char *ns, const char *lx, struct spec *spec)
{
        cleanup_free char *list = xstrdup("");
        cleanup_free char *text = NULL;
        cleanup_free char *names = xstrdup(ns ? ns : "");
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;
        char *save = NULL;

        for (char *n = strtok_r(names, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
                char *eq = strchr(n, '=');
                char *item =
                        eq ? xasprintf("{'type': '%.*s', 'path': '%s'}", (int) (eq - n), n, eq + 1)
                           : xasprintf("{'type': '%s'}", n);
                char *joined = xasprintf("%s%s%s", list, list[0] ? ", " : "", item);
                free(item);
                free(list);
                list = joined;
        }
        if (ns)
                text = xasprintf("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'},"
                                 " 'process': {'args': ['sh'], 'cwd': '/'}%s,"
                                 " 'linux': {'namespaces': [%s]%s}}",
                                 top, list, lx);
        else
                text = xasprintf("{'ociVersion': '1.0.2', 'root': {'path': 'rootfs'},"
                                 " 'process': {'args': ['sh'], 'cwd': '/'}%s}",
                                 top);
        for (char *p = text; *p; p++) {
                if (*p == '\'')
                        *p = '"';
        }
        assert_int_equal(json_parse_buffer(text, strlen(text), &doc, &err), 0);
        assert_int_equal(spec_parse_json(doc, spec, &err), 0);
        assert_null(err);
}

static void
expect_valid(const char *top, const char *ns, const char *lx)
{
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;

        parse(top, ns, lx, &spec);
        assert_int_equal(spec_validate(&spec, &err), 0);
        assert_null(err);
        spec_done(&spec);
}

static void
expect_invalid(const char *top, const char *ns, const char *lx, const char *path, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;

        parse(top, ns, lx, &spec);
        assert_int_equal(spec_validate(&spec, &err), -EINVAL);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->json_path, path);
        assert_string_equal(err->msg, msg);
        spec_done(&spec);
}

#define UIDMAP ", 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]"
#define GIDMAP ", 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]"

static void
test_valid_config_passes(void **state)
{
        (void) state;
        expect_valid(", 'hostname': 'box', 'domainname': 'example.org'",
                     "pid,network,ipc,uts,mount,user",
                     UIDMAP GIDMAP ", 'sysctl': {'net.ipv4.ip_forward': '1',"
                                   " 'kernel.shm_rmid_forced': '1', 'kernel.msgmax': '8192',"
                                   " 'fs.mqueue.msg_max': '10', 'kernel.domainname': 'x'}");
        /* runc's default spec: no user namespace, no mappings. */
        expect_valid(", 'hostname': 'runc'", "pid,network,ipc,uts,mount", "");
        /* An empty hostname needs nothing. */
        expect_valid(", 'hostname': ''", "mount", "");
}

static void
test_process_required(void **state)
{
        cleanup_json struct json_object *doc =
                json_tokener_parse("{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"r\"},"
                                   " \"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}}");
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        (void) state;

        assert_int_equal(spec_parse_json(doc, &spec, &err), 0);
        assert_int_equal(spec_validate(&spec, &err), -EINVAL);
        assert_string_equal(err->json_path, "process");
        assert_string_equal(err->msg, "process: required");
        spec_done(&spec);
}

static void
test_hostname_without_uts(void **state)
{
        (void) state;
        expect_invalid(", 'hostname': 'box'", "mount", "", "hostname",
                       "hostname: unable to set hostname without a private UTS namespace");
        /* Joining a UTS namespace by path is a namespace of the container's own too. */
        expect_valid(", 'hostname': 'box'", "mount,uts=/proc/1/ns/uts", "");
}

static void
test_domainname_without_uts(void **state)
{
        (void) state;
        expect_invalid(", 'domainname': 'example.org'", "mount", "", "domainname",
                       "domainname: unable to set domainname without a private UTS namespace");
}

static void
test_no_mount_namespace(void **state)
{
        (void) state;
        expect_invalid("", "pid", "", "linux.namespaces",
                       "linux.namespaces: a mount namespace is required");
        expect_invalid("", NULL, "", "linux.namespaces",
                       "linux.namespaces: a mount namespace is required");
}

static void
test_mappings_without_user_namespace(void **state)
{
        (void) state;
        expect_invalid(
                "", "mount", UIDMAP GIDMAP, "linux.uidMappings",
                "linux.uidMappings: user namespace mappings given without a new user namespace");
        expect_invalid(
                "", "mount", GIDMAP, "linux.gidMappings",
                "linux.gidMappings: user namespace mappings given without a new user namespace");
}

static void
test_user_namespace_without_mappings(void **state)
{
        (void) state;
        expect_invalid("", "mount,user", "", "linux.uidMappings",
                       "linux.uidMappings: a new user namespace needs uidMappings and gidMappings");
        expect_invalid("", "mount,user", UIDMAP, "linux.gidMappings",
                       "linux.gidMappings: a new user namespace needs uidMappings and gidMappings");
        expect_valid("", "mount,user", UIDMAP GIDMAP);
}

static void
test_time_offsets_without_time_namespace(void **state)
{
        (void) state;
        expect_invalid("", "mount", ", 'timeOffsets': {'boottime': {'secs': 1}}",
                       "linux.timeOffsets",
                       "linux.timeOffsets: time offsets need a new time namespace");
        expect_valid("", "mount,time", ", 'timeOffsets': {'boottime': {'secs': 1}}");
}

static void
test_sysctl_net_without_network_namespace(void **state)
{
        (void) state;
        expect_invalid(
                "", "mount", ", 'sysctl': {'net.ipv4.ip_forward': '1'}",
                "linux.sysctl.net.ipv4.ip_forward",
                "linux.sysctl.net.ipv4.ip_forward: sysctl \"net.ipv4.ip_forward\" is not allowed in the host's network namespace");
        expect_valid("", "mount,network", ", 'sysctl': {'net.ipv4.ip_forward': '1'}");
}

static void
test_sysctl_ipc(void **state)
{
        (void) state;
        expect_valid("", "mount,ipc", ", 'sysctl': {'kernel.shm_rmid_forced': '1'}");
        expect_invalid(
                "", "mount", ", 'sysctl': {'kernel.shm_rmid_forced': '1'}",
                "linux.sysctl.kernel.shm_rmid_forced",
                "linux.sysctl.kernel.shm_rmid_forced: sysctl \"kernel.shm_rmid_forced\" is not allowed in the host's ipc namespace");
        expect_invalid(
                "", "mount", ", 'sysctl': {'fs.mqueue.queues_max': '1'}",
                "linux.sysctl.fs.mqueue.queues_max",
                "linux.sysctl.fs.mqueue.queues_max: sysctl \"fs.mqueue.queues_max\" is not allowed in the host's ipc namespace");
}

static void
test_sysctl_uts(void **state)
{
        (void) state;
        expect_valid("", "mount,uts", ", 'sysctl': {'kernel.hostname': 'h'}");
        expect_invalid(
                "", "mount", ", 'sysctl': {'kernel.hostname': 'h'}", "linux.sysctl.kernel.hostname",
                "linux.sysctl.kernel.hostname: sysctl \"kernel.hostname\" is not allowed in the host's uts namespace");
}

static void
test_sysctl_not_namespaced(void **state)
{
        (void) state;
        /* Every namespace, still a host-wide knob. */
        expect_invalid(
                "", "mount,ipc,network,uts",
                ", 'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.pid_max': '100'}",
                "linux.sysctl.kernel.pid_max",
                "linux.sysctl.kernel.pid_max: sysctl \"kernel.pid_max\" is not in a namespace the container has of its own");
        /* A prefix of an IPC name is not that name. */
        expect_invalid(
                "", "mount,ipc", ", 'sysctl': {'kernel.sem_extra': '1'}",
                "linux.sysctl.kernel.sem_extra",
                "linux.sysctl.kernel.sem_extra: sysctl \"kernel.sem_extra\" is not in a namespace the container has of its own");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_config_passes),
                cmocka_unit_test(test_process_required),
                cmocka_unit_test(test_hostname_without_uts),
                cmocka_unit_test(test_domainname_without_uts),
                cmocka_unit_test(test_no_mount_namespace),
                cmocka_unit_test(test_mappings_without_user_namespace),
                cmocka_unit_test(test_user_namespace_without_mappings),
                cmocka_unit_test(test_time_offsets_without_time_namespace),
                cmocka_unit_test(test_sysctl_net_without_network_namespace),
                cmocka_unit_test(test_sysctl_ipc),
                cmocka_unit_test(test_sysctl_uts),
                cmocka_unit_test(test_sysctl_not_namespaced),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
