/* tests/unit/test_container_criu.c: what berth asks of criu (runtime/container/criu.c): runc's
 * flag checks and messages, the external mounts, the exact dump, pre-dump and restore command
 * lines, --cgroup-root and --join-ns values, descriptors.json both ways, the log line quoted in
 * an error, and the action-script message. */
#include <config.h>

#include <errno.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/container/criu.h"

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
        return o;
}

static void
spec_from(const char *squoted, struct spec *spec)
{
        cleanup_json struct json_object *d = doc(squoted);
        cleanup_error berth_error_t *err = NULL;

        assert_int_equal(spec_parse_json(d, spec, &err), 0);
        assert_null(err);
}

/* ARGV joined with spaces, for one readable comparison. */
static void
assert_argv(char **argv, const char *want)
{
        cleanup_free char *got = strv_join(argv, " ");
        assert_string_equal(got, want);
}

/* ---- flags ---- */

static void
expect_flags_error(const struct criu_flags *f, const char *msg)
{
        cleanup_error berth_error_t *err = NULL;
        struct criu_settings s = {0};

        assert_int_equal(criu_flags_check(f, &s, &err), -EINVAL);
        assert_string_equal(err->msg, msg);
        assert_null(s.ps_address);
}

static void
test_flags_defaults(void **state)
{
        struct criu_flags f = {.status_fd = -1};
        cleanup_error berth_error_t *err = NULL;
        struct criu_settings s;
        (void) state;

        assert_int_equal(criu_flags_check(&f, &s, &err), 0);
        assert_null(err);
        assert_int_equal(s.cg_mode, CRIU_CG_DEFAULT);
        assert_null(s.ps_address);
        criu_settings_done(&s);
}

static void
test_flags_runc_messages(void **state)
{
        (void) state;
        expect_flags_error(&(struct criu_flags){.parent_path = "/abs"}, "--parent-path must be relative");
        for (size_t i = 0; i < 6; i++) {
                static const char *const bad[] = {"foo", ":80", "host:", "a:b:1", "[::1]80", "h:1:"};
                expect_flags_error(&(struct criu_flags){.page_server = bad[i]},
                                   "Use --page-server ADDRESS:PORT to specify page server");
        }
        expect_flags_error(&(struct criu_flags){.page_server = "host:bar"}, "Invalid port number");
        expect_flags_error(&(struct criu_flags){.page_server = "host:-1"}, "Invalid port number");
        expect_flags_error(&(struct criu_flags){.manage_cgroups_mode = "bogus"}, "Invalid manage cgroups mode");
        expect_flags_error(&(struct criu_flags){.manage_cgroups_mode = "props"}, "Invalid manage cgroups mode");
        expect_flags_error(&(struct criu_flags){.empty_ns = (char *[]){(char *) "network", (char *) "pid", NULL}},
                           "namespace \"pid\" is not supported");
        /* runc's order: the page server is looked at before the cgroups mode. */
        expect_flags_error(&(struct criu_flags){.page_server = "x", .manage_cgroups_mode = "bogus"},
                           "Use --page-server ADDRESS:PORT to specify page server");
}

static void
test_flags_parsed(void **state)
{
        static const char *const modes[] = {"soft", "full", "strict", "ignore"};
        static const enum criu_cg_mode want[] = {CRIU_CG_SOFT, CRIU_CG_FULL, CRIU_CG_STRICT, CRIU_CG_IGNORE};
        cleanup_error berth_error_t *err = NULL;
        struct criu_settings s;
        (void) state;

        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(criu_flags_check(&(struct criu_flags){.manage_cgroups_mode = modes[i]}, &s, &err), 0);
                assert_int_equal(s.cg_mode, want[i]);
                criu_settings_done(&s);
        }
        assert_int_equal(criu_flags_check(&(struct criu_flags){.page_server = "10.0.0.1:27"}, &s, &err), 0);
        assert_string_equal(s.ps_address, "10.0.0.1");
        assert_string_equal(s.ps_port, "27");
        criu_settings_done(&s);
        assert_int_equal(criu_flags_check(&(struct criu_flags){.page_server = "[fe80::1]:9000",
                                                                .empty_ns = (char *[]){(char *) "network", NULL}},
                                          &s, &err),
                         0);
        assert_string_equal(s.ps_address, "fe80::1");
        assert_string_equal(s.ps_port, "9000");
        criu_settings_done(&s);
        assert_null(err);
}

