/* tests/unit/test_containers_spec.c: supervisor/containers/spec.h: dockerd's default spec and the
 * HostConfig fields over it; each bad value refused with dockerd's message. */
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
#include "supervisor/containers/spec.h"
#include "supervisor/containers/user.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int
fake_stat(const char *path, char *ret_type, int64_t *ret_major, int64_t *ret_minor,
          berth_error_t **err)
{
        if (strcmp(path, "/dev/fuse") != 0)
                return berth_error_new(err, ENOENT, "no device %s", path);
        *ret_type = 'c';
        *ret_major = 10;
        *ret_minor = 229;
        return 0;
}

static int
fake_host_devices(struct json_object **ret, berth_error_t **err)
{
        (void) err;
        *ret = json_tokener_parse(
                "[{\"path\":\"/dev/loop-control\",\"type\":\"c\",\"major\":10,\"minor\":237,\"fileMode\":384,\"uid\":0,\"gid\":0}]");
        return 0;
}

static int
failing_host_devices(struct json_object **ret, berth_error_t **err)
{
        (void) ret;
        return berth_error_new(err, EACCES, "open \"/dev\": Permission denied");
}

static int
build_ex(const char *config, const char *host_config, bool cgroup2,
         container_host_devices_fn host_devices, uint64_t host_caps, struct json_object **ret,
         berth_error_t **err)
{
        cleanup_json struct json_object *req = json_tokener_parse(config);
        cleanup_json struct json_object *hc = host_config ? json_tokener_parse(host_config) : NULL;
        cleanup_json struct json_object *merged = NULL;
        struct container_user user = {.uid = 1000, .gid = 100};
        gid_t extra[] = {10};
        struct container_spec_input in = {0};
        int r;

        assert_non_null(req);
        user.additional = extra;
        user.n_additional = 1;
        r = container_config_merge(NULL, req, ID, &merged, err);
        if (r < 0)
                return r;
        in = (struct container_spec_input){
                .id = ID,
                .config = merged,
                .host_config = hc,
                .user = &user,
                .hostname_path = "/d/hostname",
                .hosts_path = "/d/hosts",
                .resolv_conf_path = "/d/resolv.conf",
                .shm_path = "/x/shm",
                .cgroup2 = cgroup2,
                .ncpu = 2,
                .device_stat = fake_stat,
                .host_devices = host_devices,
                .host_caps = host_caps,
        };
        return container_spec_build(&in, ret, err);
}

static int
build(const char *config, const char *host_config, bool cgroup2, struct json_object **ret,
      berth_error_t **err)
{
        return build_ex(config, host_config, cgroup2, NULL, 0, ret, err);
}

/* The JSON text at a dotted PATH ("linux.resources.memory"), or "absent". */
static const char *
at(struct json_object *o, const char *path)
{
        cleanup_free char *p = xstrdup(path);
        char *save = NULL;
        for (char *t = strtok_r(p, ".", &save); t; t = strtok_r(NULL, ".", &save)) {
                struct json_object *v = NULL;
                if (json_object_is_type(o, json_type_array)) {
                        if ((size_t) atoi(t) >= json_object_array_length(o))
                                return "absent";
                        v = json_object_array_get_idx(o, (size_t) atoi(t));
                } else if (!json_object_object_get_ex(o, t, &v))
                        return "absent";
                o = v;
        }
        return json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
}

static void
expect_error(const char *config, const char *hc, int code, const char *msg)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        assert_int_equal(build(config, hc, false, &spec, &err), -code);
        assert_string_equal(err->msg, msg);
}

/* Volumes come as IN->volumes (supervisor/containers/volumes.c): a bind of _data with docker's
 * rbind, rprivate (and ro); their Binds and Mounts entries are left to the volume plan. */
