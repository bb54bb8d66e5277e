/* tests/unit/test_spec_spec.c: config.json parsing (runtime/spec/spec.h): a full document, then
 * one bad value at a time, each with its JSON path; and spec_load on a bundle directory. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/spec/spec.h"

#ifndef CLONE_NEWTIME
#        define CLONE_NEWTIME 0x00000080
#endif

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

static const char full_config[] =
        "{'ociVersion': '1.0.2-dev',"
        " 'someFutureField': {'x': [1, 2]},"
        " 'process': {'terminal': true, 'consoleSize': {'height': 25, 'width': 80},"
        "   'user': {'uid': 1000, 'gid': 1001, 'umask': 18, 'additionalGids': [5, 6, 4294967294]},"
        "   'args': ['sh', '-c', 'echo hi'],"
        "   'env': ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],"
        "   'cwd': '/work',"
        "   'capabilities': {'bounding': ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
        "     'effective': ['CAP_KILL'], 'permitted': ['CAP_KILL'], 'ambient': []},"
        "   'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1024, 'soft': 1024},"
        "     {'type': 'RLIMIT_CORE', 'hard': 18446744073709551615, 'soft': 0}],"
        "   'noNewPrivileges': true, 'oomScoreAdj': -500, 'apparmorProfile': '',"
        "   'selinuxLabel': 'system_u:system_r:container_t:s0', 'unknownInProcess': 1},"
        " 'root': {'path': 'rootfs', 'readonly': true},"
        " 'hostname': 'runc', 'domainname': 'example.org',"
        " 'mounts': ["
        "   {'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
        "   {'destination': '/dev', 'type': 'tmpfs', 'source': 'tmpfs',"
        "    'options': ['nosuid', 'strictatime', 'mode=755', 'size=65536k']},"
        "   {'destination': '/dev/pts', 'type': 'devpts', 'source': 'devpts',"
        "    'options': ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5']},"
        "   {'destination': '/dev/shm', 'type': 'tmpfs', 'source': 'shm',"
        "    'options': ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k']},"
        "   {'destination': '/dev/mqueue', 'type': 'mqueue', 'source': 'mqueue',"
        "    'options': ['nosuid', 'noexec', 'nodev']},"
        "   {'destination': '/sys', 'type': 'sysfs', 'source': 'sysfs',"
        "    'options': ['nosuid', 'noexec', 'nodev', 'ro']},"
        "   {'destination': 'data', 'source': '/srv/data', 'options': ['rbind', 'ro', 'rprivate']},"
        "   {'destination': '/etc/hosts', 'type': 'bind', 'source': '/etc/hosts'}],"
        " 'hooks': {"
        "   'prestart': [{'path': '/bin/true'}],"
        "   'createRuntime': [{'path': '/bin/a', 'args': ['a', 'b'], 'env': ['X=1'], 'timeout': 5},"
        "     {'path': '/bin/b'}],"
        "   'poststop': [{'path': '/bin/c', 'timeout': 1}]},"
        " 'annotations': {'org.example.a': '1', 'b': ''},"
        " 'linux': {"
        "   'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
        "   'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536},"
        "     {'containerID': 65536, 'hostID': 4294967295, 'size': 1}],"
        "   'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/var/run/netns/x'},"
        "     {'type': 'ipc'}, {'type': 'uts'}, {'type': 'mount'}, {'type': 'user'},"
        "     {'type': 'cgroup', 'path': ''}, {'type': 'time'}],"
        "   'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
        "     'fileMode': 438, 'uid': 0, 'gid': 5}, {'path': '/dev/fifo', 'type': 'p'}],"
        "   'cgroupsPath': '/berth/test',"
        "   'resources': {'devices': [{'allow': false, 'access': 'rwm'},"
        "     {'allow': true, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'rw'},"
        "     {'allow': true, 'type': 'c', 'major': 136}],"
        "     'memory': {'limit': 1000000}},"
        "   'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shm_rmid_forced': '1'},"
        "   'maskedPaths': ['/proc/acpi', '/proc/kcore', '/proc/keys', '/sys/firmware'],"
        "   'readonlyPaths': ['/proc/bus', '/proc/fs', '/proc/sys'],"
        "   'rootfsPropagation': 'rslave',"
        "   'mountLabel': 'system_u:object_r:container_file_t:s0',"
        "   'seccomp': {'defaultAction': 'SCMP_ACT_ALLOW'},"
        "   'timeOffsets': {'monotonic': {'secs': -10, 'nanosecs': 5}, 'boottime': {'secs': 3600}}}}";

static void
test_full_config_process(void **state)
{
        cleanup_json struct json_object *d = doc(full_config);
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        const struct spec_process *p = &spec.process;
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_null(err);
        assert_ptr_equal(spec.doc, d);
        assert_string_equal(spec.oci_version, "1.0.2-dev");
        assert_string_equal(spec.root_path, "rootfs");
        assert_true(spec.root_readonly);
        assert_true(spec.has_process);
        assert_true(p->terminal);
        assert_int_equal(p->console_height, 25);
        assert_int_equal(p->console_width, 80);
        assert_int_equal(strv_length(p->args), 3);
        assert_string_equal(p->args[0], "sh");
        assert_string_equal(p->args[2], "echo hi");
        assert_int_equal(strv_length(p->env), 2);
        assert_string_equal(p->env[1], "TERM=xterm");
        assert_string_equal(p->cwd, "/work");
        assert_int_equal(p->user.uid, 1000);
        assert_int_equal(p->user.gid, 1001);
        assert_true(p->user.has_umask);
        assert_int_equal(p->user.umask, 022);
        assert_int_equal(p->user.n_additional_gids, 3);
        assert_int_equal(p->user.additional_gids[0], 5);
        assert_int_equal(p->user.additional_gids[1], 6);
        assert_int_equal(p->user.additional_gids[2], 4294967294u);
        assert_int_equal(p->n_rlimits, 2);
        assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
        assert_string_equal(p->rlimits[0].name, "RLIMIT_NOFILE");
        assert_true(p->rlimits[0].soft == 1024 && p->rlimits[0].hard == 1024);
        assert_int_equal(p->rlimits[1].resource, RLIMIT_CORE);
        assert_string_equal(p->rlimits[1].name, "RLIMIT_CORE");
        assert_true(p->rlimits[1].soft == 0);
        assert_true(p->rlimits[1].hard == UINT64_MAX);
        assert_true(p->no_new_privileges);
        assert_true(p->has_oom_score_adj);
        assert_int_equal(p->oom_score_adj, -500);
        assert_true(p->caps.present);
        assert_int_equal(strv_length(p->caps.bounding), 3);
        assert_string_equal(p->caps.bounding[2], "CAP_NET_BIND_SERVICE");
        assert_int_equal(strv_length(p->caps.effective), 1);
        assert_non_null(p->caps.ambient);
        assert_int_equal(strv_length(p->caps.ambient), 0);
        assert_null(p->caps.inheritable);
        assert_null(p->apparmor_profile);
        assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");
        spec_done(&spec);
        assert_null(spec.doc);
}

static void
test_full_config_top_level_mounts_hooks(void **state)
{
        cleanup_json struct json_object *d = doc(full_config);
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        const struct spec_hooks *h = &spec.hooks;
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_true(spec.has_hostname);
        assert_string_equal(spec.hostname, "runc");
        assert_true(spec.has_domainname);
        assert_string_equal(spec.domainname, "example.org");
        assert_int_equal(spec.n_mounts, 8);
        assert_string_equal(spec.mounts[0].destination, "/proc");
        assert_string_equal(spec.mounts[0].type, "proc");
        assert_null(spec.mounts[0].options);
        assert_int_equal(spec.mounts[0].flags, 0);
        assert_null(spec.mounts[0].data);
        assert_int_equal(spec.mounts[1].flags, MS_NOSUID | MS_STRICTATIME);
        assert_string_equal(spec.mounts[1].data, "mode=755,size=65536k");
        assert_string_equal(spec.mounts[5].destination, "/sys");
        assert_int_equal(spec.mounts[5].flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
        /* No type but "rbind": a bind mount; a relative destination is made absolute (runc). */
        assert_string_equal(spec.mounts[6].destination, "/data");
        assert_string_equal(spec.mounts[6].type, "");
        assert_string_equal(spec.mounts[6].source, "/srv/data");
        assert_int_equal(spec.mounts[6].flags, MS_BIND | MS_REC | MS_RDONLY);
        assert_int_equal(spec.mounts[6].propagation, MS_PRIVATE | MS_REC);
        /* Type "bind" implies MS_BIND with no option saying so. */
        assert_int_equal(spec.mounts[7].flags, MS_BIND);

        assert_int_equal(h->count[HOOK_PRESTART], 1);
        assert_string_equal(h->list[HOOK_PRESTART][0].path, "/bin/true");
        assert_int_equal(h->list[HOOK_PRESTART][0].timeout, 0);
        assert_null(h->list[HOOK_PRESTART][0].args);
        assert_int_equal(h->count[HOOK_CREATE_RUNTIME], 2);
        assert_string_equal(h->list[HOOK_CREATE_RUNTIME][0].path, "/bin/a");
        assert_int_equal(strv_length(h->list[HOOK_CREATE_RUNTIME][0].args), 2);
        assert_string_equal(h->list[HOOK_CREATE_RUNTIME][0].args[1], "b");
        assert_string_equal(h->list[HOOK_CREATE_RUNTIME][0].env[0], "X=1");
        assert_int_equal(h->list[HOOK_CREATE_RUNTIME][0].timeout, 5);
        assert_string_equal(h->list[HOOK_CREATE_RUNTIME][1].path, "/bin/b");
        assert_int_equal(h->count[HOOK_CREATE_CONTAINER], 0);
        assert_int_equal(h->count[HOOK_START_CONTAINER], 0);
        assert_int_equal(h->count[HOOK_POSTSTART], 0);
        assert_int_equal(h->count[HOOK_POSTSTOP], 1);
        assert_int_equal(h->list[HOOK_POSTSTOP][0].timeout, 1);

        assert_int_equal(strv_length(spec.annotations), 4);
        assert_string_equal(spec.annotations[0], "org.example.a");
        assert_string_equal(spec.annotations[1], "1");
        assert_string_equal(spec.annotations[2], "b");
        assert_string_equal(spec.annotations[3], "");
        spec_done(&spec);
}