/* ---- external mounts ---- */

#define BASE_SPEC "'ociVersion': '1.0.2', 'root': {'path': 'rootfs'}"

static const char *
find_value(const struct criu_ext_mount *m, size_t n, const char *key)
{
        for (size_t i = 0; i < n; i++) {
                if (strcmp(m[i].key, key) == 0)
                        return m[i].value;
        }
        return NULL;
}

static void
test_ext_mounts_dump_and_restore(void **state)
{
        struct spec spec;
        char *dirs[] = {(char *) "/sys/fs/cgroup/memory/ctr", (char *) "/sys/fs/cgroup/cpu,cpuacct/x/ctr",
                        (char *) "/sys/fs/cgroup/unified/ctr", NULL};
        char *masked[] = {(char *) "/proc/kcore", NULL};
        struct criu_mount_facts f = {.cgroup_dirs = dirs, .masked_files = masked, .bundle = "/b"};
        struct criu_ext_mount *m = NULL;
        size_t n = 0;
        (void) state;

        spec_from("{" BASE_SPEC ", 'mounts': ["
                  "  {'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
                  "  {'destination': '/data', 'type': 'bind', 'source': 'vol', 'options': ['rbind']},"
                  "  {'destination': '/etc/hosts', 'source': '/h', 'options': ['bind', 'ro']},"
                  "  {'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup'}],"
                  " 'linux': {'maskedPaths': ['/proc/kcore', '/proc/acpi'],"
                  "   'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229},"
                  "               {'path': '/dev/null', 'type': 'c', 'major': 1, 'minor': 3}]}}",
                  &spec);
        criu_ext_mounts_build(&spec, &f, CRIU_DUMP, &m, &n);
        /* runc's order: binds, cgroup binds, masked files, default devices, config devices. */
        assert_int_equal(n, 2 + 3 + 1 + 6 + 1);
        assert_string_equal(m[0].key, "/data");
        assert_string_equal(m[0].value, "/data");
        assert_string_equal(m[1].key, "/etc/hosts");
        assert_string_equal(m[2].key, "/sys/fs/cgroup/memory");
        assert_string_equal(m[2].value, "/sys/fs/cgroup/memory");
        assert_string_equal(m[3].key, "/sys/fs/cgroup/cpu,cpuacct");
        assert_string_equal(m[4].key, "/sys/fs/cgroup/unified");
        assert_string_equal(m[5].key, "/proc/kcore");
        assert_string_equal(m[5].value, "/dev/null");
        /* /dev/null is in config.json: once, at its place there. */
        assert_string_equal(m[6].key, "/dev/zero");
        assert_string_equal(m[11].key, "/dev/fuse");
        assert_string_equal(m[12].key, "/dev/null");
        assert_null(find_value(m, n, "/dev/console"));
        criu_ext_mounts_free(m, n);

        f.console = true;
        f.console_path = "/dev/pts/7";
        criu_ext_mounts_build(&spec, &f, CRIU_RESTORE, &m, &n);
        assert_string_equal(find_value(m, n, "/data"), "/b/vol");
        assert_string_equal(find_value(m, n, "/etc/hosts"), "/h");
        assert_string_equal(find_value(m, n, "/sys/fs/cgroup/memory"), "/sys/fs/cgroup/memory/ctr");
        assert_string_equal(find_value(m, n, "/sys/fs/cgroup/cpu,cpuacct"), "/sys/fs/cgroup/cpu,cpuacct/x/ctr");
        /* Masked files were all named "/dev/null". */
        assert_string_equal(find_value(m, n, "/dev/null"), "/dev/null");
        assert_null(find_value(m, n, "/proc/kcore"));
        assert_string_equal(find_value(m, n, "console"), "/dev/pts/7");
        criu_ext_mounts_free(m, n);

        f.console_path = NULL;
        criu_ext_mounts_build(&spec, &f, CRIU_DUMP, &m, &n);
        assert_string_equal(find_value(m, n, "/dev/console"), "console");
        criu_ext_mounts_free(m, n);
        spec_done(&spec);
}