static void
test_volumes(void **state)
{
        cleanup_json struct json_object *req = json_tokener_parse("{\"Cmd\":[\"sh\"]}");
        cleanup_json struct json_object *hc = json_tokener_parse(
                "{\"Binds\":[\"vol:/data\",\"/lone\"],\"Mounts\":[{\"Type\":\"volume\","
                "\"Target\":\"/m\"}]}");
        cleanup_json struct json_object *vols = json_tokener_parse(
                "[{\"Source\":\"/v/vol/_data\",\"Destination\":\"/data\",\"RW\":true},"
                "{\"Source\":\"/v/x/_data\",\"Destination\":\"/m\",\"RW\":false}]");
        cleanup_json struct json_object *merged = NULL, *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct container_user user = {0};
        struct container_spec_input in = {0};
        struct json_object *mounts = NULL;
        int found = 0;

        (void) state;
        assert_int_equal(container_config_merge(NULL, req, ID, &merged, &err), 0);
        in = (struct container_spec_input){
                .id = ID,
                .config = merged,
                .host_config = hc,
                .user = &user,
                .ncpu = 2,
                .volumes = vols,
        };
        assert_int_equal(container_spec_build(&in, &spec, &err), 0);
        assert_true(json_object_object_get_ex(spec, "mounts", &mounts));
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i), *d, *o;
                const char *dst;
                json_object_object_get_ex(m, "destination", &d);
                json_object_object_get_ex(m, "options", &o);
                dst = json_object_get_string(d);
                assert_string_not_equal(dst, "/lone");
                if (strcmp(dst, "/data") == 0) {
                        found++;
                        assert_string_equal(
                                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                                "[\"rbind\",\"rprivate\"]");
                } else if (strcmp(dst, "/m") == 0) {
                        found++;
                        assert_string_equal(
                                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
                                "[\"rbind\",\"rprivate\",\"ro\"]");
                }
        }
        assert_int_equal(found, 2);
}

static void
test_defaults(void **state)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(build("{\"Cmd\":[\"sh\",\"-c\",\"true\"]}", NULL, false, &spec, &err), 0);
        assert_string_equal(at(spec, "process.args"), "[\"sh\",\"-c\",\"true\"]");
        assert_string_equal(at(spec, "process.user"),
                            "{\"uid\":1000,\"gid\":100,\"additionalGids\":[10]}");
        assert_string_equal(at(spec, "process.cwd"), "\"/\"");
        assert_string_equal(at(spec, "process.terminal"), "false");
        assert_string_equal(
                at(spec, "process.capabilities.bounding"),
                "[\"CAP_CHOWN\",\"CAP_DAC_OVERRIDE\",\"CAP_FSETID\",\"CAP_FOWNER\",\"CAP_MKNOD\",\"CAP_NET_RAW\",\"CAP_SETGID\",\"CAP_SETUID\",\"CAP_SETFCAP\",\"CAP_SETPCAP\",\"CAP_NET_BIND_SERVICE\",\"CAP_SYS_CHROOT\",\"CAP_KILL\",\"CAP_AUDIT_WRITE\"]");
        assert_string_equal(at(spec, "process.rlimits"), "absent");
        assert_string_equal(at(spec, "process.noNewPrivileges"), "absent");
        assert_string_equal(at(spec, "hostname"), "\"0123456789ab\"");
        assert_string_equal(at(spec, "root"), "{\"path\":\"rootfs\",\"readonly\":false}");
        assert_string_equal(
                at(spec, "linux.namespaces"),
                "[{\"type\":\"mount\"},{\"type\":\"network\"},{\"type\":\"uts\"},{\"type\":\"pid\"},{\"type\":\"ipc\"}]");
        assert_string_equal(at(spec, "linux.cgroupsPath"), "\"/berth/" ID "\"");
        assert_string_equal(at(spec, "linux.maskedPaths.0"), "\"/proc/asound\"");
        assert_string_equal(at(spec, "linux.readonlyPaths.3"), "\"/proc/sys\"");
        assert_string_equal(at(spec, "linux.resources.devices.0"),
                            "{\"allow\":false,\"access\":\"rwm\"}");
        assert_string_equal(
                at(spec, "mounts.0"),
                "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]}");
        assert_string_equal(at(spec, "mounts.3.options"),
                            "[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]");
        assert_string_equal(at(spec, "mounts.4.destination"), "\"/sys/fs/cgroup\"");
        assert_string_equal(
                at(spec, "mounts.6"),
                "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=67108864\"]}");
        assert_string_equal(
                at(spec, "mounts.7"),
                "{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"/d/resolv.conf\",\"options\":[\"rbind\",\"rprivate\"]}");
        assert_string_equal(at(spec, "mounts.8.destination"), "\"/etc/hostname\"");
        assert_string_equal(at(spec, "mounts.9.destination"), "\"/etc/hosts\"");
        assert_string_equal(at(spec, "mounts.10"), "absent");
}

