/* supervisor/containers/health.h: docker's healthchecks (docs/berthd.md "Healthchecks"):
 * the probe settings from a container's merged Config, the pure state machine that turns probe
 * results into State.Health, and the scheduler (health.c) that runs the probes as execs of the
 * running task. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;
struct container_runner;

/* dockerd's defaults and limits (moby daemon/health.go). */
#define CONTAINER_HEALTH_DEFAULT_INTERVAL_NS (30LL * 1000000000LL)
#define CONTAINER_HEALTH_DEFAULT_TIMEOUT_NS (30LL * 1000000000LL)
#define CONTAINER_HEALTH_DEFAULT_RETRIES 3
#define CONTAINER_HEALTH_MAX_LOG 5
#define CONTAINER_HEALTH_MAX_OUTPUT 4096

struct container_health_settings {
        bool enabled;
        struct json_object *cmd; /* the exec's Cmd (a new array; the caller puts it) */
        int64_t interval_ns, timeout_ns, start_period_ns;
        int retries;
};

/* Pure: the probe of merged Config CONFIG: Healthcheck.Test ["CMD", args...] or
 * ["CMD-SHELL", cmd] (run with Config.Shell, else /bin/sh -c); absent, empty or ["NONE"]: not
 * enabled. Zero durations and retries take dockerd's defaults. */
void container_health_settings_build(struct json_object *config,
                                     struct container_health_settings *ret);
void container_health_settings_done(struct container_health_settings *s);

/* One probe's result. START and END are RFC 3339 times; EXIT_CODE -1 for a timeout. */
struct container_health_result {
        const char *start, *end;
        int exit_code;
        const char *output;
};

/* Pure: a fresh State.Health: Status "starting", FailingStreak 0, Log []. */
struct json_object *container_health_new(void);

/* Pure: add RESULT to HEALTH (State.Health, changed in place) as dockerd's handleProbeResult:
 * the Log keeps the last 5 results; exit 0 is healthy and ends the failing streak; a failure
 * during the start period while still starting changes nothing else; otherwise the streak
 * grows and reaching RETRIES makes it unhealthy. Returns the new status when it changed (the
 * health_status event), else NULL. */
const char *container_health_apply(struct json_object *health,
                                   const struct container_health_result *result, int retries,
                                   bool in_start_period);

/* Pure: Go's time.Duration String() of NS ("1s", "1.5s", "500ms", "1m30s"); caller frees. */
char *container_health_duration_string(int64_t ns);

/* Pure: the text `ps` adds after "Up X": "health: starting", "healthy", "unhealthy"; NULL when
 * STATE has no Health. */
const char *container_health_ps_text(struct json_object *state);

/* The scheduler (health.c): one thread for all containers, started at runner open, stopped at
 * close (it waits for the probes in flight). */
int container_health_open(struct container_runner *r, berth_error_t **err);
void container_health_close(struct container_runner *r);