static void
test_ext_mounts_resolved_dests(void **state)
{
        struct spec spec;
        char *dests[] = {(char *) "/run/x", NULL};
        struct criu_mount_facts f = {.dests = dests};
        struct criu_ext_mount *m = NULL;
        size_t n = 0;
        (void) state;

        spec_from("{" BASE_SPEC ", 'mounts': [{'destination': '/var/run/x', 'type': 'bind', 'source': '/s'}],"
                  " 'linux': {'devices': []}}",
                  &spec);
        criu_ext_mounts_build(&spec, &f, CRIU_DUMP, &m, &n);
        assert_string_equal(m[0].key, "/run/x");
        assert_string_equal(m[0].value, "/run/x");
        criu_ext_mounts_free(m, n);
        spec_done(&spec);
}

/* A /dev bound from the host: berth makes no device nodes, so there are none to name. */
static void
test_ext_mounts_dev_bound(void **state)
{
        struct spec spec;
        struct criu_mount_facts f = {0};
        struct criu_ext_mount *m = NULL;
        size_t n = 0;
        (void) state;

        spec_from("{" BASE_SPEC ", 'mounts': [{'destination': '/dev', 'type': 'bind', 'source': '/dev', 'options': ['rbind']}]}",
                  &spec);
        criu_ext_mounts_build(&spec, &f, CRIU_DUMP, &m, &n);
        assert_int_equal(n, 1);
        assert_string_equal(m[0].key, "/dev");
        criu_ext_mounts_free(m, n);
        spec_done(&spec);
}

/* On a unified host the cgroup mount is one bind of the container's directory, or cgroup2
 * itself (nothing external) with a new cgroup namespace. */
static void
test_ext_mounts_unified_cgroup(void **state)
{
        struct spec plain, cgns;
        char *dirs[] = {(char *) "/sys/fs/cgroup/system.slice/ctr", NULL};
        struct criu_mount_facts f = {.cgroup_dirs = dirs, .unified_host = true};
        struct criu_ext_mount *m = NULL;
        size_t n = 0;
        (void) state;

        spec_from("{" BASE_SPEC ", 'mounts': [{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup'}],"
                  " 'linux': {'devices': []}}",
                  &plain);
        spec_from("{" BASE_SPEC ", 'mounts': [{'destination': '/sys/fs/cgroup', 'type': 'cgroup', 'source': 'cgroup'}],"
                  " 'linux': {'namespaces': [{'type': 'cgroup'}], 'devices': []}}",
                  &cgns);
        criu_ext_mounts_build(&plain, &f, CRIU_RESTORE, &m, &n);
        assert_string_equal(m[0].key, "/sys/fs/cgroup");
        assert_string_equal(m[0].value, "/sys/fs/cgroup/system.slice/ctr");
        criu_ext_mounts_free(m, n);
        criu_ext_mounts_build(&cgns, &f, CRIU_RESTORE, &m, &n);
        assert_null(find_value(m, n, "/sys/fs/cgroup"));
        criu_ext_mounts_free(m, n);
        spec_done(&plain);
        spec_done(&cgns);
}

/* ---- command lines ---- */

static void
test_dump_argv_minimal(void **state)
{
        struct criu_flags f = {.status_fd = -1};
        struct criu_settings s = {0};
        struct criu_dump_plan p = {.flags = &f, .settings = &s, .pid = 42, .image_dir = "/img",
                                   .rootfs = "/b/rootfs", .status_fd = -1};
        cleanup_strv char **argv = criu_dump_argv_build(&p);
        (void) state;

        assert_argv(argv, "dump -t 42 -D /img -o dump.log -v4 --root /b/rootfs --manage-cgroups --empty-ns net");
}