static void
test_full_config_linux(void **state)
{
        cleanup_json struct json_object *d = doc(full_config);
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        const struct spec_linux *l = &spec.linux;
        static const int ns_flags[] = {CLONE_NEWPID, CLONE_NEWNET,  CLONE_NEWIPC,    CLONE_NEWUTS,
                                       CLONE_NEWNS,  CLONE_NEWUSER, CLONE_NEWCGROUP, CLONE_NEWTIME};
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_int_equal(l->n_namespaces, 8);
        for (size_t i = 0; i < 8; i++)
                assert_int_equal(l->namespaces[i].type, ns_flags[i]);
        assert_string_equal(l->namespaces[1].path, "/var/run/netns/x");
        assert_null(l->namespaces[0].path);
        /* An empty path means a new namespace. */
        assert_null(l->namespaces[6].path);
        assert_ptr_equal(spec_find_namespace(&spec, CLONE_NEWNET), &l->namespaces[1]);

        assert_int_equal(l->n_uid_mappings, 1);
        assert_int_equal(l->uid_mappings[0].container_id, 0);
        assert_int_equal(l->uid_mappings[0].host_id, 100000);
        assert_int_equal(l->uid_mappings[0].size, 65536);
        assert_int_equal(l->n_gid_mappings, 2);
        assert_int_equal(l->gid_mappings[1].container_id, 65536);
        assert_int_equal(l->gid_mappings[1].host_id, 4294967295u);
        assert_int_equal(l->gid_mappings[1].size, 1);

        assert_int_equal(l->n_devices, 2);
        assert_string_equal(l->devices[0].path, "/dev/fuse");
        assert_int_equal(l->devices[0].type, 'c');
        assert_int_equal(l->devices[0].major, 10);
        assert_int_equal(l->devices[0].minor, 229);
        assert_true(l->devices[0].has_mode);
        assert_int_equal(l->devices[0].mode, 0666);
        assert_true(l->devices[0].has_uid && l->devices[0].has_gid);
        assert_int_equal(l->devices[0].gid, 5);
        assert_int_equal(l->devices[1].type, 'p');
        assert_false(l->devices[1].has_mode);
        assert_false(l->devices[1].has_uid);

        assert_string_equal(l->cgroups_path, "/berth/test");
        assert_non_null(l->resources);
        assert_non_null(json_object_object_get(l->resources, "memory"));
        assert_int_equal(l->n_device_rules, 3);
        assert_false(l->device_rules[0].allow);
        assert_int_equal(l->device_rules[0].type, 'a');
        assert_int_equal(l->device_rules[0].major, -1);
        assert_int_equal(l->device_rules[0].minor, -1);
        assert_string_equal(l->device_rules[0].access, "rwm");
        assert_true(l->device_rules[1].allow);
        assert_int_equal(l->device_rules[1].type, 'c');
        assert_int_equal(l->device_rules[1].major, 1);
        assert_int_equal(l->device_rules[1].minor, 3);
        assert_string_equal(l->device_rules[1].access, "rw");
        assert_int_equal(l->device_rules[2].major, 136);
        assert_int_equal(l->device_rules[2].minor, -1);
        assert_string_equal(l->device_rules[2].access, "rwm");

        assert_int_equal(strv_length(l->sysctl), 4);
        assert_string_equal(l->sysctl[0], "net.ipv4.ip_forward");
        assert_string_equal(l->sysctl[1], "1");
        assert_string_equal(l->sysctl[2], "kernel.shm_rmid_forced");
        assert_string_equal(l->sysctl[3], "1");
        assert_int_equal(strv_length(l->masked_paths), 4);
        assert_string_equal(l->masked_paths[3], "/sys/firmware");
        assert_int_equal(strv_length(l->readonly_paths), 3);
        assert_string_equal(l->readonly_paths[2], "/proc/sys");
        assert_true(l->has_rootfs_propagation);
        assert_int_equal(l->rootfs_propagation, MS_SLAVE | MS_REC);
        assert_string_equal(l->mount_label, "system_u:object_r:container_file_t:s0");
        assert_true(l->seccomp.present);

        assert_true(l->has_time_offsets);
        assert_int_equal(l->monotonic_secs, -10);
        assert_int_equal(l->monotonic_nsecs, 5);
        assert_int_equal(l->boottime_secs, 3600);
        assert_int_equal(l->boottime_nsecs, 0);
        spec_done(&spec);
}