static void
test_cgroupns_private_on_v2_only(void **state)
{
        cleanup_json struct json_object *v2 = NULL, *v1 = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(build("{\"Cmd\":[\"sh\"]}", NULL, true, &v2, &err), 0);
        assert_string_equal(at(v2, "linux.namespaces.5"), "{\"type\":\"cgroup\"}");
        assert_int_equal(
                build("{\"Cmd\":[\"sh\"]}", "{\"CgroupnsMode\":\"private\"}", false, &v1, &err), 0);
        assert_string_equal(at(v1, "linux.namespaces.5"), "{\"type\":\"cgroup\"}");
}

static void
test_host_namespaces(void **state)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(
                build("{\"Cmd\":[\"sh\"]}",
                      "{\"PidMode\":\"host\",\"IpcMode\":\"host\",\"UTSMode\":\"host\",\"NetworkMode\":\"host\"}",
                      false, &spec, &err),
                0);
        assert_string_equal(at(spec, "linux.namespaces"), "[{\"type\":\"mount\"}]");
        assert_string_equal(at(spec, "hostname"), "absent");
}

static void
test_resources(void **state)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(
                build("{\"Cmd\":[\"sh\"]}",
                      "{\"Memory\":67108864,\"MemorySwap\":134217728,\"MemoryReservation\":33554432,"
                      "\"OomKillDisable\":true,\"NanoCpus\":1500000000,\"CpuShares\":512,"
                      "\"CpusetCpus\":\"0\",\"PidsLimit\":100,\"BlkioWeight\":300,\"CgroupParent\":\"/mine\"}",
                      false, &spec, &err),
                0);
        assert_string_equal(
                at(spec, "linux.resources.memory"),
                "{\"limit\":67108864,\"reservation\":33554432,\"swap\":134217728,\"disableOOMKiller\":true}");
        assert_string_equal(at(spec, "linux.resources.cpu"),
                            "{\"shares\":512,\"quota\":150000,\"period\":100000,\"cpus\":\"0\"}");
        assert_string_equal(at(spec, "linux.resources.pids"), "{\"limit\":100}");
        assert_string_equal(at(spec, "linux.resources.blockIO"), "{\"weight\":300}");
        assert_string_equal(at(spec, "linux.cgroupsPath"), "\"/mine/" ID "\"");
}

static void
test_resource_errors(void **state)
{
        (void) state;
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"Memory\":1024}", EINVAL,
                     "Minimum memory limit allowed is 6MB");
        expect_error(
                "{\"Cmd\":[\"sh\"]}", "{\"MemorySwap\":67108864}", EINVAL,
                "You should always set the Memory limit when using Memoryswap limit, see usage");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"Memory\":67108864,\"MemorySwap\":33554432}", EINVAL,
                     "Minimum memoryswap limit should be larger than memory limit, see usage");
        expect_error(
                "{\"Cmd\":[\"sh\"]}", "{\"Memory\":8388608,\"MemoryReservation\":16777216}", EINVAL,
                "Minimum memory limit can not be less than memory reservation limit, see usage");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"NanoCpus\":3000000000}", EINVAL,
                     "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"BlkioWeight\":5}", EINVAL,
                     "Range of blkio weight is from 10 to 1000");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"OomScoreAdj\":1001}", EINVAL,
                     "Invalid value 1001, range for oom score adj is [-1000, 1000]");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"ShmSize\":-1}", EINVAL,
                     "SHM size can not be less than 0");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"IpcMode\":\"weird\"}", EINVAL,
                     "invalid IPC mode: weird");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"CgroupnsMode\":\"x\"}", EINVAL,
                     "invalid cgroup namespace mode: x");
        expect_error("{\"Cmd\":[\"sh\"],\"WorkingDir\":\"rel\"}", NULL, EINVAL,
                     "the working directory 'rel' is invalid, it needs to be an absolute path");
}

