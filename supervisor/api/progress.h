/* supervisor/api/progress.h: docker's JSON progress lines (its pkg/jsonmessage shapes) from
 * the image service's pull events. Pure. */
#pragma once

#include <stdint.h>

struct json_object;
struct image_pull_event;

/* SIZE bytes as docker's units.HumanSize: 4 significant digits, decimal units ("1.049MB"). */
char *api_progress_human_size(int64_t size);
/* docker's progress text for CURRENT of TOTAL bytes, started at START (unix seconds), NOW:
 * "[=====>     ]  1.049MB/2.097MB 3s" (a 50-column bar, docker's width for a daemon). "" when
 * there is nothing to show. Caller frees. */
char *api_progress_bar(int64_t current, int64_t total, int64_t start, int64_t now);
/* {"status":…,"progressDetail":{…},"progress":…,"id":…} in docker's member order. */
struct json_object *api_progress_json(const struct image_pull_event *ev, int64_t now);
/* {"errorDetail":{"message":MSG},"error":MSG}: a stream's last line after a failure. */
struct json_object *api_progress_error(const char *msg);