static void
test_dump_argv_every_flag(void **state)
{
        struct criu_flags f = {.work_path = "/work", .leave_running = true, .tcp_established = true,
                               .ext_unix_sk = true, .shell_job = true, .file_locks = true,
                               .auto_dedup = true, .lazy_pages = true, .status_fd = 9,
                               .parent_path = "../pre"};
        struct criu_settings s = {.cg_mode = CRIU_CG_STRICT, .ps_address = (char *) "10.1.1.1", .ps_port = (char *) "2700"};
        struct criu_ext_mount mounts[] = {{(char *) "/data", (char *) "/data"},
                                          {(char *) "/proc/kcore", (char *) "/dev/null"}};
        struct criu_dump_plan p = {.flags = &f, .settings = &s, .pid = 7, .image_dir = "/img",
                                   .rootfs = "/r", .freezer_dir = "/sys/fs/cgroup/freezer/c",
                                   .config_file = "/etc/criu/runc.conf", .netns_inode = 4026531992ULL,
                                   .pidns_inode = 4026531836ULL, .mounts = mounts, .n_mounts = 2,
                                   .tty_key = "tty[8800:1a]", .status_fd = 3};
        cleanup_strv char **argv = criu_dump_argv_build(&p);
        (void) state;

        assert_argv(argv, "dump -t 7 -D /img -W /work -o dump.log -v4 --root /r --manage-cgroups=strict"
                          " --freeze-cgroup /sys/fs/cgroup/freezer/c --empty-ns net --tcp-established"
                          " --ext-unix-sk --shell-job --file-locks --auto-dedup --lazy-pages --leave-running"
                          " --status-fd 3 --page-server --address 10.1.1.1 --port 2700 --track-mem"
                          " --prev-images-dir ../pre --config /etc/criu/runc.conf"
                          " --external net[4026531992]:extRootNetNS --external pid[4026531836]:extRootPidNS"
                          " --external mnt[/data]:/data --external mnt[/proc/kcore]:/dev/null"
                          " --external tty[8800:1a]");
}

/* A pre-dump is memory only: tracked, running on, without mounts, terminal or descriptors. */
static void
test_pre_dump_argv(void **state)
{
        struct criu_flags f = {.pre_dump = true, .leave_running = true, .status_fd = 5};
        struct criu_settings s = {0};
        struct criu_ext_mount mounts[] = {{(char *) "/data", (char *) "/data"}};
        struct criu_dump_plan p = {.flags = &f, .settings = &s, .pid = 7, .image_dir = "/img/pre",
                                   .rootfs = "/r", .mounts = mounts, .n_mounts = 1,
                                   .tty_key = "tty[1:2]", .status_fd = -1};
        cleanup_strv char **argv = criu_dump_argv_build(&p);
        (void) state;

        assert_argv(argv, "pre-dump -t 7 -D /img/pre -o dump.log -v4 --root /r --manage-cgroups"
                          " --empty-ns net --track-mem");
}

static void
test_restore_argv(void **state)
{
        struct criu_flags f = {.tcp_established = true, .file_locks = true, .lsm_profile = "apparmor:p",
                               .lsm_mount_context = "ctx", .status_fd = -1};
        struct criu_settings s = {.cg_mode = CRIU_CG_SOFT};
        char *roots[] = {(char *) "memory:/c", (char *) "/c", NULL};
        char *desc[] = {(char *) "/dev/null", (char *) "pipe:[123]", (char *) "pipe:[456]", NULL};
        char *join[] = {(char *) "ipc:/proc/1/ns/ipc", NULL};
        struct criu_ext_mount mounts[] = {{(char *) "/data", (char *) "/b/vol"}};
        struct criu_restore_plan p = {.flags = &f, .settings = &s, .image_dir = "/img",
                                      .root = "/run/b/c/criu-root", .pidfile = "/run/b/c/criu.pid",
                                      .cgroup_roots = roots, .mounts = mounts, .n_mounts = 1,
                                      .descriptors = desc, .tty_key = "tty[8802:19]", .tty_fd = 3,
                                      .netns_fd = 4, .pidns_fd = -1, .join_ns = join,
                                      .action_script = "/proc/9/exe"};
        cleanup_strv char **argv = criu_restore_argv_build(&p);
        (void) state;

        assert_argv(argv, "restore -D /img -o restore.log -v4 --root /run/b/c/criu-root --manage-cgroups=soft"
                          " --restore-detached --restore-sibling --pidfile /run/b/c/criu.pid --evasive-devices"
                          " --cgroup-root memory:/c --cgroup-root /c --empty-ns net --tcp-established"
                          " --file-locks --lsm-profile apparmor:p --lsm-mount-context ctx"
                          " --inherit-fd fd[4]:extRootNetNS --join-ns ipc:/proc/1/ns/ipc"
                          " --external mnt[/data]:/b/vol --inherit-fd fd[1]:pipe:[123]"
                          " --inherit-fd fd[2]:pipe:[456] --inherit-fd fd[3]:tty[8802:19]"
                          " --action-script /proc/9/exe");
}