static void
test_caps(void **state)
{
        cleanup_json struct json_object *a = NULL, *b = NULL, *c = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(build("{\"Cmd\":[\"sh\"]}",
                               "{\"CapAdd\":[\"net_admin\"],\"CapDrop\":[\"CAP_MKNOD\",\"chown\"]}",
                               false, &a, &err),
                         0);
        assert_string_equal(at(a, "process.capabilities.effective.0"), "\"CAP_DAC_OVERRIDE\"");
        assert_string_equal(at(a, "process.capabilities.effective.12"), "\"CAP_NET_ADMIN\"");
        assert_string_equal(at(a, "process.capabilities.effective.13"), "absent");
        assert_int_equal(build("{\"Cmd\":[\"sh\"]}",
                               "{\"CapDrop\":[\"ALL\"],\"CapAdd\":[\"KILL\"]}", false, &b, &err),
                         0);
        assert_string_equal(at(b, "process.capabilities.permitted"), "[\"CAP_KILL\"]");
        assert_int_equal(build("{\"Cmd\":[\"sh\"]}", "{\"CapAdd\":[\"ALL\"]}", false, &c, &err), 0);
        assert_string_equal(at(c, "process.capabilities.bounding.40"),
                            "\"CAP_CHECKPOINT_RESTORE\"");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"CapAdd\":[\"FOO\"]}", EINVAL,
                     "unknown capability: \"FOO\"");
}

static void
test_privileged(void **state)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(build("{\"Cmd\":[\"sh\"]}", "{\"Privileged\":true}", false, &spec, &err),
                         0);
        assert_string_equal(at(spec, "linux.maskedPaths"), "absent");
        assert_string_equal(at(spec, "linux.readonlyPaths"), "absent");
        assert_string_equal(at(spec, "linux.resources.devices"),
                            "[{\"allow\":true,\"access\":\"rwm\"}]");
        assert_string_equal(at(spec, "mounts.3.options.3"), "\"rw\"");
        assert_string_equal(at(spec, "process.capabilities.bounding.21"), "\"CAP_SYS_ADMIN\"");
}

/* --privileged: the host's devices (HostConfig.Devices not looked at, as moby), every cap the
 * daemon holds, no seccomp filter. */
static void
test_privileged_devices_and_caps(void **state)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        /* CAP_CHOWN (0), CAP_SYS_ADMIN (21), CAP_SYS_RESOURCE (24) missing */
        uint64_t held = ((UINT64_C(1) << 41) - 1) & ~(UINT64_C(1) << 0) & ~(UINT64_C(1) << 21)
                        & ~(UINT64_C(1) << 24);
        (void) state;
        assert_int_equal(
                build_ex("{\"Cmd\":[\"sh\"]}",
                         "{\"Privileged\":true,\"Devices\":[{\"PathOnHost\":\"/dev/fuse\"}]}",
                         false, fake_host_devices, held, &spec, &err),
                0);
        assert_string_equal(
                at(spec, "linux.devices"),
                "[{\"path\":\"/dev/loop-control\",\"type\":\"c\",\"major\":10,\"minor\":237,\"fileMode\":384,\"uid\":0,\"gid\":0}]");
        assert_string_equal(at(spec, "linux.resources.devices"),
                            "[{\"allow\":true,\"access\":\"rwm\"}]");
        assert_string_equal(at(spec, "linux.seccomp"), "absent");
        assert_string_equal(at(spec, "process.capabilities.bounding.0"), "\"CAP_DAC_OVERRIDE\"");
        {
                const char *b = at(spec, "process.capabilities.bounding");
                assert_null(strstr(b, "CAP_SYS_ADMIN"));
                assert_null(strstr(b, "CAP_SYS_RESOURCE"));
                assert_non_null(strstr(b, "CAP_SYS_PTRACE"));
                assert_non_null(strstr(b, "CAP_CHECKPOINT_RESTORE"));
        }
        json_object_put(TAKE_PTR(spec));
        /* --cap-add ALL is bounded the same way */
        assert_int_equal(build_ex("{\"Cmd\":[\"sh\"]}", "{\"CapAdd\":[\"ALL\"]}", false, NULL, held,
                                  &spec, &err),
                         0);
        assert_null(strstr(at(spec, "process.capabilities.bounding"), "CAP_SYS_ADMIN"));
        assert_string_equal(at(spec, "linux.seccomp.defaultAction"), "\"SCMP_ACT_ERRNO\"");
        json_object_put(TAKE_PTR(spec));
        /* the host's devices cannot be listed: the create fails with that error */
        assert_int_equal(build_ex("{\"Cmd\":[\"sh\"]}", "{\"Privileged\":true}", false,
                                  failing_host_devices, 0, &spec, &err),
                         -EACCES);
        assert_string_equal(err->msg, "open \"/dev\": Permission denied");
}

