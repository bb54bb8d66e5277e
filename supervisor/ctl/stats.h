/* supervisor/ctl/stats.h: berthctl stats and update (the docker CLI's output and flags). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;

bool ctl_stats_known(const char *verb);
/* Run "stats" or "update" in ARGV[0]; returns the exit status. */
int ctl_stats_main(const char *host, int argc, char **argv);

/* --- pure (stats_pure.c) --- */

/* The docker CLI's CPU %: (cpu delta / system delta) × online cpus × 100, 0 when either delta
 * is not positive; online cpus from cpu_stats.online_cpus, else the percpu list's length. */
double ctl_stats_cpu_percent(struct json_object *stats);
/* Memory used without the page cache (v1: usage - total_inactive_file, v2: usage -
 * inactive_file), as the docker CLI shows it. */
uint64_t ctl_stats_mem_usage(struct json_object *stats);
/* usage / limit × 100; 0 without a limit. */
double ctl_stats_mem_percent(uint64_t usage, uint64_t limit);
/* docker's units.BytesSize ("%.4g" of 1024 steps: "1.5MiB") and HumanSizeWithPrecision(3)
 * ("%.3g" of 1000 steps: "4.1kB"); *BUF of at least 32 bytes. */
void ctl_stats_bytes_binary(double n, char *buf, size_t len);
void ctl_stats_bytes_decimal(double n, char *buf, size_t len);
/* The docker CLI's row for one stats object: Container, ID (12 characters unless NO_TRUNC), Name,
 * CPUPerc, MemUsage, MemPerc, NetIO, BlockIO, PIDs (strings). CONTAINER is what the user named
 * (NULL: the ID). The caller's. */
struct json_object *ctl_stats_row(struct json_object *stats, const char *container, bool no_trunc);
/* docker stats' column titles for --format table (a map field → title). The caller's. */
struct json_object *ctl_stats_headers(void);

/* docker update's flags in ARGV (ARGV[0] "update") into UpdateConfig *RET_BODY and the
 * containers' index in *RET_FIRST. -EINVAL with the docker CLI's message. */
int ctl_update_parse(int argc, char **argv, struct json_object **ret_body, int *ret_first,
                     berth_error_t **err);