static void
test_minimal_config(void **state)
{
        cleanup_json struct json_object *d = doc("{'ociVersion': '1.2.0', 'root': {'path': '/r'}}");
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_false(spec.has_process);
        assert_false(spec.has_hostname);
        assert_false(spec.root_readonly);
        assert_int_equal(spec.n_mounts, 0);
        assert_null(spec.annotations);
        assert_int_equal(spec.linux.n_namespaces, 0);
        assert_false(spec.linux.has_rootfs_propagation);
        assert_null(spec_find_namespace(&spec, CLONE_NEWNS));
        spec_done(&spec);
}

static void
test_empty_arrays(void **state)
{
        cleanup_json struct json_object *d =
                doc("{'ociVersion': '1.0.0', 'root': {'path': 'r'}, 'mounts': [],"
                    " 'process': {'args': ['sh'], 'cwd': '/', 'env': [], 'rlimits': [],"
                    "   'user': {'additionalGids': []}},"
                    " 'hooks': {'prestart': [], 'poststop': []}, 'annotations': {},"
                    " 'linux': {'namespaces': [], 'uidMappings': [], 'devices': [], 'sysctl': {},"
                    "   'maskedPaths': [], 'resources': {'devices': []}}}");
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;
        (void) state;

        assert_int_equal(spec_parse_json(d, &spec, &err), 0);
        assert_null(err);
        assert_int_equal(spec.n_mounts, 0);
        assert_int_equal(strv_length(spec.process.env), 0);
        assert_int_equal(spec.process.n_rlimits, 0);
        assert_int_equal(spec.process.user.n_additional_gids, 0);
        assert_int_equal(spec.hooks.count[HOOK_PRESTART], 0);
        assert_int_equal(spec.hooks.count[HOOK_POSTSTOP], 0);
        assert_null(spec.annotations);
        assert_int_equal(spec.linux.n_namespaces, 0);
        assert_int_equal(spec.linux.n_uid_mappings, 0);
        assert_int_equal(spec.linux.n_devices, 0);
        assert_null(spec.linux.sysctl);
        assert_int_equal(strv_length(spec.linux.masked_paths), 0);
        assert_int_equal(spec.linux.n_device_rules, 0);
        spec_done(&spec);
}

