/* supervisor/events/bus.h: berthd's event bus: what happened to images (and later containers,
 * volumes, networks), kept in a bounded ring for `docker events --since` and handed to every
 * listener as it happens. No JSON and no HTTP inside (filter.h shapes and selects events). */
#pragma once

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* dockerd keeps the last 256 events for --since (moby daemon/events/events.go, eventsLimit). */
#define EVENTS_RING_SIZE 256

struct event {
        char *type;        /* "image", "container", … (docker's events.Type) */
        char *action;      /* "tag", "untag", "delete", "pull", "load", "start", … */
        char *actor_id;    /* the image ID or reference, the container ID, … */
        char **attrs;      /* key, value, key, value, …, NULL (NULL: none) */
        int64_t time_nano; /* CLOCK_REALTIME, nanoseconds since the epoch */
        uint64_t seq;      /* publication order, from 1 */
};

void event_done(struct event *e);
/* A deep copy of SRC into DST. */
void event_copy(struct event *dst, const struct event *src);
/* The value of attribute KEY, or NULL. */
const char *event_attr(const struct event *e, const char *key);

struct event_bus {
        pthread_mutex_t lock;
        pthread_cond_t changed; /* broadcast on every publish and on close (CLOCK_MONOTONIC) */
        /* Guarded by lock: */
        struct event ring[EVENTS_RING_SIZE]; /* event seq lives in slot seq % EVENTS_RING_SIZE */
        uint64_t last_seq;                   /* the newest event's seq; 0: none yet */
        unsigned listeners;
        bool closed;
};

void events_bus_init(struct event_bus *bus);
/* Frees the ring; no listener may remain. */
void events_bus_done(struct event_bus *bus);
/* Wake every listener for good: events_next() returns -ESHUTDOWN from now on (shutdown). */
void events_bus_close(struct event_bus *bus);
/* How many subscriptions are open (/info's NEventsListener). */
unsigned events_bus_listeners(struct event_bus *bus);

/* Record an event now. TYPE, ACTION, ACTOR_ID and ATTRS (key, value, …, NULL; may be NULL) are
 * copied. BUS may be NULL (then nothing happens), so subsystems need not check. Never fails. */
void events_publish(struct event_bus *bus, const char *type, const char *action,
                    const char *actor_id, char *const *attrs);
/* The same with a given time (tests). */
void events_publish_at(struct event_bus *bus, int64_t time_nano, const char *type,
                       const char *action, const char *actor_id, char *const *attrs);

struct event_subscription {
        struct event_bus *bus;
        uint64_t next; /* the seq to hand out next */
};

/* Start listening. REPLAY_FROM >= 0: first every event still in the ring whose time is at or
 * after REPLAY_FROM (nanoseconds), as dockerd's --since/--until; < 0: only what comes next.
 * Counts as a listener until events_unsubscribe(). */
void events_subscribe(struct event_bus *bus, int64_t replay_from, struct event_subscription *sub);
void events_unsubscribe(struct event_subscription *sub);
/* The next event into *RET (a copy, event_done() it): 1; 0 when none came within TIMEOUT_MS
 * (0: just look); -ESHUTDOWN once the bus is closed. A listener that fell more than the ring
 * behind skips what was overwritten (dockerd drops events for slow listeners too). */
int events_next(struct event_subscription *sub, int timeout_ms, struct event *ret);
