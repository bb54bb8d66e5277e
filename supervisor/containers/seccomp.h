/* supervisor/containers/seccomp.h: docker's seccomp profiles (the default one and the user's, in
 * docker's format: archMap, names, includes/excludes) turned into the OCI spec's linux.seccomp for
 * one container, as moby's profiles/seccomp does. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct json_object;

/* What the conversion needs to know of the host; all of it is input, nothing is probed. */
struct container_seccomp_host {
        const char *arch;      /* Go's name of the host arch ("amd64"); NULL: the build's */
        unsigned kernel_major; /* for includes/excludes.minKernel; 0.0 is below any */
        unsigned kernel_minor;
        /* Whether the runtime's libseccomp knows NAME: unknown names are left out, as runc skips
         * them (a profile may name syscalls newer than the host's library). NULL: keep all. */
        bool (*syscall_known)(const char *name);
};

/* The host arch as Go (and so docker's profiles) names it: "amd64", "arm64", …; "" if unknown. */
const char *container_seccomp_native_arch(void);

/* docker's default profile, in docker's profile format. The caller's. */
struct json_object *container_seccomp_default_profile(void);

/* Pure: PROFILE (docker's format) for a process whose bounding set is CAPS ("CAP_…",
 * NULL-terminated) on HOST, as OCI linux.seccomp. *RET is the caller's; NULL when the profile
 * asks for no filter (no defaultAction and no syscalls, as moby). A bad profile: -EINVAL,
 * "seccomp profile: <json path>: <what>" with err->json_path set. */
int container_seccomp_build(struct json_object *profile, const char *const *caps,
                            const struct container_seccomp_host *host, struct json_object **ret,
                            berth_error_t **err);

/* Pure: the same from profile TEXT (the value of HostConfig.SecurityOpt's "seccomp=<json>"). */
int container_seccomp_build_text(const char *text, const char *const *caps,
                                 const struct container_seccomp_host *host,
                                 struct json_object **ret, berth_error_t **err);