/* HostConfig.SecurityOpt's seccomp: default, unconfined, builtin, a profile's JSON, a bad one. */
static void
test_seccomp(void **state)
{
        (void) state;
        {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(build("{\"Cmd\":[\"sh\"]}", NULL, false, &spec, &err), 0);
                assert_string_equal(at(spec, "linux.seccomp.defaultAction"), "\"SCMP_ACT_ERRNO\"");
                assert_string_equal(at(spec, "linux.seccomp.defaultErrnoRet"), "1");
                /* the default caps: chroot is in, mount is not */
                assert_non_null(strstr(at(spec, "linux.seccomp.syscalls"), "\"chroot\""));
                assert_null(strstr(at(spec, "linux.seccomp.syscalls"), "\"mount\""));
        }
        {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(build("{\"Cmd\":[\"sh\"]}", "{\"CapAdd\":[\"SYS_ADMIN\"]}", false,
                                       &spec, &err),
                                 0);
                assert_non_null(strstr(at(spec, "linux.seccomp.syscalls"), "\"mount\""));
        }
        for (const char *const *o =
                     (const char *const[]){"seccomp=unconfined", "seccomp:unconfined", NULL};
             *o; o++) {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                cleanup_free char *hc = xasprintf("{\"SecurityOpt\":[\"%s\"]}", *o);
                assert_int_equal(build("{\"Cmd\":[\"sh\"]}", hc, false, &spec, &err), 0);
                assert_string_equal(at(spec, "linux.seccomp"), "absent");
        }
        {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(
                        build("{\"Cmd\":[\"sh\"]}",
                              "{\"SecurityOpt\":[\"seccomp=unconfined\",\"seccomp=builtin\"]}",
                              false, &spec, &err),
                        0);
                assert_string_equal(at(spec, "linux.seccomp.defaultAction"), "\"SCMP_ACT_ERRNO\"");
        }
        {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(
                        build("{\"Cmd\":[\"sh\"]}",
                              "{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_ALLOW\\\",\\\"syscalls\\\":[{\\\"names\\\":[\\\"mkdir\\\"],\\\"action\\\":\\\"SCMP_ACT_ERRNO\\\"}]}\"]}",
                              false, &spec, &err),
                        0);
                assert_string_equal(
                        at(spec, "linux.seccomp"),
                        "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"action\":\"SCMP_ACT_ERRNO\",\"names\":[\"mkdir\"]}]}");
        }
        expect_error("{\"Cmd\":[\"sh\"]}",
                     "{\"SecurityOpt\":[\"seccomp={\\\"defaultAction\\\":\\\"SCMP_ACT_FOO\\\"}\"]}",
                     EINVAL, "seccomp profile: defaultAction: unknown action \"SCMP_ACT_FOO\"");
        {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(build("{\"Cmd\":[\"sh\"]}",
                                       "{\"SecurityOpt\":[\"seccomp=/tmp/p.json\"]}", false, &spec,
                                       &err),
                                 -EINVAL);
                assert_true(strncmp(err->msg, "seccomp profile: ", 17) == 0);
        }
        /* --privileged wins over a profile, as in dockerd 20.10 */
        {
                cleanup_json struct json_object *spec = NULL;
                cleanup_error berth_error_t *err = NULL;
                assert_int_equal(build("{\"Cmd\":[\"sh\"]}",
                                       "{\"Privileged\":true,\"SecurityOpt\":[\"seccomp={}\"]}",
                                       false, &spec, &err),
                                 0);
                assert_string_equal(at(spec, "linux.seccomp"), "absent");
        }
}

