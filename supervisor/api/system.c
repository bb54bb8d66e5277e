/* supervisor/api/system.c: /_ping, /version and /info in dockerd 20.10's shapes, with this
 * host's and this daemon's real values. */
#include <config.h>

#include "supervisor/api/system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/xalloc.h"
#include "supervisor/events/bus.h"
#include "supervisor/api/containers.h"
#include "supervisor/metadata/db.h"
#include "supervisor/snapshots/probe.h"

#ifndef CGROUP2_SUPER_MAGIC
#        define CGROUP2_SUPER_MAGIC 0x63677270
#endif

#define ARCH_GO_NAME_MAX 16

void
api_system_ping(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        (void) ctx;
        /* dockerd 20.10 adds Builder-Version only when a builder is configured; berthd has none. */
        api_response_add_header(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
        api_response_add_header(resp, "Pragma", "no-cache");
        resp->status = 200;
        resp->content_type = "text/plain; charset=utf-8";
        if (strcmp(req->method, "HEAD") == 0)
                return;
        resp->body = xstrdup("OK");
        resp->body_len = 2;
}

/* Go's GOARCH spelling, which docker reports. */
static const char *
go_arch(const char *machine)
{
        static const struct {
                const char *uname, *go;
        } map[] = {
                {"x86_64", "amd64"}, {"aarch64", "arm64"},   {"i686", "386"},
                {"i386", "386"},     {"armv7l", "arm"},      {"ppc64le", "ppc64le"},
                {"s390x", "s390x"},  {"riscv64", "riscv64"},
        };
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
                if (strcmp(map[i].uname, machine) == 0)
                        return map[i].go;
        return machine;
}

static void
add_str(struct json_object *o, const char *k, const char *v)
{
        json_object_object_add(o, k, json_object_new_string(v ? v : ""));
}

void
api_system_version(const struct api_ctx *ctx, const struct api_request *req,
                   struct api_response *resp)
{
        struct json_object *o = json_object_new_object();
        struct json_object *platform = json_object_new_object();
        struct json_object *components = json_object_new_array();
        struct json_object *engine = json_object_new_object();
        struct json_object *details = json_object_new_object();
        struct json_object *runtime = json_object_new_object();
        struct json_object *rdetails = json_object_new_object();
        struct utsname u;

        (void) req;
        uname(&u);
        add_str(platform, "Name", "berth");
        json_object_object_add(o, "Platform", platform);

        add_str(engine, "Name", "Engine");
        add_str(engine, "Version", PACKAGE_VERSION);
        add_str(details, "ApiVersion", API_VERSION_MAX);
        add_str(details, "Arch", go_arch(u.machine));
        add_str(details, "BuildTime", BERTH_BUILD_TIME);
        add_str(details, "Experimental", "false");
        add_str(details, "GitCommit", BERTH_COMMIT);
        /* berthd is C: no Go toolchain to report. The compiler stands in its place. */
        add_str(details, "GoVersion", "n/a (C, " __VERSION__ ")");
        add_str(details, "KernelVersion", u.release);
        add_str(details, "MinAPIVersion", API_VERSION_MIN);
        add_str(details, "Os", "linux");
        json_object_object_add(engine, "Details", details);
        json_object_array_add(components, engine);

        add_str(runtime, "Name", "berth");
        add_str(runtime, "Version", PACKAGE_VERSION);
        add_str(rdetails, "GitCommit", BERTH_COMMIT);
        add_str(rdetails, "Path", ctx->runtime_path);
        json_object_object_add(runtime, "Details", rdetails);
        json_object_array_add(components, runtime);
        json_object_object_add(o, "Components", components);

        add_str(o, "Version", PACKAGE_VERSION);
        add_str(o, "ApiVersion", API_VERSION_MAX);
        add_str(o, "MinAPIVersion", API_VERSION_MIN);
        add_str(o, "GitCommit", BERTH_COMMIT);
        add_str(o, "GoVersion", "n/a (C, " __VERSION__ ")");
        add_str(o, "Os", "linux");
        add_str(o, "Arch", go_arch(u.machine));
        add_str(o, "KernelVersion", u.release);
        add_str(o, "BuildTime", BERTH_BUILD_TIME);
        api_response_json(resp, 200, o);
}

char *
api_os_release_value(const char *buf, const char *key)
{
        size_t klen = strlen(key);
        const char *line = buf;

        while (line && *line) {
                const char *eol = strchr(line, '\n');
                size_t len = eol ? (size_t) (eol - line) : strlen(line);
                if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == '=') {
                        const char *v = line + klen + 1;
                        size_t vlen = len - klen - 1;
                        if (vlen >= 2 && (v[0] == '"' || v[0] == '\'') && v[vlen - 1] == v[0]) {
                                v++;
                                vlen -= 2;
                        }
                        return xstrndup(v, vlen);
                }
                line = eol ? eol + 1 : NULL;
        }
        return NULL;
}

