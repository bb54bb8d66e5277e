/* supervisor/ctl/create_flags.h: docker create's flags (the issue 8 list) parsed into the body of
 * POST /containers/create, as the docker CLI builds it (cli/command/container/opts.go). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;

struct ctl_create {
        struct json_object *body; /* Config fields + HostConfig + NetworkingConfig */
        char *name;               /* --name, or NULL */
        char *cidfile;            /* --cidfile, or NULL */
        bool detach, rm;
        unsigned attach; /* -a: bit 0 stdin, 1 stdout, 2 stderr; 0 when not given */
        bool no_sig_proxy; /* --sig-proxy=false */
};

void ctl_create_done(struct ctl_create *c);

/* Parse ARGV (ARGV[0] is the verb; then flags, IMAGE, COMMAND...). ENV (a strv of "K=V") is
 * what `-e KEY` without a value reads. --env-file files are read. -EINVAL with docker's message
 * for a bad flag value. */
int ctl_create_parse(int argc, char **argv, char *const *env, struct ctl_create *ret,
                     berth_error_t **err);

/* docker's RAMInBytes ("64m", "1g", "512k", "100" bytes): -EINVAL when invalid. Pure. */
int ctl_parse_bytes(const char *s, int64_t *ret, berth_error_t **err);
/* A decimal integer for FLAG, with the docker CLI's strconv.ParseInt error. Pure. */
int ctl_parse_int(const char *s, const char *flag, int64_t *ret, berth_error_t **err);
/* --restart NAME[:N] as HostConfig.RestartPolicy into HC (no, always, unless-stopped,
 * on-failure[:N]; docker's errors). Pure. */
struct json_object;
int ctl_parse_restart_policy(struct json_object *hc, const char *s, berth_error_t **err);
/* Go's time.ParseDuration subset ("30s", "1m30s", "500ms", "2h") in nanoseconds. Pure. */
int ctl_parse_duration(const char *s, int64_t *ret, berth_error_t **err);