static void
test_mounts_devices_rlimits_sysctls(void **state)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        (void) state;
        assert_int_equal(
                build("{\"Cmd\":[\"sh\"],\"Tty\":true,\"WorkingDir\":\"/w\",\"StopSignal\":\"SIGUSR1\",\"Healthcheck\":{\"Interval\":1000000000,\"Retries\":3}}",
                      "{\"Binds\":[\"/src:/dst:ro,rslave\"],\"Tmpfs\":{\"/run\":\"size=1m\"},"
                      "\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/a\",\"Target\":\"/b\",\"ReadOnly\":true}],"
                      "\"Devices\":[{\"PathOnHost\":\"/dev/fuse\",\"PathInContainer\":\"/dev/fuse\",\"CgroupPermissions\":\"rw\"}],"
                      "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":100,\"Hard\":200}],"
                      "\"Sysctls\":{\"net.ipv4.ip_forward\":\"1\"},\"ReadonlyRootfs\":true,"
                      "\"SecurityOpt\":[\"no-new-privileges\"],\"ShmSize\":1048576,\"OomScoreAdj\":-500}",
                      false, &spec, &err),
                0);
        assert_string_equal(at(spec, "process.terminal"), "true");
        assert_string_equal(at(spec, "process.cwd"), "\"/w\"");
        assert_string_equal(at(spec, "process.noNewPrivileges"), "true");
        assert_string_equal(at(spec, "process.oomScoreAdj"), "-500");
        assert_string_equal(at(spec, "process.rlimits"),
                            "[{\"type\":\"RLIMIT_NOFILE\",\"hard\":200,\"soft\":100}]");
        assert_string_equal(at(spec, "root.readonly"), "true");
        assert_string_equal(at(spec, "mounts.6.options.4"), "\"size=1048576\"");
        assert_string_equal(
                at(spec, "mounts.10"),
                "{\"destination\":\"/run\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"noexec\",\"nosuid\",\"nodev\",\"size=1m\"]}");
        assert_string_equal(
                at(spec, "mounts.11"),
                "{\"destination\":\"/dst\",\"type\":\"bind\",\"source\":\"/src\",\"options\":[\"rbind\",\"rslave\",\"ro\"]}");
        assert_string_equal(
                at(spec, "mounts.12"),
                "{\"destination\":\"/b\",\"type\":\"bind\",\"source\":\"/a\",\"options\":[\"rbind\",\"rprivate\",\"ro\"]}");
        assert_string_equal(
                at(spec, "linux.devices"),
                "[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,\"fileMode\":8630,\"uid\":0,\"gid\":0}]");
        assert_string_equal(
                at(spec, "linux.resources.devices.13"),
                "{\"allow\":true,\"type\":\"c\",\"major\":10,\"minor\":229,\"access\":\"rw\"}");
        assert_string_equal(at(spec, "linux.sysctl"), "{\"net.ipv4.ip_forward\":\"1\"}");
}