static char *
os_release(const char *key, const char *fallback)
{
        cleanup_free char *buf = NULL;
        cleanup_error berth_error_t *err = NULL; /* no os-release: the fallback says so */
        size_t len = 0;
        char *v = NULL;

        if (fs_read_file(AT_FDCWD, "/etc/os-release", &buf, &len, &err) >= 0)
                v = api_os_release_value(buf, key);
        if (v == NULL && fs_read_file(AT_FDCWD, "/usr/lib/os-release", &buf, &len, &err) >= 0)
                v = api_os_release_value(buf, key);
        return v ? v : xstrdup(fallback);
}

/* dockerd's first overlay2 line in "docker info" (vfs has none). */
static void
add_driver_status(struct json_object *status, const char *data_root)
{
        struct json_object *row = json_object_new_array();

        json_object_array_add(row, json_object_new_string("Backing Filesystem"));
        json_object_array_add(row, json_object_new_string(snapshots_backing_fs(data_root)));
        json_object_array_add(status, row);
}

static const char *
cgroup_version(void)
{
        struct statfs st;

        if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
                return "2";
        return "1";
}

static int64_t
count_dir(const char *path)
{
        cleanup_dir DIR *d = opendir(path);
        struct dirent *de;
        int64_t n = 0;

        if (d == NULL)
                return 0;
        while ((de = readdir(d)) != NULL)
                if (de->d_name[0] != '.')
                        n++;
        return n - 1; /* the directory's own fd */
}

static int64_t
proc_status_value(const char *key)
{
        cleanup_free char *buf = NULL;
        cleanup_error berth_error_t *err = NULL; /* reported as 0, as a missing counter */
        size_t len = 0, klen = strlen(key);

        if (fs_read_file(AT_FDCWD, "/proc/self/status", &buf, &len, &err) < 0)
                return 0;
        for (char *l = buf; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, klen) == 0 && l[klen] == ':')
                        return strtoll(l + klen + 1, NULL, 10);
        return 0;
}

static int
ip_forward(void)
{
        cleanup_free char *buf = NULL;
        cleanup_error berth_error_t *err = NULL; /* unreadable: reported as off */
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", &buf, &len, &err) < 0)
                return 0;
        return buf[0] == '1';
}

static struct json_object *
strv_json(char *const *v)
{
        struct json_object *a = json_object_new_array();
        for (size_t i = 0; v && v[i]; i++)
                json_object_array_add(a, json_object_new_string(v[i]));
        return a;
}

static struct json_object *
registry_config(const struct api_ctx *ctx)
{
        struct json_object *rc = json_object_new_object();
        struct json_object *cidrs = json_object_new_array();
        struct json_object *index = json_object_new_object();
        struct json_object *hub = json_object_new_object();

        /* dockerd always treats loopback as insecure; a CIDR entry joins it, a name gets an
         * index entry of its own marked insecure. */
        json_object_array_add(cidrs, json_object_new_string("127.0.0.0/8"));
        for (size_t i = 0; ctx->insecure_registries && ctx->insecure_registries[i]; i++) {
                const char *r = ctx->insecure_registries[i];
                if (strchr(r, '/')) {
                        json_object_array_add(cidrs, json_object_new_string(r));
                } else {
                        struct json_object *e = json_object_new_object();
                        add_str(e, "Name", r);
                        json_object_object_add(e, "Mirrors", json_object_new_array());
                        json_object_object_add(e, "Secure", json_object_new_boolean(0));
                        json_object_object_add(e, "Official", json_object_new_boolean(0));
                        json_object_object_add(index, r, e);
                }
        }
        add_str(hub, "Name", "docker.io");
        json_object_object_add(hub, "Mirrors", strv_json(ctx->registry_mirrors));
        json_object_object_add(hub, "Secure", json_object_new_boolean(1));
        json_object_object_add(hub, "Official", json_object_new_boolean(1));
        json_object_object_add(index, "docker.io", hub);
        json_object_object_add(rc, "AllowNondistributableArtifactsCIDRs", json_object_new_array());
        json_object_object_add(rc, "AllowNondistributableArtifactsHostnames",
                               json_object_new_array());
        json_object_object_add(rc, "InsecureRegistryCIDRs", cidrs);
        json_object_object_add(rc, "IndexConfigs", index);
        json_object_object_add(rc, "Mirrors", strv_json(ctx->registry_mirrors));
        return rc;
}

