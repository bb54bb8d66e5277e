/* runtime/linux/process.h: the container process's own settings, applied by init just before
 * execve: rlimits, oom_score_adj, credentials, umask, cwd, environment, fds, the executable. */
#pragma once

#include "lib/error.h"
#include "runtime/linux/caps.h"
#include "runtime/spec/spec.h"

int process_apply_rlimits(const struct spec_process *p, berth_error_t **err);
int process_apply_oom_score_adj(const struct spec_process *p, berth_error_t **err);
/* The credentials step, in runc's order: drop the bounding set and keep the rest across the uid
 * change, setgroups (unless the user namespace denies it), setresgid, setresuid, then the
 * capability sets and ambient ones; then the umask (022 by default, as runc). */
int process_become_user(const struct spec_process *p, const struct caps_sets *caps,
                        unsigned last_cap, berth_error_t **err);
/* The environment for execve: the spec's, plus HOME from the container's /etc/passwd when unset
 * (runc), plus LISTEN_FDS/LISTEN_PID when socket activation fds are passed. */
char **process_build_env(const struct spec_process *p, int listen_fds);
/* Find ARG0 on the PATH of ENV (or the default PATH) inside the current root; must be
 * executable. Returns a malloc'd path. */
int process_find_executable(const char *arg0, char *const *env, char **ret, berth_error_t **err);
/* Pure: "PATH=" value of ENV or NULL. */
const char *process_env_get(char *const *env, const char *name);
/* Keep fds 0..2+KEEP open across execve; every other fd closes on exec. */
int process_prepare_fds(int keep, berth_error_t **err);
/* process.ioPriority and process.scheduler (runtime-spec 1.2). */
int process_apply_scheduling(const struct spec_process *p, berth_error_t **err);
