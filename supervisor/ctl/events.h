/* supervisor/ctl/events.h: berthctl events (docker events: --since, --until, --filter,
 * --format '{{json .}}'). */
#pragma once

/* Run "events" with its arguments (ARGV[0] is "events"); returns the exit status. */
int ctl_events_main(const char *host, int argc, char **argv);
/* docker's --since/--until values: a Unix time ("1700000000[.123]"), a duration before now
 * ("10m", "1h30m", "90s"), or RFC 3339 in UTC ("2024-01-02T03:04:05Z", "…05.5Z"), as the
 * "SECONDS.NANOSECONDS" the API takes; NOW is the current Unix time. NULL when malformed.
 * Caller frees. Pure. */
char *ctl_events_timestamp(const char *value, long long now);