static void
test_restore_argv_minimal(void **state)
{
        struct criu_flags f = {.work_path = "/w", .status_fd = -1};
        struct criu_settings s = {0};
        char *desc[] = {(char *) "/dev/null", (char *) "/tmp/out", (char *) "/dev/pts/0", NULL};
        struct criu_restore_plan p = {.flags = &f, .settings = &s, .image_dir = "/img", .root = "/cr",
                                      .pidfile = "/p", .descriptors = desc, .tty_fd = -1,
                                      .netns_fd = -1, .pidns_fd = -1};
        cleanup_strv char **argv = criu_restore_argv_build(&p);
        (void) state;

        assert_argv(argv, "restore -D /img -W /w -o restore.log -v4 --root /cr --manage-cgroups"
                          " --restore-detached --restore-sibling --pidfile /p --evasive-devices --empty-ns net");
}

static void
test_cgroup_roots(void **state)
{
        struct cgroup_hierarchy h[] = {
                {.mountpoint = (char *) "/sys/fs/cgroup/cpu,cpuacct", .controllers = (char *) "cpu,cpuacct"},
                {.mountpoint = (char *) "/sys/fs/cgroup/systemd", .controllers = (char *) "name=systemd"},
                {.mountpoint = (char *) "/sys/fs/cgroup/unified", .controllers = (char *) "", .v2 = true},
                {.mountpoint = (char *) "/sys/fs/cgroup/memory", .controllers = (char *) "memory"},
        };
        struct cgroup_host host = {.layout = CGROUP_LAYOUT_HYBRID, .h = h, .n = 4};
        char *dirs[] = {(char *) "/sys/fs/cgroup/cpu,cpuacct/a/ctr", (char *) "/sys/fs/cgroup/systemd/ctr",
                        (char *) "/sys/fs/cgroup/unified/ctr", (char *) "/sys/fs/cgroup/memory", NULL};
        cleanup_strv char **roots = criu_cgroup_roots_build(&host, dirs);
        (void) state;

        assert_argv(roots, "cpu,cpuacct:/a/ctr name=systemd:/ctr /ctr memory:/");
}

static void
test_join_ns(void **state)
{
        struct spec spec, bad;
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **v = NULL;
        (void) state;

        spec_from("{" BASE_SPEC ", 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'},"
                  " {'type': 'network', 'path': '/run/netns/x'}, {'type': 'ipc', 'path': '/proc/1/ns/ipc'},"
                  " {'type': 'uts', 'path': '/proc/1/ns/uts'}]}}",
                  &spec);
        assert_int_equal(criu_join_ns_build(&spec, &v, &err), 0);
        assert_argv(v, "ipc:/proc/1/ns/ipc uts:/proc/1/ns/uts");
        spec_done(&spec);

        spec_from("{" BASE_SPEC ", 'linux': {'namespaces': [{'type': 'mount'}, {'type': 'cgroup', 'path': '/proc/1/ns/cgroup'}]}}",
                  &bad);
        assert_int_equal(criu_join_ns_build(&bad, &v, &err), -EOPNOTSUPP);
        assert_string_equal(err->msg, "config.json: linux.namespaces[1]: criu cannot restore into an existing cgroup namespace");
        spec_done(&bad);
}

/* ---- files and messages ---- */

static void
test_descriptors_round_trip(void **state)
{
        char *fds[] = {(char *) "/dev/null", (char *) "pipe:[4242]", (char *) "/var/log/a \"b\"", NULL};
        cleanup_free char *text = criu_descriptors_format(fds);
        cleanup_error berth_error_t *err = NULL;
        cleanup_strv char **back = NULL;
        (void) state;

        /* Compact, as Go's json.Marshal writes it (runc). */
        assert_string_equal(text, "[\"/dev/null\",\"pipe:[4242]\",\"/var/log/a \\\"b\\\"\"]");
        assert_int_equal(criu_descriptors_parse(text, strlen(text), &back, &err), 0);
        assert_int_equal(strv_length(back), 3);
        for (size_t i = 0; i < 3; i++)
                assert_string_equal(back[i], fds[i]);
}