static void
test_lookup_tables(void **state)
{
        (void) state;
        assert_int_equal(spec_rlimit_resource("RLIMIT_NOFILE"), RLIMIT_NOFILE);
        assert_int_equal(spec_rlimit_resource("RLIMIT_RTTIME"), RLIMIT_RTTIME);
        assert_int_equal(spec_rlimit_resource("NOFILE"), -1);
        assert_int_equal(spec_namespace_flag("mount"), CLONE_NEWNS);
        assert_int_equal(spec_namespace_flag("network"), CLONE_NEWNET);
        assert_int_equal(spec_namespace_flag("net"), 0);
        assert_string_equal(spec_namespace_name(CLONE_NEWUTS), "uts");
        assert_string_equal(spec_namespace_name(CLONE_NEWTIME), "time");
}

/* Parse SQUOTED; it must fail with EINVAL at PATH with the whole message MSG. */
static void
expect_invalid(const char *squoted, const char *path, const char *msg)
{
        cleanup_json struct json_object *d = doc(squoted);
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;

        assert_int_equal(spec_parse_json(d, &spec, &err), -EINVAL);
        assert_non_null(err);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->json_path, path);
        assert_string_equal(err->msg, msg);
        spec_done(&spec);
}

#define HEAD "'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}"
/* An open process object: append members, then close it. */
#define PROC HEAD ", 'process': {'args': ['sh'], 'cwd': '/'"

