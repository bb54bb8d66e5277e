/* supervisor/events/filter.h: docker's side of events: the `filters` query of GET /events
 * parsed and applied as dockerd does (moby daemon/events/filter.go), the `since`/`until`
 * timestamps, and the JSON message shape (API 1.41). Pure: no bus, no I/O. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"

struct event;
struct json_object;

struct events_filter {
        size_t n;
        struct {
                char *key;     /* "type", "event", "image", "container", "label", … */
                char **values; /* any of them matches */
        } * items;
};

void events_filter_done(struct events_filter *f);
/* TEXT is dockerd's JSON filter map ({"type":{"image":true}}, or the older {"type":["image"]});
 * NULL or "" is no filter. Unknown keys are kept and match nothing (dockerd 20.10 ignores
 * them too); bad JSON is -EINVAL "invalid filter: TEXT". */
int events_filter_parse(const char *text, struct events_filter *ret, berth_error_t **err);
/* Whether E passes F (every key given must match; values of one key are alternatives). */
bool events_filter_match(const struct events_filter *f, const struct event *e);

/* dockerd's timestamps as the CLI sends them: "SECONDS[.NANOSECONDS]" (the CLI turns "10m" and
 * RFC 3339 into that). *ret_nano is nanoseconds since the epoch. -EINVAL when malformed. */
int events_parse_timestamp(const char *text, int64_t *ret_nano);

/* E in docker's shape: {"status","id","from","Type","Action","Actor":{"ID","Attributes"},
 * "scope":"local","time","timeNano"} (status, id and from only where dockerd fills them). */
struct json_object *events_message_build(const struct event *e);