static void
test_bad_host_config_values(void **state)
{
        (void) state;
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"Sysctls\":{\"kernel.foo\":\"1\"}}", EINVAL,
                     "sysctl 'kernel.foo' is not whitelisted");
        expect_error("{\"Cmd\":[\"sh\"]}",
                     "{\"NetworkMode\":\"host\",\"Sysctls\":{\"net.core.somaxconn\":\"1\"}}",
                     EINVAL, "sysctl 'net.core.somaxconn' not allowed in host network mode");
        expect_error("{\"Cmd\":[\"sh\"]}",
                     "{\"Ulimits\":[{\"Name\":\"nofiles\",\"Soft\":1,\"Hard\":1}]}", EINVAL,
                     "invalid ulimit type: nofiles");
        expect_error(
                "{\"Cmd\":[\"sh\"]}", "{\"Binds\":[\"/a:rel\"]}", EINVAL,
                "invalid volume specification: '/a:rel': invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"Devices\":[{\"PathOnHost\":\"/dev/nope\"}]}", ENOENT,
                     "no device /dev/nope");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"SecurityOpt\":[\"bogus\"]}", EINVAL,
                     "invalid --security-opt 2: \"bogus\"");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"NetworkMode\":\"container:\"}", EINVAL,
                     "Invalid network mode: invalid container format container:<name|id>");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"UTSMode\":\"container:x\"}", EINVAL,
                     "invalid UTS mode: container:x");
        expect_error("{\"Cmd\":[\"sh\"]}", "{\"RestartPolicy\":{\"Name\":\"sometimes\"}}", EINVAL,
                     "invalid restart policy 'sometimes'");
        expect_error("{\"Cmd\":[\"sh\"]}",
                     "{\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":2}}", EINVAL,
                     "maximum retry count cannot be used with restart policy 'always'");
        expect_error("{\"Cmd\":[\"sh\"]}",
                     "{\"AutoRemove\":true,\"RestartPolicy\":{\"Name\":\"always\"}}", EINVAL,
                     "can't create 'AutoRemove' container with restart policy");
        expect_error("{\"Cmd\":[\"sh\"],\"StopSignal\":\"SIGFOO\"}", NULL, EINVAL,
                     "Invalid signal: SIGFOO");
        expect_error("{\"Cmd\":[\"sh\"],\"Healthcheck\":{\"Interval\":10}}", NULL, EINVAL,
                     "Interval in Healthcheck cannot be less than 1ms");
        expect_error("{\"Cmd\":[\"sh\"],\"Healthcheck\":{\"Retries\":-1}}", NULL, EINVAL,
                     "Retries in Healthcheck cannot be negative");
}

/* --init: berth-init bind-mounted read-only at /sbin/docker-init, prepended with "--". */
/* The /dev/shm mount of a spec built with HostConfig HC, or "absent". */
static char *
shm_of(const char *hc)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *mounts = NULL;

        assert_int_equal(build("{\"Cmd\":[\"sh\"]}", hc, false, &spec, &err), 0);
        assert_true(json_object_object_get_ex(spec, "mounts", &mounts));
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i), *d = NULL;
                if (json_object_object_get_ex(m, "destination", &d)
                    && strcmp(json_object_get_string(d), "/dev/shm") == 0)
                        return xstrdup(json_object_to_json_string_ext(
                                m, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        }
        return xstrdup("absent");
}

