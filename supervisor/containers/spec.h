/* supervisor/containers/spec.h: the OCI runtime spec (config.json) of a docker container, built
 * by one pure function from its merged Config, its HostConfig and a few host facts, with
 * dockerd's defaults (moby oci/defaults.go, daemon/oci_linux.go) and its error texts. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;
struct container_user;
struct container_seccomp_host;

/* How a host device path looks (stat of --device's PathOnHost): 'c' or 'b', major, minor. */
typedef int (*container_device_stat_fn)(const char *path, char *ret_type, int64_t *ret_major,
                                        int64_t *ret_minor, berth_error_t **err);
/* The host's devices as OCI linux.devices entries (--privileged); *ret is the caller's. */
typedef int (*container_host_devices_fn)(struct json_object **ret, berth_error_t **err);

struct container_spec_input {
        const char *id;
        struct json_object *config;      /* merged (container_config_merge) */
        struct json_object *host_config; /* the request's HostConfig; NULL for none */
        const struct container_user *user;
        const char *hostname_path; /* files berthd wrote, bind-mounted read-write as docker */
        const char *hosts_path;
        const char *resolv_conf_path;
        /* IpcMode shareable: the host directory berthd mounts the container's shm tmpfs on at
         * start, bound at /dev/shm (NULL: a private tmpfs) */
        const char *shm_path;
        bool cgroup2;                         /* the host's cgroup layout is unified */
        int ncpu;                             /* for NanoCpus' bound */
        container_device_stat_fn device_stat; /* NULL: --device is refused */
        const char *init_path; /* berth-init on the host (--init); NULL: --init is refused */
        bool init_default;     /* daemon.json "init": HostConfig.Init when the request has none */
        container_host_devices_fn host_devices; /* NULL: --privileged adds no host devices */
        /* The capabilities berthd may hand out (its bounding set, bit N = capability N):
         * --privileged and --cap-add ALL get these; 0: every capability berth knows. */
        uint64_t host_caps;
        /* arch, kernel and libseccomp's names for the seccomp profile; NULL: the build's arch,
         * kernel 0.0 (no minKernel rule holds), every name kept */
        const struct container_seccomp_host *seccomp_host;
        /* The container's volumes (containers/volumes.h: {Source, Destination, RW}), bound
         * after the Binds and Mounts; NULL: none. */
        struct json_object *volumes;
};

/* docker's 14 default capabilities, CAP_-prefixed, NULL-terminated. */
extern const char *const container_default_caps[];

/* Validate IN's HostConfig (a 400 with docker's message: -EINVAL) and build config.json.
 * *ret is the caller's. */
int container_spec_build(const struct container_spec_input *in, struct json_object **ret,
                         berth_error_t **err);

/* The cgroupsPath for container ID under PARENT (HostConfig.CgroupParent; NULL or "": berth's
 * default "/berth"): "PARENT/ID" (docker uses "/docker/ID" with the cgroupfs driver). Caller
 * frees. */
char *container_spec_cgroups_path(const char *parent, const char *id);

/* Pure: the OCI linux.resources of HostConfig HC (Memory, CpuShares, PidsLimit, …) with
 * dockerd's checks and messages (-EINVAL), for NCPU cpus. *RET is the caller's. */
int container_spec_resources(int ncpu, struct json_object *hc, struct json_object **ret,
                             berth_error_t **err);
