/* supervisor/api/events.c: GET /events: decode since/until/filters, stream from the event bus
 * (supervisor/events/) in docker's shape. */
#include <config.h>

#include "supervisor/api/events.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/api/stream.h"
#include "supervisor/events/bus.h"
#include "supervisor/events/filter.h"

/* How often an idle stream looks whether its client is still there and UNTIL has passed. */
#define EVENTS_POLL_MS 200

struct events_stream {
        struct event_bus *bus;
        struct events_filter filter;
        int64_t since; /* -1: none */
        int64_t until; /* -1: none */
};

static void
events_stream_free(void *p)
{
        struct events_stream *es = p;

        events_filter_done(&es->filter);
        free(es);
}

static int64_t
now_nano(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
events_produce(struct api_stream *s, void *arg)
{
        struct events_stream *es = arg;
        struct event_subscription sub = {0};
        /* As dockerd: the ring is replayed when since or until is given (until alone: from the
         * oldest), else only new events are sent. */
        int64_t replay = es->since >= 0 ? es->since : (es->until >= 0 ? 0 : -1);

        events_subscribe(es->bus, replay, &sub);
        for (;;) {
                struct event ev = {0};
                int wait = EVENTS_POLL_MS, r;
                bool past_until = es->until >= 0 && now_nano() >= es->until;

                if (past_until)
                        wait = 0; /* only what is already in the ring */
                else if (es->until >= 0 && (es->until - now_nano()) / 1000000 < wait)
                        wait = (int) ((es->until - now_nano()) / 1000000) + 1;
                r = events_next(&sub, wait, &ev);
                if (r < 0)
                        break;
                if (r == 0) {
                        if (past_until || api_stream_closed(s, 0))
                                break;
                        continue;
                }
                /* The ring is in time order: once past UNTIL, nothing later can qualify. */
                if (es->until >= 0 && ev.time_nano > es->until) {
                        event_done(&ev);
                        break;
                }
                if (events_filter_match(&es->filter, &ev)) {
                        cleanup_json struct json_object *o = events_message_build(&ev);
                        if (api_stream_write_json(s, o) < 0) {
                                event_done(&ev);
                                break;
                        }
                }
                event_done(&ev);
        }
        events_unsubscribe(&sub);
}

void
api_system_events(const struct api_ctx *ctx, const struct api_request *req,
                  struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        const char *since = api_query_get(req, "since");
        const char *until = api_query_get(req, "until");
        struct events_stream *es;

        if (ctx->events == NULL) {
                api_response_error(resp, 500, "events: not available");
                return;
        }
        es = xzalloc(sizeof(*es));
        es->bus = ctx->events;
        es->since = es->until = -1;
        if (since && since[0] && events_parse_timestamp(since, &es->since) < 0) {
                events_stream_free(es);
                api_response_error(resp, 400, "invalid value for since: \"%s\"", since);
                return;
        }
        if (until && until[0] && events_parse_timestamp(until, &es->until) < 0) {
                events_stream_free(es);
                api_response_error(resp, 400, "invalid value for until: \"%s\"", until);
                return;
        }
        if (es->since >= 0 && es->until >= 0 && es->until < es->since) {
                /* dockerd's wording (api/server/router/system/system_routes.go). */
                api_response_error(resp, 400, "`since` time (%s) cannot be after `until` time (%s)",
                                   since, until);
                events_stream_free(es);
                return;
        }
        if (events_filter_parse(api_query_get(req, "filters"), &es->filter, &err) < 0) {
                events_stream_free(es);
                api_response_error(resp, 400, "%s", err->msg);
                return;
        }
        api_response_stream(resp, 200, "application/json", events_produce, es, events_stream_free);
}
