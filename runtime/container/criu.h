/* runtime/container/criu.h: what berth asks of criu, decided without touching the system: runc's
 * checkpoint/restore flags checked with runc's words, the mounts criu must take as external, the
 * command lines of `criu dump`, `criu pre-dump` and `criu restore`, descriptors.json, and the line
 * of criu's log worth quoting.
 *
 * berth drives criu through its command line, not through `criu swrk` (the protobuf RPC runc and
 * crun use): every option runc sets over RPC has a command-line spelling, and "what berth asks" is
 * then a plain argv that unit tests read and an integration test's stand-in criu records; no RPC
 * schema is vendored. The RPC-only parts get command-line equivalents: criu's notifications become
 * an --action-script (berth itself, see criu_run.h) and orphan-pts-master, which hands runc the
 * new terminal, becomes an external tty passed with --inherit-fd (as LXC and libvirt do). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"
#include "runtime/container/container.h"
#include "runtime/linux/cgroup.h"
#include "runtime/spec/spec.h"

/* What runc's --manage-cgroups-mode becomes; DEFAULT leaves criu's own (soft). */
enum criu_cg_mode { CRIU_CG_DEFAULT = 0, CRIU_CG_SOFT, CRIU_CG_FULL, CRIU_CG_STRICT, CRIU_CG_IGNORE };

/* criu_flags once checked. */
struct criu_settings {
        enum criu_cg_mode cg_mode;
        char *ps_address; /* --page-server, split; NULL when not given */
        char *ps_port;
};

/* Pure: runc's checks with runc's messages, -EINVAL: "--parent-path must be relative",
 * "Use --page-server ADDRESS:PORT to specify page server", "Invalid port number",
 * "Invalid manage cgroups mode", "namespace \"pid\" is not supported". */
int criu_flags_check(const struct criu_flags *f, struct criu_settings *ret, berth_error_t **err);
void criu_settings_done(struct criu_settings *s);

/* --external mnt[KEY]:VALUE. On dump KEY is a mount point inside the container and VALUE the
 * name the image records for it; on restore KEY is that name and VALUE the host path to bind. */
struct criu_ext_mount {
        char *key;
        char *value;
};

/* The facts the external mounts are made of, besides config.json. */
struct criu_mount_facts {
        char *const *dests;        /* per config.json mount, its destination resolved in the rootfs
                                    * (runc's securejoin); NULL: the destinations as written */
        const char *bundle;        /* restore: relative bind sources are relative to it */
        char *const *cgroup_dirs;  /* the container's cgroup directories */
        bool unified_host;         /* /sys/fs/cgroup itself is cgroup2 */
        char *const *masked_files; /* dump: maskedPaths that are files in the running container */
        bool console;              /* /dev/console is a bind of the process's terminal */
        const char *console_path;  /* restore: the host path of the terminal made for it */
};

enum criu_action { CRIU_DUMP, CRIU_RESTORE };

/* Pure: the mounts criu is to take as external, in runc's order (libcontainer Checkpoint and
 * Restore): bind mounts, the per-hierarchy binds berth makes for a "cgroup" mount, masked files
 * (binds of /dev/null), device nodes (binds in a user namespace), and /dev/console (as LXC). */
void criu_ext_mounts_build(const struct spec *spec, const struct criu_mount_facts *f,
                           enum criu_action action, struct criu_ext_mount **ret, size_t *ret_n);
void criu_ext_mounts_free(struct criu_ext_mount *m, size_t n);

struct criu_dump_plan {
        const struct criu_flags *flags;
        const struct criu_settings *settings;
        pid_t pid;
        const char *image_dir;
        const char *rootfs;
        const char *freezer_dir;        /* --freeze-cgroup, or NULL (criu then uses ptrace) */
        const char *config_file;        /* --config, or NULL */
        unsigned long long netns_inode; /* a joined network namespace, dumped as external; or 0 */
        unsigned long long pidns_inode; /* the same for a joined pid namespace */
        const struct criu_ext_mount *mounts; /* not used by a pre-dump (runc) */
        size_t n_mounts;
        const char *tty_key;            /* "tty[RDEV:DEV]" of the process's terminal, or NULL */
        int status_fd;                  /* criu's fd number for flags->status_fd, or -1 */
};

/* Pure: criu's arguments (argv[0] is the command, "dump" or "pre-dump"). Caller frees. */
char **criu_dump_argv_build(const struct criu_dump_plan *p);

struct criu_restore_plan {
        const struct criu_flags *flags;
        const struct criu_settings *settings;
        const char *image_dir;
        const char *root;           /* the rootfs, bound on a directory of its own for criu */
        const char *pidfile;        /* where criu writes the restored init's pid */
        char *const *cgroup_roots;  /* --cgroup-root values */
        const struct criu_ext_mount *mounts;
        size_t n_mounts;
        char *const *descriptors;   /* descriptors.json: a pipe at index I is criu's own fd I */
        const char *tty_key;        /* from tty.info, or NULL */
        int tty_fd;                 /* criu's fd number of the new terminal, with tty_key */
        int netns_fd;               /* criu's fd number of a joined network namespace, or -1 */
        int pidns_fd;               /* the same for a joined pid namespace */
        char *const *join_ns;       /* --join-ns values */
        const char *config_file;    /* --config, or NULL */
        const char *action_script;  /* --action-script, or NULL */
};

/* Pure: criu's arguments (argv[0] is "restore"). Caller frees. */
char **criu_restore_argv_build(const struct criu_restore_plan *p);

/* Pure: a --cgroup-root value per directory, DIRS[i] being the container's directory in
 * hierarchy HOST->h[i]: "CONTROLLERS:/path" on v1, "/path" (every controller not named) on v2. */
char **criu_cgroup_roots_build(const struct cgroup_host *host, char *const *dirs);

/* Pure: --join-ns values ("ipc:/path") for the namespaces config.json joins by path, but network
 * and pid (those are external namespaces); a cgroup namespace path is -EOPNOTSUPP, as in runc. */
int criu_join_ns_build(const struct spec *spec, char ***ret, berth_error_t **err);

/* descriptors.json: the init's fds 0-2 as a compact JSON array of strings (runc's format). */
char *criu_descriptors_format(char *const *fds);
int criu_descriptors_parse(const char *text, size_t len, char ***ret, berth_error_t **err);

/* Pure: criu's name for a terminal, "tty[RDEV:DEV]" in hex (criu/tty.c). */
char *criu_tty_key(unsigned long long rdev, unsigned long long dev);

/* Pure: the line of criu's log to quote in an error: the last "Error" line that is not criu's
 * closing summary ("Dumping FAILED.", "Restoring FAILED."), without its timestamp; NULL if none. */
char *criu_log_error_line(const char *log);

/* The action-script handshake (runtime/container/criu_run.c and the cli): the environment
 * variable naming the socket inherited by criu and by the script, and the message sent on it. */
#define CRIU_NOTIFY_ENV "_BERTH_CRIU_NOTIFY_FD"
/* Pure: "ACTION PID" to and from the wire. */
char *criu_notify_format(const char *action, pid_t pid);
int criu_notify_parse(const char *msg, char **ret_action, pid_t *ret_pid, berth_error_t **err);