static void
test_descriptors_errors(void **state)
{
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        cleanup_error berth_error_t *e3 = NULL;
        cleanup_strv char **v = NULL;
        (void) state;

        assert_int_equal(criu_descriptors_parse("{}", 2, &v, &e1), -EINVAL);
        assert_string_equal(e1->msg, "expected an array of strings, got object");
        assert_int_equal(criu_descriptors_parse("[\"a\", 1]", 8, &v, &e2), -EINVAL);
        assert_string_equal(e2->json_path, "[1]");
        assert_int_equal(criu_descriptors_parse("[\"a\"", 4, &v, &e3), -EINVAL);
        assert_null(v);
        assert_int_equal(criu_descriptors_parse("[]", 2, &v, &e3), 0);
        assert_non_null(v);
        assert_null(v[0]);
}

static void
test_tty_key(void **state)
{
        cleanup_free char *k = criu_tty_key(0x8801, 0x1a);
        cleanup_free char *big = criu_tty_key(0x880003ULL, 0x100000019ULL);
        (void) state;

        assert_string_equal(k, "tty[8801:1a]");
        assert_string_equal(big, "tty[880003:100000019]");
}

static void
test_log_error_line(void **state)
{
        static const char log[] =
                "(00.000731) Version: 3.17.1 (gitid 0)\n"
                "(00.014792) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds\n"
                "(00.014795) Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.\n"
                "(00.014817) Adjust mmap_min_addr 0x1000 -> 0x10000\n"
                "(00.020000) Error (criu/cr-dump.c:2093): Dumping FAILED.";
        cleanup_free char *line = criu_log_error_line(log);
        cleanup_free char *none = criu_log_error_line("(00.1) fine\n(00.2) Errors are words too? no\n");
        cleanup_free char *bare = criu_log_error_line("Error (criu/crtools.c:237): Couldn't open image dir /x \r\n");
        cleanup_free char *only_summary = criu_log_error_line("(0.1) Error (criu/cr-restore.c:1): Restoring FAILED.\n");
        (void) state;

        assert_string_equal(line, "Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.");
        assert_null(none);
        assert_string_equal(bare, "Error (criu/crtools.c:237): Couldn't open image dir /x");
        assert_null(only_summary);
        assert_null(criu_log_error_line(""));
}

static void
test_notify_message(void **state)
{
        cleanup_free char *msg = criu_notify_format("setup-namespaces", 4242);
        cleanup_free char *action = NULL;
        cleanup_error berth_error_t *e1 = NULL;
        cleanup_error berth_error_t *e2 = NULL;
        pid_t pid = 0;
        (void) state;

        assert_string_equal(msg, "setup-namespaces 4242");
        assert_int_equal(criu_notify_parse(msg, &action, &pid, &e1), 0);
        assert_string_equal(action, "setup-namespaces");
        assert_int_equal(pid, 4242);
        assert_int_equal(criu_notify_parse("post-dump", &action, &pid, &e1), -EPROTO);
        assert_int_equal(criu_notify_parse("x 12a", &action, &pid, &e2), -EPROTO);
        assert_string_equal(e2->msg, "criu action script: bad message \"x 12a\"");
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_flags_defaults),
                cmocka_unit_test(test_flags_runc_messages),
                cmocka_unit_test(test_flags_parsed),
                cmocka_unit_test(test_ext_mounts_dump_and_restore),
                cmocka_unit_test(test_ext_mounts_resolved_dests),
                cmocka_unit_test(test_ext_mounts_dev_bound),
                cmocka_unit_test(test_ext_mounts_unified_cgroup),
                cmocka_unit_test(test_dump_argv_minimal),
                cmocka_unit_test(test_dump_argv_every_flag),
                cmocka_unit_test(test_pre_dump_argv),
                cmocka_unit_test(test_restore_argv),
                cmocka_unit_test(test_restore_argv_minimal),
                cmocka_unit_test(test_cgroup_roots),
                cmocka_unit_test(test_join_ns),
                cmocka_unit_test(test_descriptors_round_trip),
                cmocka_unit_test(test_descriptors_errors),
                cmocka_unit_test(test_tty_key),
                cmocka_unit_test(test_log_error_line),
                cmocka_unit_test(test_notify_message),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