/* The namespaces entry of TYPE, or "absent". */
static char *
ns_of(const char *hc, const char *type)
{
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *linux_ = NULL, *nss = NULL;

        assert_int_equal(build("{\"Cmd\":[\"sh\"]}", hc, false, &spec, &err), 0);
        assert_true(json_object_object_get_ex(spec, "linux", &linux_));
        assert_true(json_object_object_get_ex(linux_, "namespaces", &nss));
        for (size_t i = 0; i < json_object_array_length(nss); i++) {
                struct json_object *n = json_object_array_get_idx(nss, i), *t = NULL;
                if (json_object_object_get_ex(n, "type", &t)
                    && strcmp(json_object_get_string(t), type) == 0)
                        return xstrdup(json_object_to_json_string_ext(
                                n, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
        }
        return xstrdup("absent");
}

static void
test_ipc_modes(void **state)
{
        static const char tmpfs[] =
                "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=1048576\"]}";
        static const char shareable[] =
                "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/x/shm\",\"options\":[\"rbind\",\"rprivate\"]}";
        static const char host[] =
                "{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/dev/shm\",\"options\":[\"rbind\",\"rprivate\"]}";
        struct {
                const char *hc, *shm, *ipc_ns;
        } cases[] = {
                {"{\"ShmSize\":1048576}", tmpfs, "{\"type\":\"ipc\"}"},
                {"{\"ShmSize\":1048576,\"IpcMode\":\"private\"}", tmpfs, "{\"type\":\"ipc\"}"},
                {"{\"ShmSize\":1048576,\"IpcMode\":\"shareable\"}", shareable,
                 "{\"type\":\"ipc\"}"},
                /* --shm-size means nothing to host, none and container:X (dockerd) */
                {"{\"ShmSize\":1048576,\"IpcMode\":\"host\"}", host, "absent"},
                {"{\"ShmSize\":1048576,\"IpcMode\":\"none\"}", "absent", "{\"type\":\"ipc\"}"},
                {"{\"ShmSize\":1048576,\"IpcMode\":\"container:" ID "\"}", "absent",
                 "{\"type\":\"ipc\"}"},
        };
        (void) state;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                cleanup_free char *shm = shm_of(cases[i].hc);
                cleanup_free char *ns = ns_of(cases[i].hc, "ipc");
                assert_string_equal(shm, cases[i].shm);
                assert_string_equal(ns, cases[i].ipc_ns);
        }
}

static void
test_container_modes_keep_their_namespaces(void **state)
{
        (void) state;
        /* The entry is there without a path: the start path adds the target's (nsjoin.h). */
        {
                cleanup_free char *ns = ns_of("{\"PidMode\":\"container:x\"}", "pid");
                assert_string_equal(ns, "{\"type\":\"pid\"}");
        }
        {
                cleanup_free char *ns = ns_of("{\"NetworkMode\":\"container:x\"}", "network");
                assert_string_equal(ns, "{\"type\":\"network\"}");
        }
}

static int
build_init(const char *host_config, const char *init_path, bool init_default,
           struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *req = json_tokener_parse("{\"Cmd\":[\"ps\",\"-ef\"]}");
        cleanup_json struct json_object *hc = json_tokener_parse(host_config);
        cleanup_json struct json_object *merged = NULL;
        struct container_user user = {0};
        int r = container_config_merge(NULL, req, ID, &merged, err);
        if (r < 0)
                return r;
        struct container_spec_input in = {.id = ID, .config = merged, .host_config = hc,
                                          .user = &user, .ncpu = 2, .init_path = init_path,
                                          .init_default = init_default};
        return container_spec_build(&in, ret, err);
}

static bool
has_init_mount(struct json_object *spec)
{
        struct json_object *mounts = NULL;
        json_object_object_get_ex(spec, "mounts", &mounts);
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i);
                if (strcmp(at(m, "destination"), "\"/sbin/docker-init\"") == 0) {
                        assert_string_equal(at(m, "source"), "\"/x/berth-init\"");
                        assert_string_equal(at(m, "options"), "[\"bind\",\"ro\"]");
                        return true;
                }
        }
        return false;
}

static void
test_init(void **state)
{
        (void) state;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *spec = NULL;

        assert_int_equal(build_init("{\"Init\":true}", "/x/berth-init", false, &spec, &err), 0);
        assert_string_equal(at(spec, "process.args"), "[\"/sbin/docker-init\",\"--\",\"ps\",\"-ef\"]");
        assert_true(has_init_mount(spec));
        json_object_put(spec), spec = NULL;
        /* daemon.json "init" when the request says nothing; an explicit false wins */
        assert_int_equal(build_init("{}", "/x/berth-init", true, &spec, &err), 0);
        assert_true(has_init_mount(spec));
        json_object_put(spec), spec = NULL;
        assert_int_equal(build_init("{\"Init\":false}", "/x/berth-init", true, &spec, &err), 0);
        assert_false(has_init_mount(spec));
        assert_string_equal(at(spec, "process.args"), "[\"ps\",\"-ef\"]");
        json_object_put(spec), spec = NULL;
        assert_int_equal(build_init("{\"Init\":null}", "/x/berth-init", false, &spec, &err), 0);
        assert_false(has_init_mount(spec));
        json_object_put(spec), spec = NULL;
        /* no berth-init */
        assert_int_equal(build_init("{\"Init\":true}", NULL, false, &spec, &err), -ENOTSUP);
        assert_null(spec);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_cgroupns_private_on_v2_only),
                cmocka_unit_test(test_host_namespaces),
                cmocka_unit_test(test_resources),
                cmocka_unit_test(test_resource_errors),
                cmocka_unit_test(test_caps),
                cmocka_unit_test(test_privileged),
                cmocka_unit_test(test_privileged_devices_and_caps),
                cmocka_unit_test(test_seccomp),
                cmocka_unit_test(test_mounts_devices_rlimits_sysctls),
                cmocka_unit_test(test_bad_host_config_values),
                cmocka_unit_test(test_init),
                cmocka_unit_test(test_volumes),
                cmocka_unit_test(test_ipc_modes),
                cmocka_unit_test(test_container_modes_keep_their_namespaces),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
