/* runtime/cli/spec.c: `berth spec`: the default config.json, as `runc spec` writes it. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "runtime/cli/args.h"
#include "runtime/cli/cli.h"

static const char default_spec[] =
        "{\"ociVersion\":\"" BERTH_OCI_VERSION "\",\"process\":{\"terminal\":true,\"user\":{\"uid\":0,\"gid\":0},"
        "\"args\":[\"sh\"],\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"TERM=xterm\"],"
        "\"cwd\":\"/\",\"capabilities\":{\"bounding\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"effective\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"permitted\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"],"
        "\"ambient\":[\"CAP_AUDIT_WRITE\",\"CAP_KILL\",\"CAP_NET_BIND_SERVICE\"]},"
        "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024}],\"noNewPrivileges\":true},"
        "\"root\":{\"path\":\"rootfs\",\"readonly\":true},\"hostname\":\"berth\","
        "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
        "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\"options\":[\"nosuid\",\"strictatime\",\"mode=755\",\"size=65536k\"]},"
        "{\"destination\":\"/dev/pts\",\"type\":\"devpts\",\"source\":\"devpts\",\"options\":[\"nosuid\",\"noexec\",\"newinstance\",\"ptmxmode=0666\",\"mode=0620\",\"gid=5\"]},"
        "{\"destination\":\"/dev/shm\",\"type\":\"tmpfs\",\"source\":\"shm\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"mode=1777\",\"size=65536k\"]},"
        "{\"destination\":\"/dev/mqueue\",\"type\":\"mqueue\",\"source\":\"mqueue\",\"options\":[\"nosuid\",\"noexec\",\"nodev\"]},"
        "{\"destination\":\"/sys\",\"type\":\"sysfs\",\"source\":\"sysfs\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"ro\"]},"
        "{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"relatime\",\"ro\"]}],"
        "\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}]},"
        "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},{\"type\":\"mount\"}],"
        "\"maskedPaths\":[\"/proc/acpi\",\"/proc/asound\",\"/proc/kcore\",\"/proc/keys\",\"/proc/latency_stats\",\"/proc/timer_list\","
        "\"/proc/timer_stats\",\"/proc/sched_debug\",\"/sys/firmware\",\"/proc/scsi\"],"
        "\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",\"/proc/sysrq-trigger\"]}}";

/* --rootless: a user namespace mapping the caller to root, no network namespace, no devices
 * cgroup rules, and /sys bound from the host (runc's ToRootless). */
static void
make_rootless(struct json_object *spec)
{
        struct json_object *linux_, *ns, *mounts;
        struct json_object *new_ns = json_object_new_array();
        char buf[256];

        json_object_object_get_ex(spec, "linux", &linux_);
        json_object_object_get_ex(linux_, "namespaces", &ns);
        for (size_t i = 0; i < json_object_array_length(ns); i++) {
                struct json_object *t;
                json_object_object_get_ex(json_object_array_get_idx(ns, i), "type", &t);
                if (strcmp(json_object_get_string(t), "network") != 0)
                        json_object_array_add(new_ns, json_object_get(json_object_array_get_idx(ns, i)));
        }
        json_object_array_add(new_ns, json_tokener_parse("{\"type\":\"user\"}"));
        json_object_object_add(linux_, "namespaces", new_ns);
        snprintf(buf, sizeof(buf), "[{\"containerID\":0,\"hostID\":%u,\"size\":1}]", (unsigned) getuid());
        json_object_object_add(linux_, "uidMappings", json_tokener_parse(buf));
        snprintf(buf, sizeof(buf), "[{\"containerID\":0,\"hostID\":%u,\"size\":1}]", (unsigned) getgid());
        json_object_object_add(linux_, "gidMappings", json_tokener_parse(buf));
        json_object_object_del(linux_, "resources");
        json_object_object_get_ex(spec, "mounts", &mounts);
        for (size_t i = 0; i < json_object_array_length(mounts); i++) {
                struct json_object *m = json_object_array_get_idx(mounts, i), *d, *opts = NULL;
                json_object_object_get_ex(m, "destination", &d);
                if (strcmp(json_object_get_string(d), "/sys") == 0) {
                        /* put_idx frees the old entry: nothing of it may be used after this */
                        json_object_array_put_idx(mounts, i, json_tokener_parse(
                                "{\"destination\":\"/sys\",\"type\":\"none\",\"source\":\"/sys\",\"options\":[\"rbind\",\"nosuid\",\"noexec\",\"nodev\",\"ro\"]}"));
                        continue;
                }
                /* No uid= or gid= options: those ids may not be mapped (runc's ToRootless). */
                json_object_object_get_ex(m, "options", &opts);
                for (size_t k = 0; opts && k < json_object_array_length(opts);) {
                        const char *o = json_object_get_string(json_object_array_get_idx(opts, k));
                        if (strncmp(o, "uid=", 4) == 0 || strncmp(o, "gid=", 4) == 0)
                                json_object_array_del_idx(opts, k, 1);
                        else
                                k++;
                }
        }
}

int
cli_spec(struct cli_ctx *ctx, int argc, char **argv)
{
        const char *bundle = ".";
        bool rootless = false, help = false;
        const struct opt opts[] = {
                {"bundle", 'b', OPT_STRING, &bundle, "path to the root of the bundle directory"},
                {"rootless", 0, OPT_BOOL, &rootless, "generate a configuration for a rootless container"},
                {0},
        };
        cleanup_json struct json_object *spec = NULL;
        cleanup_free char *path = NULL;
        char **pos = NULL;
        const char *text;
        int r;

        r = args_parse(opts, argc, argv, false, &pos, &help, &ctx->err);
        free(pos);
        if (r < 0)
                return 1;
        if (help) {
                args_usage("spec [command options]", "spec - create a new specification file", opts);
                return 0;
        }
        path = xasprintf("%s/config.json", bundle);
        if (access(path, F_OK) == 0) {
                berth_error_new(&ctx->err, EEXIST, "File %s exists. Remove it first", path);
                return 1;
        }
        spec = json_tokener_parse(default_spec);
        if (rootless)
                make_rootless(spec);
        text = json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        r = fs_write_atomic(AT_FDCWD, path, text, strlen(text), 0666, &ctx->err);
        return r < 0 ? 1 : 0;
}
