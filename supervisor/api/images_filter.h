/* supervisor/api/images_filter.h: the pure parts of GET /images/json's filters that need more
 * than a name: creation order (before, since) and labels, as dockerd's image list. */
#pragma once

#include <stdbool.h>

struct json_object;

/* "2024-01-02T03:04:05.123456789Z" (or with an offset) to nanoseconds since the epoch, the
 * precision dockerd compares created times at; 0 when unparsable. */
long long api_images_created_nanos(const char *rfc3339);
/* dockerd's MatchKVList: every FILTERS entry ("key" or "key=value") holds in LABELS (an image
 * config's Labels object, may be NULL). */
bool api_images_labels_match(struct json_object *labels, char *const *filters);
