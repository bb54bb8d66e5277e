/* supervisor/volumes/filter.h: GET /volumes and POST /volumes/prune filters (dangling, name,
 * label, driver; prune: label, label!) as dockerd 20.10 (API 1.41) applies them. Pure. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct json_object;

enum volume_filter_use {
        VOLUME_FILTER_LIST,
        VOLUME_FILTER_PRUNE,
};

struct volume_filters {
        int dangling;      /* -1: any; 1: unused only; 0: used only */
        char **names;      /* regular expressions searched in the name (moby's filters.Match) */
        char **labels;     /* "k" or "k=v": all must hold */
        char **not_labels; /* label!: none may hold */
        char **drivers;
};

/* JSON (the filters query value, may be NULL or "") for USE: -EINVAL "Invalid filter 'x'" for a
 * key USE does not take, "Invalid filter 'dangling=x'", or a JSON error. */
int volume_filters_parse(const char *json, enum volume_filter_use use, struct volume_filters *ret,
                         berth_error_t **err);
void volume_filters_done(struct volume_filters *f);
/* Whether volume record VOL ({"Name","Driver","Labels",…}) passes F; IN_USE: a container
 * refers to it. */
bool volume_filters_match(const struct volume_filters *f, struct json_object *vol, bool in_use);
/* dockerd's MatchKVList for one filter "k" or "k=v" over LABELS (an object, may be NULL). */
bool volume_label_match(struct json_object *labels, const char *filter);
