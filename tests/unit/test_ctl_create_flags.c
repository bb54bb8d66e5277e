/* tests/unit/test_ctl_create_flags.c: supervisor/ctl/create_flags.h: docker create's flags into
 * the create body, as the docker CLI builds it. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/ctl/create_flags.h"

static const char *
at(struct json_object *o, const char *k1, const char *k2)
{
        struct json_object *v = NULL;
        if (!json_object_object_get_ex(o, k1, &v))
                return "absent";
        if (k2 && !json_object_object_get_ex(v, k2, &v))
                return "absent";
        return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
test_many_flags(void **state)
{
        char *argv[] = {"create",
                        "--name",
                        "web",
                        "-e",
                        "A=1",
                        "-e",
                        "HOME",
                        "-e",
                        "UNSET",
                        "-w",
                        "/srv",
                        "-u",
                        "1000:1000",
                        "--entrypoint",
                        "",
                        "-h",
                        "box",
                        "--add-host",
                        "db:10.0.0.1",
                        "-l",
                        "k=v",
                        "--label",
                        "flag",
                        "--init",
                        "--read-only",
                        "--tmpfs",
                        "/run:size=1m",
                        "--privileged",
                        "--cap-add",
                        "NET_ADMIN",
                        "--cap-drop",
                        "ALL",
                        "--device",
                        "/dev/fuse",
                        "--security-opt",
                        "no-new-privileges",
                        "--ulimit",
                        "nofile=10:20",
                        "--stop-signal",
                        "SIGINT",
                        "--stop-timeout",
                        "5",
                        "--restart",
                        "on-failure:3",
                        "-m",
                        "64m",
                        "--memory-swap",
                        "-1",
                        "--memory-reservation",
                        "32m",
                        "--oom-kill-disable",
                        "--oom-score-adj",
                        "-10",
                        "--cpus",
                        "1.5",
                        "--cpu-shares",
                        "512",
                        "--cpuset-cpus",
                        "0-1",
                        "--pids-limit",
                        "50",
                        "--blkio-weight",
                        "300",
                        "--pid",
                        "host",
                        "--ipc",
                        "private",
                        "--uts",
                        "host",
                        "--cgroupns",
                        "private",
                        "--cgroup-parent",
                        "/p",
                        "--sysctl",
                        "net.ipv4.ip_forward=1",
                        "--group-add",
                        "audio",
                        "--shm-size",
                        "1g",
                        "--cidfile",
                        "/tmp/cid",
                        "--health-cmd",
                        "true",
                        "--health-interval",
                        "1m30s",
                        "--health-retries",
                        "2",
                        "-v",
                        "/h:/c:ro",
                        "-v",
                        "/anon",
                        "--network",
                        "none",
                        "--expose",
                        "80",
                        "-t",
                        "-i",
                        "--rm",
                        "busybox",
                        "sh",
                        "-c",
                        "echo hi",
                        NULL};
        char *env[] = {"HOME=/root", NULL};
        struct ctl_create c = {0};
        cleanup_error berth_error_t *err = NULL;
        struct json_object *hc;
        (void) state;

        assert_int_equal(
                ctl_create_parse((int) (sizeof(argv) / sizeof(argv[0])) - 1, argv, env, &c, &err),
                0);
        hc = json_object_object_get(c.body, "HostConfig");
        assert_string_equal(c.name, "web");
        assert_string_equal(c.cidfile, "/tmp/cid");
        assert_true(c.rm);
        assert_string_equal(at(c.body, "Image", NULL), "\"busybox\"");
        assert_string_equal(at(c.body, "Cmd", NULL), "[\"sh\",\"-c\",\"echo hi\"]");
        assert_string_equal(at(c.body, "Env", NULL), "[\"A=1\",\"HOME=/root\"]");
        assert_string_equal(at(c.body, "Entrypoint", NULL), "[\"\"]");
        assert_string_equal(at(c.body, "Labels", NULL), "{\"k\":\"v\",\"flag\":\"\"}");
        assert_string_equal(
                at(c.body, "Healthcheck", NULL),
                "{\"Test\":[\"CMD-SHELL\",\"true\"],\"Interval\":90000000000,\"Retries\":2}");
        assert_string_equal(at(c.body, "Volumes", NULL), "{\"/anon\":{}}");
        assert_string_equal(at(c.body, "ExposedPorts", NULL), "{\"80/tcp\":{}}");
        assert_string_equal(at(c.body, "Tty", NULL), "true");
        assert_string_equal(at(c.body, "OpenStdin", NULL), "true");
        assert_string_equal(at(c.body, "StopTimeout", NULL), "5");
        assert_string_equal(at(hc, "Memory", NULL), "67108864");
        assert_string_equal(at(hc, "MemorySwap", NULL), "-1");
        assert_string_equal(at(hc, "MemoryReservation", NULL), "33554432");
        assert_string_equal(at(hc, "NanoCpus", NULL), "1500000000");
        assert_string_equal(at(hc, "ShmSize", NULL), "1073741824");
        assert_string_equal(at(hc, "Ulimits", NULL),
                            "[{\"Name\":\"nofile\",\"Hard\":20,\"Soft\":10}]");
        assert_string_equal(at(hc, "RestartPolicy", NULL),
                            "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}");
        assert_string_equal(
                at(hc, "Devices", NULL),
                "[{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":\"/dev/fuse\",\"CgroupPermissions\":\"rwm\"}]");
        assert_string_equal(at(hc, "Tmpfs", NULL), "{\"/run\":\"size=1m\"}");
        assert_string_equal(at(hc, "Sysctls", NULL), "{\"net.ipv4.ip_forward\":\"1\"}");
        assert_string_equal(at(hc, "Binds", NULL), "[\"/h:/c:ro\"]");
        assert_string_equal(at(hc, "NetworkMode", NULL), "\"none\"");
        assert_string_equal(at(hc, "PidMode", NULL), "\"host\"");
        assert_string_equal(at(hc, "CapDrop", NULL), "[\"ALL\"]");
        assert_string_equal(at(hc, "AutoRemove", NULL), "true");
        ctl_create_done(&c);
}

static void
test_errors(void **state)
{
        char *no_image[] = {"create", "-t", NULL};
        char *bad_mem[] = {"create", "-m", "12q", "busybox", NULL};
        char *bad_flag[] = {"create", "--bogus", "busybox", NULL};
        char *bad_restart[] = {"create", "--restart", "sometimes", "busybox", NULL};
        char *bad_ulimit[] = {"create", "--ulimit", "nofile", "busybox", NULL};
        struct ctl_create c = {0};
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL, *e5 = NULL;
        (void) state;
        assert_int_equal(ctl_create_parse(2, no_image, NULL, &c, &e1), -EINVAL);
        assert_string_equal(e1->msg, "\"create\" requires at least 1 argument.");
        assert_int_equal(ctl_create_parse(4, bad_mem, NULL, &c, &e2), -EINVAL);
        assert_string_equal(e2->msg, "invalid size: '12q'");
        assert_int_equal(ctl_create_parse(3, bad_flag, NULL, &c, &e3), -EINVAL);
        assert_string_equal(e3->msg, "unknown flag: --bogus");
        assert_int_equal(ctl_create_parse(4, bad_restart, NULL, &c, &e4), -EINVAL);
        assert_string_equal(e4->msg, "invalid restart policy 'sometimes'");
        assert_int_equal(ctl_create_parse(4, bad_ulimit, NULL, &c, &e5), -EINVAL);
        assert_string_equal(e5->msg, "invalid ulimit argument: nofile");
}

/* --security-opt seccomp=FILE: the file's JSON, compacted, as the docker CLI sends it. */
static void
test_security_opt_seccomp_file(void **state)
{
        char path[] = "/tmp/berth-seccomp-XXXXXX";
        int fd = mkstemp(path);
        static const char profile[] =
                "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": [ {\"names\": [\"mkdir\"], \"action\": \"SCMP_ACT_ERRNO\"} ]\n}\n";
        cleanup_free char *opt = NULL;
        cleanup_free char *missing = NULL;
        char *argv[] = {"create",
                        "--security-opt",
                        NULL,
                        "--security-opt",
                        "seccomp=unconfined",
                        "--security-opt",
                        "seccomp:builtin",
                        "busybox",
                        NULL};
        struct ctl_create c = {0};
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL, *e3 = NULL;
        (void) state;

        assert_true(fd >= 0);
        assert_int_equal(write(fd, profile, sizeof(profile) - 1), (ssize_t) sizeof(profile) - 1);
        close(fd);
        opt = xasprintf("seccomp=%s", path);
        argv[2] = opt;
        assert_int_equal(ctl_create_parse(8, argv, NULL, &c, &e1), 0);
        assert_string_equal(
                at(json_object_object_get(c.body, "HostConfig"), "SecurityOpt", NULL),
                "[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\",\\\"syscalls\\\":[{\\\"names\\\":[\\\"mkdir\\\"],\\\"action\\\":\\\"SCMP_ACT_ERRNO\\\"}]}\",\"seccomp=unconfined\",\"seccomp:builtin\"]");
        ctl_create_done(&c);
        /* not JSON: the docker CLI's "compacting json" error */
        fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "{nope", 5), 5);
        close(fd);
        assert_int_equal(ctl_create_parse(8, argv, NULL, &c, &e2), -EINVAL);
        missing = xasprintf("compacting json for seccomp profile (%s) failed: ", path);
        assert_true(strncmp(e2->msg, missing, strlen(missing)) == 0);
        unlink(path);
        assert_int_equal(ctl_create_parse(8, argv, NULL, &c, &e3), -ENOENT);
        free(missing);
        missing = xasprintf("opening seccomp profile (%s) failed: ", path);
        assert_true(strncmp(e3->msg, missing, strlen(missing)) == 0);
}

static void
test_sizes_and_durations(void **state)
{
        int64_t v = 0;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(ctl_parse_bytes("100", &v, &err), 0);
        assert_int_equal(v, 100);
        assert_int_equal(ctl_parse_bytes("1k", &v, &err), 0);
        assert_int_equal(v, 1024);
        assert_int_equal(ctl_parse_bytes("1.5MB", &v, &err), 0);
        assert_int_equal(v, 1572864);
        assert_int_equal(ctl_parse_duration("500ms", &v, &err), 0);
        assert_int_equal(v, 500000000);
        assert_int_equal(ctl_parse_duration("1h2m3s", &v, &err), 0);
        assert_int_equal(v, 3723000000000LL);
        assert_int_equal(ctl_parse_duration("5", &v, &err), -EINVAL);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_many_flags),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_sizes_and_durations),
                cmocka_unit_test(test_security_opt_seccomp_file),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