#define INVALID(name, squoted, path, msg)             \
        static void test_invalid_##name(void **state) \
        {                                             \
                (void) state;                         \
                expect_invalid(squoted, path, msg);   \
        }

INVALID(not_an_object, "[]", "", "expected object, got array")
INVALID(oci_version_missing, "{'root': {'path': 'rootfs'}}", "ociVersion", "ociVersion: required")
INVALID(oci_version_2, "{'ociVersion': '2.0.0', 'root': {'path': 'rootfs'}}", "ociVersion",
        "ociVersion: unsupported version \"2.0.0\" (berth implements 1.0 to 1.2)")
INVALID(oci_version_number, "{'ociVersion': 1.0, 'root': {'path': 'rootfs'}}", "ociVersion",
        "ociVersion: expected string, got number")
INVALID(root_missing, "{'ociVersion': '1.0.2'}", "root", "root: required")
INVALID(root_path_empty, "{'ociVersion': '1.0.2', 'root': {'path': ''}}", "root.path",
        "root.path: required")
INVALID(root_readonly_string, "{'ociVersion': '1.0.2', 'root': {'path': 'r', 'readonly': 'yes'}}",
        "root.readonly", "root.readonly: expected boolean, got string")
INVALID(process_args_empty, "{" HEAD ", 'process': {'args': [], 'cwd': '/'}}", "process.args",
        "process.args: must not be empty")
INVALID(process_args_missing, "{" HEAD ", 'process': {'cwd': '/'}}", "process.args",
        "process.args: must not be empty")
INVALID(process_cwd_relative, "{" HEAD ", 'process': {'args': ['sh'], 'cwd': 'tmp'}}",
        "process.cwd", "process.cwd: \"tmp\" is not an absolute path")
INVALID(process_cwd_missing, "{" HEAD ", 'process': {'args': ['sh']}}", "process.cwd",
        "process.cwd: required")
