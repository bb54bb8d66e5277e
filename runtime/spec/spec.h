/* runtime/spec/spec.h: config.json (runtime-spec 1.0-1.2) as typed structs. Parsing validates
 * every value and names its JSON path; nothing here touches the system. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/json.h"
#include "runtime/spec/seccomp.h"

/* GNU C predefines `linux` as 1; the spec's section keeps its name. */
#undef linux

struct spec_rlimit {
        int resource; /* RLIMIT_* */
        const char *name;
        uint64_t soft, hard;
};

struct spec_user {
        uid_t uid;
        gid_t gid;
        bool has_umask;
        mode_t umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
};

struct spec_capabilities {
        char **bounding, **effective, **inheritable, **permitted, **ambient;
        bool present;
};

struct spec_process {
        bool terminal;
        unsigned console_height, console_width;
        struct spec_user user;
        char **args;
        char **env;
        char *cwd;
        struct spec_rlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        bool has_oom_score_adj;
        int oom_score_adj;
        struct spec_capabilities caps;
        char *apparmor_profile;
        char *selinux_label;
        bool has_io_priority;
        int io_priority_class; /* IOPRIO_CLASS_RT 1, BE 2, IDLE 3 */
        int io_priority;
        bool has_scheduler;
        struct spec_scheduler {
                int policy; /* SCHED_* */
                int nice;
                int priority;
                uint64_t flags; /* SCHED_FLAG_* */
                uint64_t runtime, deadline, period;
        } scheduler;
};

struct spec_idmap {
        uint32_t container_id, host_id, size;
};

struct spec_mount {
        char *destination;
        char *type;
        char *source;
        char **options;
        unsigned long flags;       /* MS_* set by options */
        unsigned long clear_flags; /* MS_* cleared by options (rw, suid, dev, exec, ...) */
        unsigned long propagation; /* MS_PRIVATE|MS_SLAVE|MS_SHARED|MS_UNBINDABLE (|MS_REC) */
        unsigned long rec_set;     /* MOUNT_ATTR_* from recursive options (rro, rnosuid, ...) */
        unsigned long rec_clear;
        char *data;                /* options the kernel takes as data (size=, mode=, ...) */
        bool tmpcopyup;
        struct spec_idmap *uid_mappings, *gid_mappings; /* an idmapped bind mount */
        size_t n_uid_mappings, n_gid_mappings;
};

struct spec_hook {
        char *path;
        char **args;
        char **env;
        int timeout; /* seconds; 0: none */
};

enum spec_hook_kind {
        HOOK_PRESTART = 0,
        HOOK_CREATE_RUNTIME,
        HOOK_CREATE_CONTAINER,
        HOOK_START_CONTAINER,
        HOOK_POSTSTART,
        HOOK_POSTSTOP,
        HOOK_KIND_COUNT
};

struct spec_hooks {
        struct spec_hook *list[HOOK_KIND_COUNT];
        size_t count[HOOK_KIND_COUNT];
};

struct spec_namespace {
        int type; /* CLONE_NEW* */
        char *path;
};

struct spec_device {
        char *path;
        char type; /* 'c', 'b', 'u', 'p' */
        int64_t major, minor;
        bool has_mode, has_uid, has_gid;
        mode_t mode;
        uid_t uid;
        gid_t gid;
};

struct spec_device_rule {
        bool allow;
        char type;            /* 'a', 'c', 'b' */
        int64_t major, minor; /* -1: any */
        char access[4];       /* subset of "rwm" */
};

struct spec_linux {
        struct spec_namespace *namespaces;
        size_t n_namespaces;
        struct spec_idmap *uid_mappings, *gid_mappings;
        size_t n_uid_mappings, n_gid_mappings;
        struct spec_device *devices;
        size_t n_devices;
        char *cgroups_path;
        char **sysctl; /* key, value, key, value, ... */
        char **masked_paths;
        char **readonly_paths;
        bool has_rootfs_propagation;
        unsigned long rootfs_propagation;
        char *mount_label;
        struct spec_device_rule *device_rules;
        size_t n_device_rules;
        struct json_object *resources; /* kept for the cgroup layer; owned by spec.doc */
        struct spec_seccomp seccomp;
        bool has_personality;
        unsigned long personality; /* PER_LINUX or PER_LINUX32 */
        bool has_time_offsets;
        int64_t monotonic_secs, boottime_secs;
        uint32_t monotonic_nsecs, boottime_nsecs;
};

struct spec {
        struct json_object *doc; /* the parsed document; raw sections point into it */
        char *oci_version;
        char *root_path;
        bool root_readonly;
        bool has_process;
        struct spec_process process;
        char *hostname;
        bool has_hostname;
        char *domainname;
        bool has_domainname;
        struct spec_mount *mounts;
        size_t n_mounts;
        struct spec_hooks hooks;
        char **annotations; /* key, value, ... */
        struct spec_linux linux;
};

/* Parse DOC (a reference is taken) into SPEC. Errors carry the JSON path. */
int spec_parse_json(struct json_object *doc, struct spec *spec, berth_error_t **err);
/* Read and parse BUNDLE/config.json; errors are prefixed "config.json". */
int spec_load(const char *bundle, struct spec *spec, berth_error_t **err);
void spec_done(struct spec *spec);

/* Sections, each in its own file. AT is the section's own location. */
int spec_parse_process(struct json_object *obj, const struct jpath *at, struct spec_process *p,
                       berth_error_t **err);
void spec_process_done(struct spec_process *p);
int spec_parse_mounts(struct json_object *arr, const struct jpath *at, struct spec *spec,
                      berth_error_t **err);
int spec_parse_hooks(struct json_object *obj, const struct jpath *at, struct spec_hooks *hooks,
                     berth_error_t **err);
void spec_hooks_done(struct spec_hooks *hooks);
int spec_parse_linux(struct json_object *obj, const struct jpath *at, struct spec_linux *l,
                     berth_error_t **err);
void spec_linux_done(struct spec_linux *l);

/* runc's environment rules, in place: NAME=VALUE entries with a name; a repeated name keeps its
 * first place and takes the last value. AT locates ENV for errors. */
int spec_env_normalize(char **env, const struct jpath *at, berth_error_t **err);
/* An array of {containerID, hostID, size} (linux.uidMappings and mounts[].uidMappings). */
int spec_parse_idmaps(struct json_object *obj, const struct jpath *at, const char *key,
                      struct spec_idmap **ret, size_t *ret_n, berth_error_t **err);
/* Mount option words as runc understands them; unknown words become data. */
int spec_mount_options_parse(char *const *options, struct spec_mount *m, const struct jpath *at,
                             berth_error_t **err);
/* Names used by `features`. */
extern const char *const spec_mount_option_names[];
extern const char *const spec_hook_names[HOOK_KIND_COUNT];
/* "pid" -> CLONE_NEWPID, 0 when unknown. */
int spec_namespace_flag(const char *name);
const char *spec_namespace_name(int flag);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, -1 when unknown. */
int spec_rlimit_resource(const char *name);
/* Find a namespace entry of TYPE, or NULL. */
const struct spec_namespace *spec_find_namespace(const struct spec *spec, int type);
