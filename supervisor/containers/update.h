/* supervisor/containers/update.h: docker update (POST /containers/{id}/update) and the stats
 * sample of a running container (GET /containers/{id}/stats). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct container_runner;
struct json_object;

/* Pure: merge docker's UpdateConfig BODY into HC (a record's HostConfig) as dockerd 20.10 does:
 * zero / absent fields keep their value, PidsLimit and RestartPolicy replace when given;
 * AUTO_REMOVE refuses a restart policy. -EINVAL with dockerd's message for a bad value (a
 * number that is not one, KernelMemory, a Memory above an already set MemorySwap). */
int container_update_merge(struct json_object *hc, struct json_object *body,
                           berth_error_t **err);

/* Pure: the linux.resources to hand the shim for the merged HC (NCPU cpus): the spec's resources
 * plus pids.limit -1 when BODY asked for an unlimited PidsLimit. *RET is the caller's. */
int container_update_resources(int ncpu, struct json_object *hc, struct json_object *body,
                               struct json_object **ret, berth_error_t **err);

/* Pure: put RES's keys (memory, cpu, pids, blockIO) into SPEC's linux.resources. */
void container_update_spec(struct json_object *spec, struct json_object *res);

/* POST /containers/{REF}/update: validate, apply to the running task through the shim's Update
 * (when it runs) and store the new HostConfig in the record (one transaction). */
int container_run_update(struct container_runner *r, const char *ref, struct json_object *body,
                         berth_error_t **err);

/* One Stats sample of REF: *RET_ID (full), *RET_NAME ("/name") and, when it runs, the Metrics
 * Any (*RET_TYPE_URL, *RET_DATA, *RET_LEN; all NULL / 0 when it does not). The caller frees. */
int container_run_stats(struct container_runner *r, const char *ref, char **ret_id,
                        char **ret_name, char **ret_type_url, uint8_t **ret_data, size_t *ret_len,
                        berth_error_t **err);
