/* supervisor/containers/health_policy.c: the pure parts of healthchecks (health.h). */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/containers/health.h"

void
container_health_settings_build(struct json_object *config, struct container_health_settings *ret)
{
        struct json_object *hc = json_key(config, "Healthcheck"), *test = json_key(hc, "Test");
        size_t n = test && json_object_is_type(test, json_type_array)
                           ? json_object_array_length(test)
                           : 0;
        const char *kind = n ? json_object_get_string(json_object_array_get_idx(test, 0)) : NULL;

        memset(ret, 0, sizeof(*ret));
        if (kind == NULL || strcmp(kind, "NONE") == 0)
                return;
        if (strcmp(kind, "CMD") == 0 && n >= 2) {
                ret->cmd = json_object_new_array();
                for (size_t i = 1; i < n; i++)
                        json_object_array_add(ret->cmd,
                                              json_object_new_string(json_object_get_string(
                                                      json_object_array_get_idx(test, i))));
        } else if (strcmp(kind, "CMD-SHELL") == 0 && n >= 2) {
                struct json_object *shell = json_key(config, "Shell");
                ret->cmd = json_object_new_array();
                if (shell && json_object_is_type(shell, json_type_array)
                    && json_object_array_length(shell) > 0) {
                        for (size_t i = 0; i < json_object_array_length(shell); i++)
                                json_object_array_add(
                                        ret->cmd, json_object_new_string(json_object_get_string(
                                                          json_object_array_get_idx(shell, i))));
                } else {
                        json_object_array_add(ret->cmd, json_object_new_string("/bin/sh"));
                        json_object_array_add(ret->cmd, json_object_new_string("-c"));
                }
                json_object_array_add(ret->cmd, json_object_new_string(json_object_get_string(
                                                        json_object_array_get_idx(test, 1))));
        } else {
                return;
        }
        ret->enabled = true;
        ret->interval_ns = json_object_get_int64(json_key(hc, "Interval"));
        ret->timeout_ns = json_object_get_int64(json_key(hc, "Timeout"));
        ret->start_period_ns = json_object_get_int64(json_key(hc, "StartPeriod"));
        ret->retries = json_object_get_int(json_key(hc, "Retries"));
        if (ret->interval_ns <= 0)
                ret->interval_ns = CONTAINER_HEALTH_DEFAULT_INTERVAL_NS;
        if (ret->timeout_ns <= 0)
                ret->timeout_ns = CONTAINER_HEALTH_DEFAULT_TIMEOUT_NS;
        if (ret->start_period_ns < 0)
                ret->start_period_ns = 0;
        if (ret->retries <= 0)
                ret->retries = CONTAINER_HEALTH_DEFAULT_RETRIES;
}

void
container_health_settings_done(struct container_health_settings *s)
{
        json_object_put(s->cmd);
        s->cmd = NULL;
}

struct json_object *
container_health_new(void)
{
        struct json_object *h = json_object_new_object();
        json_object_object_add(h, "Status", json_object_new_string("starting"));
        json_object_object_add(h, "FailingStreak", json_object_new_int(0));
        json_object_object_add(h, "Log", json_object_new_array());
        return h;
}