static struct json_object *
commit_obj(const char *id)
{
        struct json_object *o = json_object_new_object();
        add_str(o, "ID", id);
        add_str(o, "Expected", id);
        return o;
}

void
api_system_info(const struct api_ctx *ctx, const struct api_request *req, struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *os_name = os_release("PRETTY_NAME", "Linux");
        cleanup_free char *os_version = os_release("VERSION_ID", "");
        struct json_object *o = NULL, *runtimes, *berth, *plugins, *swarm, *driver_status;
        struct utsname u;
        struct sysinfo si;
        cpu_set_t cpus;
        char host[256] = "", now[64];
        struct timespec ts;
        size_t images = 0;
        int64_t containers = 0, running = 0, paused = 0, stopped = 0;
        int ncpu;

        (void) req;
        if (metadata_db_count_images(ctx->db, &images, &err) < 0) {
                api_response_error(resp, 500, "%s", err->msg);
                return;
        }
        api_containers_count(ctx, &containers, &running, &paused, &stopped);
        if (containers < 0) {
                api_response_error(resp, 500, "metadata: cannot read container records");
                return;
        }
        uname(&u);
        gethostname(host, sizeof(host) - 1);
        sysinfo(&si);
        ncpu = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 ? CPU_COUNT(&cpus)
                                                              : (int) sysconf(_SC_NPROCESSORS_ONLN);
        clock_gettime(CLOCK_REALTIME, &ts);
        time_format_rfc3339(&ts, 1, now, sizeof(now));

        o = json_object_new_object();
        add_str(o, "ID", ctx->daemon_id);
        /* From the records' State (the tasks layer keeps it current). */
        json_object_object_add(o, "Containers", json_object_new_int64(containers));
        json_object_object_add(o, "ContainersRunning", json_object_new_int64(running));
        json_object_object_add(o, "ContainersPaused", json_object_new_int64(paused));
        json_object_object_add(o, "ContainersStopped", json_object_new_int64(stopped));
        json_object_object_add(o, "Images", json_object_new_int64((int64_t) images));
        add_str(o, "Driver", ctx->driver);
        /* dockerd lists driver details here; berthd gives overlay2's backing filesystem. */
        driver_status = json_object_new_array();
        if (strcmp(ctx->driver, "overlay2") == 0)
                add_driver_status(driver_status, ctx->data_root);
        json_object_object_add(o, "DriverStatus", driver_status);
        plugins = json_object_new_object();
        json_object_object_add(plugins, "Volume", json_object_new_array());
        json_object_object_add(plugins, "Network", json_object_new_array());
        json_object_object_add(plugins, "Authorization", NULL);
        json_object_object_add(plugins, "Log", json_object_new_array());
        json_object_object_add(o, "Plugins", plugins);
        json_object_object_add(o, "MemoryLimit", json_object_new_boolean(1));
        json_object_object_add(
                o, "SwapLimit",
                json_object_new_boolean(
                        access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0
                        || strcmp(cgroup_version(), "2") == 0));
        json_object_object_add(o, "KernelMemory", json_object_new_boolean(0));
        json_object_object_add(o, "CpuCfsPeriod", json_object_new_boolean(1));
        json_object_object_add(o, "CpuCfsQuota", json_object_new_boolean(1));
        json_object_object_add(o, "CPUShares", json_object_new_boolean(1));
        json_object_object_add(o, "CPUSet", json_object_new_boolean(1));
        json_object_object_add(o, "PidsLimit", json_object_new_boolean(1));
        json_object_object_add(o, "OomKillDisable",
                               json_object_new_boolean(strcmp(cgroup_version(), "1") == 0));
        json_object_object_add(o, "IPv4Forwarding", json_object_new_boolean(ip_forward()));
        json_object_object_add(o, "BridgeNfIptables", json_object_new_boolean(0));
        json_object_object_add(o, "BridgeNfIp6tables", json_object_new_boolean(0));
        json_object_object_add(o, "Debug", json_object_new_boolean(ctx->debug));
        json_object_object_add(o, "NFd", json_object_new_int64(count_dir("/proc/self/fd")));
        /* Threads stand in for goroutines. */
        json_object_object_add(o, "NGoroutines",
                               json_object_new_int64(proc_status_value("Threads")));
        add_str(o, "SystemTime", now);
        add_str(o, "LoggingDriver", "");
        add_str(o, "CgroupDriver", "cgroupfs");
        add_str(o, "CgroupVersion", cgroup_version());
        json_object_object_add(
                o, "NEventsListener",
                json_object_new_int64(ctx->events ? events_bus_listeners(ctx->events) : 0));
        add_str(o, "KernelVersion", u.release);
        add_str(o, "OperatingSystem", os_name);
        add_str(o, "OSVersion", os_version);
        add_str(o, "OSType", "linux");
        add_str(o, "Architecture", u.machine);
        add_str(o, "IndexServerAddress", "https://index.docker.io/v1/");
        json_object_object_add(o, "RegistryConfig", registry_config(ctx));
        json_object_object_add(o, "NCPU", json_object_new_int(ncpu));
        json_object_object_add(
                o, "MemTotal",
                json_object_new_int64((int64_t) si.totalram * (int64_t) si.mem_unit));
        json_object_object_add(o, "GenericResources", NULL);
        add_str(o, "DockerRootDir", ctx->data_root);
        add_str(o, "HttpProxy", getenv("HTTP_PROXY") ? getenv("HTTP_PROXY") : getenv("http_proxy"));
        add_str(o, "HttpsProxy",
                getenv("HTTPS_PROXY") ? getenv("HTTPS_PROXY") : getenv("https_proxy"));
        add_str(o, "NoProxy", getenv("NO_PROXY") ? getenv("NO_PROXY") : getenv("no_proxy"));
        add_str(o, "Name", host);
        json_object_object_add(o, "Labels", json_object_new_array());
        json_object_object_add(o, "ExperimentalBuild", json_object_new_boolean(0));
        add_str(o, "ServerVersion", PACKAGE_VERSION);
        runtimes = json_object_new_object();
        berth = json_object_new_object();
        add_str(berth, "path", ctx->runtime_path);
        json_object_object_add(runtimes, "berth", berth);
        json_object_object_add(o, "Runtimes", runtimes);
        add_str(o, "DefaultRuntime", "berth");
        swarm = json_object_new_object();
        add_str(swarm, "NodeID", "");
        add_str(swarm, "NodeAddr", "");
        add_str(swarm, "LocalNodeState", "inactive");
        json_object_object_add(swarm, "ControlAvailable", json_object_new_boolean(0));
        add_str(swarm, "Error", "");
        json_object_object_add(swarm, "RemoteManagers", NULL);
        json_object_object_add(o, "Swarm", swarm);
        json_object_object_add(o, "LiveRestoreEnabled", json_object_new_boolean(0));
        add_str(o, "Isolation", "");
        add_str(o, "InitBinary", "");
        json_object_object_add(o, "ContainerdCommit", commit_obj(""));
        json_object_object_add(o, "RuncCommit", commit_obj(BERTH_COMMIT));
        json_object_object_add(o, "InitCommit", commit_obj(""));
        {
                /* docker info's "Security Options": containers get docker's default profile */
                struct json_object *so = json_object_new_array();
                json_object_array_add(so, json_object_new_string("name=seccomp,profile=default"));
                json_object_object_add(o, "SecurityOptions", so);
        }
        json_object_object_add(o, "Warnings", NULL);
        api_response_json(resp, 200, o);
}