INVALID(rlimit_unknown, "{" PROC ", 'rlimits': [{'type': 'RLIMIT_FOO', 'hard': 1, 'soft': 1}]}}",
        "process.rlimits[0].type", "process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"")
INVALID(rlimit_duplicate,
        "{" PROC ", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 1, 'soft': 1},"
        " {'type': 'RLIMIT_NOFILE', 'hard': 2, 'soft': 2}]}}",
        "process.rlimits[1].type", "process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"")
INVALID(rlimit_soft_above_hard,
        "{" PROC ", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'hard': 5, 'soft': 10}]}}",
        "process.rlimits[0]", "process.rlimits[0]: soft limit 10 is above the hard limit 5")
INVALID(rlimit_hard_missing, "{" PROC ", 'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 10}]}}",
        "process.rlimits[0].hard", "process.rlimits[0].hard: required")
INVALID(rlimit_negative, "{" PROC ", 'rlimits': [{'type': 'RLIMIT_CORE', 'soft': -1, 'hard': 1}]}}",
        "process.rlimits[0].soft", "process.rlimits[0].soft: -1 must not be negative")
INVALID(user_uid_negative, "{" PROC ", 'user': {'uid': -1, 'gid': 0}}}", "process.user.uid",
        "process.user.uid: -1 out of range [0, 4294967294]")
INVALID(user_gid_double, "{" PROC ", 'user': {'uid': 0, 'gid': 0.5}}}", "process.user.gid",
        "process.user.gid: expected integer, got number with a fraction or exponent")
INVALID(user_additional_gid_string,
        "{" PROC ", 'user': {'uid': 0, 'gid': 0, 'additionalGids': [1, '2']}}}",
        "process.user.additionalGids[1]",
        "process.user.additionalGids[1]: expected integer, got string")
INVALID(user_umask_too_big, "{" PROC ", 'user': {'umask': 4096}}}", "process.user.umask",
        "process.user.umask: 4096 out of range [0, 4095]")
INVALID(console_height_too_big, "{" PROC ", 'consoleSize': {'height': 65536, 'width': 80}}}",
        "process.consoleSize.height", "process.consoleSize.height: 65536 out of range [0, 65535]")
INVALID(oom_score_adj_range, "{" PROC ", 'oomScoreAdj': -1001}}", "process.oomScoreAdj",
        "process.oomScoreAdj: -1001 out of range [-1000, 1000]")
INVALID(capability_not_string, "{" PROC ", 'capabilities': {'bounding': ['CAP_KILL', null]}}}",
        "process.capabilities.bounding[1]",
        "process.capabilities.bounding[1]: expected string, got null")
INVALID(env_not_array, "{" PROC ", 'env': 'A=1'}}", "process.env",
        "process.env: expected array, got string")
INVALID(namespace_unknown,
        "{" HEAD ", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'net'}]}}",
        "linux.namespaces[1].type", "linux.namespaces[1].type: unknown namespace \"net\"")
INVALID(namespace_duplicate,
        "{" HEAD ", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'pid'}]}}",
        "linux.namespaces[1].type", "linux.namespaces[1].type: duplicate namespace \"pid\"")
INVALID(namespace_relative_path,
        "{" HEAD ", 'linux': {'namespaces': [{'type': 'network', 'path': 'proc/1/ns/net'}]}}",
        "linux.namespaces[0].path",
        "linux.namespaces[0].path: \"proc/1/ns/net\" is not an absolute path")
INVALID(namespace_not_object, "{" HEAD ", 'linux': {'namespaces': ['pid']}}", "linux.namespaces[0]",
        "linux.namespaces[0]: expected object, got string")
INVALID(idmap_size_zero,
        "{" HEAD ", 'linux': {'uidMappings': [{'containerID': 0, 'hostID': 1, 'size': 0}]}}",
        "linux.uidMappings[0].size", "linux.uidMappings[0].size: 0 out of range [1, 4294967295]")
INVALID(idmap_host_missing, "{" HEAD ", 'linux': {'gidMappings': [{'containerID': 0, 'size': 1}]}}",
        "linux.gidMappings[0].hostID", "linux.gidMappings[0].hostID: required")
INVALID(device_type_unknown,
        "{" HEAD
        ", 'linux': {'devices': [{'path': '/dev/x', 'type': 'x', 'major': 1, 'minor': 1}]}}",
        "linux.devices[0].type",
        "linux.devices[0].type: unknown device type \"x\" (expected c, b, u or p)")
INVALID(device_major_missing,
        "{" HEAD ", 'linux': {'devices': [{'path': '/dev/x', 'type': 'c', 'minor': 1}]}}",
        "linux.devices[0].major", "linux.devices[0].major: required for type \"c\"")
INVALID(device_relative_path, "{" HEAD ", 'linux': {'devices': [{'path': 'dev/x', 'type': 'p'}]}}",
        "linux.devices[0].path", "linux.devices[0].path: required, as an absolute path")
INVALID(device_rule_access,
        "{" HEAD ", 'linux': {'resources': {'devices': [{'allow': true, 'access': 'rwx'}]}}}",
        "linux.resources.devices[0].access",
        "linux.resources.devices[0].access: \"rwx\" is not a combination of r, w and m")
INVALID(device_rule_allow_missing,
        "{" HEAD ", 'linux': {'resources': {'devices': [{'access': 'rwm'}]}}}",
        "linux.resources.devices[0].allow", "linux.resources.devices[0].allow: required")
INVALID(device_rule_major_range,
        "{" HEAD
        ", 'linux': {'resources': {'devices': [{'allow': true, 'type': 'c', 'major': -2}]}}}",
        "linux.resources.devices[0].major",
        "linux.resources.devices[0].major: -2 out of range [-1, 4095]")
INVALID(rootfs_propagation_bogus, "{" HEAD ", 'linux': {'rootfsPropagation': 'bogus'}}",
        "linux.rootfsPropagation", "linux.rootfsPropagation: unknown propagation \"bogus\"")
INVALID(sysctl_value_number, "{" HEAD ", 'linux': {'sysctl': {'net.ipv4.ip_forward': 1}}}",
        "linux.sysctl.net.ipv4.ip_forward",
        "linux.sysctl.net.ipv4.ip_forward: expected string, got number")
INVALID(sysctl_name_escapes, "{" HEAD ", 'linux': {'sysctl': {'net/../../x': '1'}}}",
        "linux.sysctl.net/../../x", "linux.sysctl.net/../../x: invalid sysctl name")
INVALID(time_offset_nanosecs,
        "{" HEAD ", 'linux': {'timeOffsets': {'boottime': {'secs': 1, 'nanosecs': 1000000000}}}}",
        "linux.timeOffsets.boottime.nanosecs",
        "linux.timeOffsets.boottime.nanosecs: 1000000000 out of range [0, 999999999]")
INVALID(hook_path_missing, "{" HEAD ", 'hooks': {'prestart': [{'args': ['x']}]}}",
        "hooks.prestart[0].path", "hooks.prestart[0].path: required")
INVALID(hook_timeout_zero,
        "{" HEAD ", 'hooks': {'poststop': [{'path': '/bin/true', 'timeout': 0}]}}",
        "hooks.poststop[0].timeout", "hooks.poststop[0].timeout: 0 out of range [1, 2147483647]")
INVALID(hooks_not_array, "{" HEAD ", 'hooks': {'createContainer': {'path': '/x'}}}",
        "hooks.createContainer", "hooks.createContainer: expected array, got object")
INVALID(mount_destination_missing, "{" HEAD ", 'mounts': [{'type': 'tmpfs', 'source': 'tmpfs'}]}",
        "mounts[0].destination", "mounts[0].destination: required")
INVALID(mount_no_type_no_bind,
        "{" HEAD ", 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
        " {'destination': '/x', 'source': '/y', 'options': ['ro']}]}",
        "mounts[1].type", "mounts[1].type: required unless the options hold \"bind\" or \"rbind\"")
INVALID(mount_bind_without_source, "{" HEAD ", 'mounts': [{'destination': '/x', 'type': 'bind'}]}",
        "mounts[0].source", "mounts[0].source: required for a bind mount")
INVALID(mount_option_not_string,
        "{" HEAD ", 'mounts': [{'destination': '/x', 'type': 'tmpfs', 'options': ['ro', 5]}]}",
        "mounts[0].options[1]", "mounts[0].options[1]: expected string, got number")
INVALID(annotation_not_string, "{" HEAD ", 'annotations': {'a': 'b', 'c': true}}", "annotations.c",
        "annotations.c: expected string, got boolean")

struct bundle {
        char path[64];
};

static int
bundle_setup(void **state)
{
        struct bundle *b = xzalloc(sizeof(*b));

        strcpy(b->path, "/tmp/berth-test-bundle.XXXXXX");
        if (!mkdtemp(b->path)) {
                free(b);
                return -1;
        }
        *state = b;
        return 0;
}

static int
bundle_teardown(void **state)
{
        struct bundle *b = *state;
        int r = fs_remove_tree(AT_FDCWD, b->path, NULL);

        free(b);
        return r;
}

static void
write_config(const struct bundle *b, const char *text)
{
        cleanup_free char *path = xasprintf("%s/config.json", b->path);
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(fs_write_atomic(AT_FDCWD, path, text, strlen(text), 0644, &err), 0);
}

static void
test_load_missing_config(void **state)
{
        struct bundle *b = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *want =
                xasprintf("open \"%s/config.json\": No such file or directory", b->path);
        struct spec spec;

        assert_int_equal(spec_load(b->path, &spec, &err), -ENOENT);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg, want);
        assert_null(spec.doc);
        spec_done(&spec);
}

static void
test_load_bad_json(void **state)
{
        struct bundle *b = *state;
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;

        write_config(b, "{\"ociVersion\": \"1.0.2\",\n \"root\": {\"path\": \"rootfs\"\n");
        assert_int_equal(spec_load(b->path, &spec, &err), -EINVAL);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->msg,
                            "config.json: invalid JSON at line 3 column 1: unexpected end of data");
        assert_true(strncmp(err->msg, "config.json: invalid JSON at line", 33) == 0);
        assert_null(spec.doc);
        spec_done(&spec);
}