const char *
container_health_apply(struct json_object *health, const struct container_health_result *res,
                       int retries, bool in_start_period)
{
        struct json_object *log = json_key(health, "Log"), *entry, *nlog;
        const char *old = json_object_get_string(json_key(health, "Status"));
        const char *status = old ? old : "starting";
        int streak = json_object_get_int(json_key(health, "FailingStreak"));
        static const char *const names[] = {"starting", "healthy", "unhealthy"};
        const char *out = res->output ? res->output : "";
        size_t olen = strnlen(out, CONTAINER_HEALTH_MAX_OUTPUT);

        entry = json_object_new_object();
        json_object_object_add(entry, "Start", json_object_new_string(res->start));
        json_object_object_add(entry, "End", json_object_new_string(res->end));
        json_object_object_add(entry, "ExitCode", json_object_new_int(res->exit_code));
        json_object_object_add(entry, "Output", json_object_new_string_len(out, (int) olen));
        nlog = json_object_new_array();
        size_t n = log && json_object_is_type(log, json_type_array) ? json_object_array_length(log)
                                                                     : 0;
        size_t skip = n + 1 > CONTAINER_HEALTH_MAX_LOG ? n + 1 - CONTAINER_HEALTH_MAX_LOG : 0;
        for (size_t i = skip; i < n; i++)
                json_object_array_add(nlog, json_object_get(json_object_array_get_idx(log, i)));
        json_object_array_add(nlog, entry);
        json_object_object_add(health, "Log", nlog);

        const char *next = status;
        if (res->exit_code == 0) {
                streak = 0;
                next = "healthy";
        } else if (!(in_start_period && strcmp(status, "starting") == 0)) {
                streak++;
                if (streak >= retries)
                        next = "unhealthy";
        }
        json_object_object_add(health, "FailingStreak", json_object_new_int(streak));
        if (strcmp(next, status) == 0) {
                if (old == NULL)
                        json_object_object_add(health, "Status", json_object_new_string(next));
                return NULL;
        }
        json_object_object_add(health, "Status", json_object_new_string(next));
        for (size_t i = 0; i < 3; i++)
                if (strcmp(names[i], next) == 0)
                        return names[i];
        return NULL;
}

static size_t
frac(char *buf, size_t size, int64_t v, int64_t unit)
{
        /* V/UNIT with the fraction's trailing zeros dropped, as Go's fmtFrac. */
        int64_t whole = v / unit, rest = v % unit;
        int n = snprintf(buf, size, "%lld", (long long) whole);
        if (rest) {
                char f[24];
                int digits = 0;
                for (int64_t u = unit; u > 1 && digits < 20; u /= 10)
                        digits++;
                f[digits] = '\0';
                for (int i = digits - 1; i >= 0; i--, rest /= 10)
                        f[i] = (char) ('0' + rest % 10);
                for (int i = digits - 1; i >= 0 && f[i] == '0'; i--)
                        f[i] = '\0';
                n += snprintf(buf + n, size - (size_t) n, ".%s", f);
        }
        return (size_t) n;
}

char *
container_health_duration_string(int64_t ns)
{
        char buf[96];
        bool neg = ns < 0;
        uint64_t u = neg ? (uint64_t) -ns : (uint64_t) ns;
        size_t off = 0;

        if (neg)
                buf[off++] = '-';
        if (u == 0)
                return xstrdup("0s");
        if (u < 1000)
                snprintf(buf + off, sizeof(buf) - off, "%lluns", (unsigned long long) u);
        else if (u < 1000000)
                frac(buf + off, sizeof(buf) - off, (int64_t) u, 1000), strcat(buf, "µs");
        else if (u < 1000000000)
                frac(buf + off, sizeof(buf) - off, (int64_t) u, 1000000), strcat(buf, "ms");
        else {
                uint64_t secs_ns = u % 60000000000ULL, mins = u / 60000000000ULL;
                uint64_t h = mins / 60, m = mins % 60;
                if (h)
                        off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%lluh",
                                                 (unsigned long long) h);
                if (h || m)
                        off += (size_t) snprintf(buf + off, sizeof(buf) - off, "%llum",
                                                 (unsigned long long) m);
                frac(buf + off, sizeof(buf) - off, (int64_t) secs_ns, 1000000000);
                strcat(buf, "s");
        }
        return xstrdup(buf);
}

const char *
container_health_ps_text(struct json_object *state)
{
        const char *s = json_object_get_string(json_key(json_key(state, "Health"), "Status"));
        if (s == NULL || *s == '\0')
                return NULL;
        if (strcmp(s, "starting") == 0)
                return "health: starting";
        return s;
}
