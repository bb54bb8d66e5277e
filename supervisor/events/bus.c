/* supervisor/events/bus.c: the ring of recent events and its listeners (see bus.h). */
#include <config.h>

#include "supervisor/events/bus.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/strv.h"
#include "lib/xalloc.h"

void
event_done(struct event *e)
{
        free(e->type);
        free(e->action);
        free(e->actor_id);
        strv_free(e->attrs);
        memset(e, 0, sizeof(*e));
}

static char **
attrs_copy(char *const *attrs)
{
        char **out = NULL;

        /* Pairs only: a trailing key without a value is dropped. */
        for (size_t i = 0; attrs && attrs[i] && attrs[i + 1]; i += 2) {
                strv_push(&out, attrs[i]);
                strv_push(&out, attrs[i + 1]);
        }
        return out;
}

void
event_copy(struct event *dst, const struct event *src)
{
        dst->type = xstrdup(src->type);
        dst->action = xstrdup(src->action);
        dst->actor_id = xstrdup(src->actor_id ? src->actor_id : "");
        dst->attrs = attrs_copy(src->attrs);
        dst->time_nano = src->time_nano;
        dst->seq = src->seq;
}

const char *
event_attr(const struct event *e, const char *key)
{
        for (size_t i = 0; e->attrs && e->attrs[i] && e->attrs[i + 1]; i += 2)
                if (strcmp(e->attrs[i], key) == 0)
                        return e->attrs[i + 1];
        return NULL;
}

void
events_bus_init(struct event_bus *bus)
{
        pthread_condattr_t ca;

        memset(bus, 0, sizeof(*bus));
        pthread_mutex_init(&bus->lock, NULL);
        /* Waits are timed: a monotonic clock keeps them right when the wall clock jumps. */
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&bus->changed, &ca);
        pthread_condattr_destroy(&ca);
}

void
events_bus_done(struct event_bus *bus)
{
        for (size_t i = 0; i < EVENTS_RING_SIZE; i++)
                event_done(&bus->ring[i]);
        pthread_cond_destroy(&bus->changed);
        pthread_mutex_destroy(&bus->lock);
}

void
events_bus_close(struct event_bus *bus)
{
        pthread_mutex_lock(&bus->lock);
        bus->closed = true;
        pthread_cond_broadcast(&bus->changed);
        pthread_mutex_unlock(&bus->lock);
}

unsigned
events_bus_listeners(struct event_bus *bus)
{
        unsigned n;

        pthread_mutex_lock(&bus->lock);
        n = bus->listeners;
        pthread_mutex_unlock(&bus->lock);
        return n;
}

void
events_publish_at(struct event_bus *bus, int64_t time_nano, const char *type, const char *action,
                  const char *actor_id, char *const *attrs)
{
        struct event *slot;

        if (bus == NULL)
                return;
        pthread_mutex_lock(&bus->lock);
        /* Times never go backwards in the ring: --since relies on its order. */
        if (bus->last_seq > 0) {
                int64_t last = bus->ring[bus->last_seq % EVENTS_RING_SIZE].time_nano;
                if (time_nano < last)
                        time_nano = last;
        }
        bus->last_seq++;
        slot = &bus->ring[bus->last_seq % EVENTS_RING_SIZE];
        event_done(slot);
        slot->type = xstrdup(type);
        slot->action = xstrdup(action);
        slot->actor_id = xstrdup(actor_id ? actor_id : "");
        slot->attrs = attrs_copy(attrs);
        slot->time_nano = time_nano;
        slot->seq = bus->last_seq;
        pthread_cond_broadcast(&bus->changed);
        pthread_mutex_unlock(&bus->lock);
}

void
events_publish(struct event_bus *bus, const char *type, const char *action, const char *actor_id,
               char *const *attrs)
{
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        events_publish_at(bus, (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec, type, action,
                          actor_id, attrs);
}

/* The oldest seq still in the ring; the caller holds the lock. */
static uint64_t
oldest_locked(const struct event_bus *bus)
{
        return bus->last_seq > EVENTS_RING_SIZE ? bus->last_seq - EVENTS_RING_SIZE + 1 : 1;
}

void
events_subscribe(struct event_bus *bus, int64_t replay_from, struct event_subscription *sub)
{
        uint64_t seq;

        pthread_mutex_lock(&bus->lock);
        sub->bus = bus;
        sub->next = bus->last_seq + 1;
        if (replay_from >= 0) {
                /* The ring is in time order: walk back while events are recent enough. */
                for (seq = bus->last_seq; seq >= oldest_locked(bus) && seq > 0; seq--) {
                        if (bus->ring[seq % EVENTS_RING_SIZE].time_nano < replay_from)
                                break;
                        sub->next = seq;
                }
        }
        bus->listeners++;
        pthread_mutex_unlock(&bus->lock);
}

void
events_unsubscribe(struct event_subscription *sub)
{
        if (sub->bus == NULL)
                return;
        pthread_mutex_lock(&sub->bus->lock);
        sub->bus->listeners--;
        pthread_mutex_unlock(&sub->bus->lock);
        sub->bus = NULL;
}

int
events_next(struct event_subscription *sub, int timeout_ms, struct event *ret)
{
        struct event_bus *bus = sub->bus;
        struct timespec until;
        int r = 0;

        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += timeout_ms / 1000;
        until.tv_nsec += (long) (timeout_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&bus->lock);
        for (;;) {
                if (bus->closed) {
                        r = -ESHUTDOWN;
                        break;
                }
                if (sub->next < oldest_locked(bus))
                        sub->next = oldest_locked(bus);
                if (sub->next <= bus->last_seq) {
                        event_copy(ret, &bus->ring[sub->next % EVENTS_RING_SIZE]);
                        sub->next++;
                        r = 1;
                        break;
                }
                if (timeout_ms <= 0
                    || pthread_cond_timedwait(&bus->changed, &bus->lock, &until) == ETIMEDOUT) {
                        r = 0;
                        if (sub->next <= bus->last_seq && !bus->closed)
                                continue; /* published just as the wait ended */
                        break;
                }
        }
        pthread_mutex_unlock(&bus->lock);
        return r;
}
