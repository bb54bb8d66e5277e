/* supervisor/containers/list.h: docker ps's selection (all, limit, filters) and the shapes of
 * GET /containers/json and /containers/{id}/json, from container records. Pure. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct json_object;

struct container_list_opts {
        bool all;
        int64_t limit;               /* > 0: the newest LIMIT (and stopped ones count) */
        struct json_object *filters; /* {"key":{"value":true}} or {"key":["value"]}; may be NULL */
        char **ancestor_ids;         /* image IDs the "ancestor" filter values resolved to */
};

/* The filter keys and values of FILTERS checked as dockerd does: -EINVAL "Invalid filter
 * 'KEY'" or "Unrecognised filter value for status: V". */
int container_list_check_filters(struct json_object *filters, berth_error_t **err);
/* The values of filter KEY (a strv appended to *ret). */
void container_list_filter_values(struct json_object *filters, const char *key, char ***ret);
/* Select from RECORDS (ordered oldest first) the records docker ps shows, newest first; a JSON
 * array of new references to them in *ret. */
int container_list_select(struct json_object *records, const struct container_list_opts *opts,
                          struct json_object **ret, berth_error_t **err);
/* One /containers/json entry for a record (SIZE_RW < 0: no size fields). NOW for Status. */
struct json_object *container_list_summary(struct json_object *record, int64_t size_rw,
                                           int64_t size_root, int64_t now);
/* docker's Status column: "Created", "Up 5 minutes", "Exited (0) 2 hours ago". Caller frees. */
char *container_status_text(struct json_object *state, int64_t now);
/* docker's NetworkSettings.Ports of a container: while RUNNING, CONFIG's ExposedPorts ("80/tcp":
 * null, no binding) and HOST_CONFIG's PortBindings; {} when it does not run or with NetworkMode
 * none, host or container:X, as dockerd (ports are mapped on the container's own endpoint when
 * it starts). The caller's. */
struct json_object *container_ports_build(struct json_object *config,
                                          struct json_object *host_config, bool running);
/* The inspect document of RECORD: its stored fields plus GraphDriver (DRIVER, UPPER, LOWERS
 * as docker's overlay2 Data; NULL for none), Mounts and NetworkSettings. */
struct json_object *container_inspect_build(struct json_object *record, const char *driver,
                                            const char *upper, const char *lowers);