static void
test_load_type_error(void **state)
{
        struct bundle *b = *state;
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;

        write_config(b, "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
                        " \"process\": {\"args\": \"sh\", \"cwd\": \"/\"}}");
        assert_int_equal(spec_load(b->path, &spec, &err), -EINVAL);
        assert_string_equal(err->json_path, "process.args");
        assert_string_equal(err->msg, "config.json: process.args: expected array, got string");
        /* A failed load leaves nothing to release, and releasing it again is harmless. */
        assert_null(spec.doc);
        assert_null(spec.root_path);
        spec_done(&spec);
}

static void
test_load_valid(void **state)
{
        struct bundle *b = *state;
        cleanup_error berth_error_t *err = NULL;
        struct spec spec;

        write_config(b, "{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"rootfs\"},"
                        " \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"}}\n");
        assert_int_equal(spec_load(b->path, &spec, &err), 0);
        assert_null(err);
        assert_string_equal(spec.oci_version, "1.1.0");
        assert_string_equal(spec.process.args[0], "sh");
        spec_done(&spec);
}

#define INVALID_TEST(name) cmocka_unit_test(test_invalid_##name)

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full_config_process),
                cmocka_unit_test(test_full_config_top_level_mounts_hooks),
                cmocka_unit_test(test_full_config_linux),
                cmocka_unit_test(test_minimal_config),
                cmocka_unit_test(test_empty_arrays),
                cmocka_unit_test(test_lookup_tables),
                INVALID_TEST(not_an_object),
                INVALID_TEST(oci_version_missing),
                INVALID_TEST(oci_version_2),
                INVALID_TEST(oci_version_number),
                INVALID_TEST(root_missing),
                INVALID_TEST(root_path_empty),
                INVALID_TEST(root_readonly_string),
                INVALID_TEST(process_args_empty),
                INVALID_TEST(process_args_missing),
                INVALID_TEST(process_cwd_relative),
                INVALID_TEST(process_cwd_missing),
                INVALID_TEST(rlimit_unknown),
                INVALID_TEST(rlimit_duplicate),
                INVALID_TEST(rlimit_soft_above_hard),
                INVALID_TEST(rlimit_hard_missing),
                INVALID_TEST(rlimit_negative),
                INVALID_TEST(user_uid_negative),
                INVALID_TEST(user_gid_double),
                INVALID_TEST(user_additional_gid_string),
                INVALID_TEST(user_umask_too_big),
                INVALID_TEST(console_height_too_big),
                INVALID_TEST(oom_score_adj_range),
                INVALID_TEST(capability_not_string),
                INVALID_TEST(env_not_array),
                INVALID_TEST(namespace_unknown),
                INVALID_TEST(namespace_duplicate),
                INVALID_TEST(namespace_relative_path),
                INVALID_TEST(namespace_not_object),
                INVALID_TEST(idmap_size_zero),
                INVALID_TEST(idmap_host_missing),
                INVALID_TEST(device_type_unknown),
                INVALID_TEST(device_major_missing),
                INVALID_TEST(device_relative_path),
                INVALID_TEST(device_rule_access),
                INVALID_TEST(device_rule_allow_missing),
                INVALID_TEST(device_rule_major_range),
                INVALID_TEST(rootfs_propagation_bogus),
                INVALID_TEST(sysctl_value_number),
                INVALID_TEST(sysctl_name_escapes),
                INVALID_TEST(time_offset_nanosecs),
                INVALID_TEST(hook_path_missing),
                INVALID_TEST(hook_timeout_zero),
                INVALID_TEST(hooks_not_array),
                INVALID_TEST(mount_destination_missing),
                INVALID_TEST(mount_no_type_no_bind),
                INVALID_TEST(mount_bind_without_source),
                INVALID_TEST(mount_option_not_string),
                INVALID_TEST(annotation_not_string),
                cmocka_unit_test_setup_teardown(test_load_missing_config, bundle_setup,
                                                bundle_teardown),
                cmocka_unit_test_setup_teardown(test_load_bad_json, bundle_setup, bundle_teardown),
                cmocka_unit_test_setup_teardown(test_load_type_error, bundle_setup,
                                                bundle_teardown),
                cmocka_unit_test_setup_teardown(test_load_valid, bundle_setup, bundle_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
