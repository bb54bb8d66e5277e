/* shim/publisher.c: see publisher.h. */
#include "shim/publisher.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "containerd/services/events/ttrpc/v1/events.pb.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/xalloc.h"
#include "proto/nano_callbacks.h"
#include "proto/ttrpc/client.h"

#define FORWARD_TIMEOUT_NS (5LL * 1000 * 1000 * 1000)
#define MAX_ATTEMPTS       5

struct pub_event {
        uint8_t *payload; /* the encoded ForwardRequest */
        size_t len;
        char *topic;
        unsigned attempts;
        struct pub_event *next;
};

struct shim_publisher {
        struct loop *loop;
        char *address, *ns;
        struct ttrpc_client *client;
        struct pub_event *head, **tail;
        bool in_flight;
        bool client_dead; /* freed from pub_kick, never from the client's own callbacks */
        int timer;        /* armed while waiting to retry */
};

static void pub_kick(struct shim_publisher *p);

static void
pub_event_free(struct pub_event *e)
{
        free(e->payload);
        free(e->topic);
        free(e);
}

static void
pub_drop_client(struct shim_publisher *p)
{
        ttrpc_client_free(p->client);
        p->client = NULL;
}

static void
pub_retry_fired(int fd, uint32_t events, void *userdata)
{
        struct shim_publisher *p = userdata;
        uint64_t n;

        (void) events;
        (void) !read(fd, &n, sizeof(n));
        loop_remove_fd(p->loop, fd);
        pub_kick(p);
}

static void
pub_schedule_retry(struct shim_publisher *p, unsigned seconds)
{
        struct itimerspec its = {.it_value = {.tv_sec = seconds, .tv_nsec = seconds ? 0 : 1}};

        if (p->timer < 0)
                p->timer = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (p->timer < 0 || timerfd_settime(p->timer, 0, &its, NULL) < 0
            || loop_add_fd(p->loop, p->timer, EPOLLIN, pub_retry_fired, p, NULL) < 0) {
                log_warn("events: cannot schedule a retry: %s", strerror(errno));
                return;
        }
}

static void
pub_pop(struct shim_publisher *p)
{
        struct pub_event *e = p->head;

        p->head = e->next;
        if (!p->head)
                p->tail = &p->head;
        pub_event_free(e);
}

static void
pub_answered(const uint8_t *payload, size_t len, const berth_error_t *err, void *userdata)
{
        struct shim_publisher *p = userdata;
        struct pub_event *e = p->head;

        (void) payload;
        (void) len;
        p->in_flight = false;
        if (!e)
                return;
        if (!err) {
                pub_pop(p);
                pub_kick(p);
                return;
        }
        p->client_dead = true; /* a fresh connection for the retry */
        if (++e->attempts >= MAX_ATTEMPTS) {
                log_warn("events: dropping %s after %u attempts: %s", e->topic, e->attempts,
                         err->msg);
                pub_pop(p);
                pub_schedule_retry(p, 0);
                return;
        }
        log_debug("events: %s failed (%s), retrying in %u s", e->topic, err->msg, e->attempts);
        pub_schedule_retry(p, e->attempts);
}

static void
pub_closed(struct ttrpc_client *c, void *userdata)
{
        (void) c;
        (void) userdata;
}

static void
pub_kick(struct shim_publisher *p)
{
        struct pub_event *e = p->head;
        cleanup_error berth_error_t *err = NULL;

        if (!e || p->in_flight)
                return;
        if (p->client_dead) {
                pub_drop_client(p);
                p->client_dead = false;
        }
        if (!p->client) {
                const char *path = p->address;
                if (strncmp(path, "unix://", 7) == 0)
                        path += 7;
                if (ttrpc_client_connect_unix(path, false, &p->client, &err) < 0
                    || ttrpc_client_attach(p->client, p->loop, &err) < 0) {
                        pub_answered(NULL, 0, err, p);
                        return;
                }
                ttrpc_client_on_close(p->client, pub_closed, p);
        }
        struct ttrpc_kv md = {.key = "containerd-namespace-ttrpc", .value = p->ns};
        struct ttrpc_client_request req = {
                .service = "containerd.services.events.ttrpc.v1.Events",
                .method = "Forward",
                .payload = e->payload,
                .payload_len = e->len,
                .timeout_ns = FORWARD_TIMEOUT_NS,
                .metadata = &md,
                .n_metadata = 1,
        };
        p->in_flight = true;
        if (ttrpc_client_call_async(p->client, &req, pub_answered, p, NULL, &err) < 0) {
                p->in_flight = false;
                if (!err)
                        berth_error_new(&err, ECONNRESET, "ttrpc: closed");
                pub_answered(NULL, 0, err, p);
        }
}

int
shim_publisher_new(struct loop *l, const char *address, const char *ns, struct shim_publisher **ret,
                   berth_error_t **err)
{
        struct shim_publisher *p = xmalloc(sizeof(*p));

        (void) err;
        *p = (struct shim_publisher){.loop = l,
                                     .address = address && *address ? xstrdup(address) : NULL,
                                     .ns = xstrdup(ns ? ns : "default"),
                                     .timer = -1};
        p->tail = &p->head;
        *ret = p;
        return 0;
}

void
shim_publisher_free(struct shim_publisher *p)
{
        if (!p)
                return;
        pub_drop_client(p);
        while (p->head)
                pub_pop(p);
        if (p->timer >= 0) {
                loop_remove_fd(p->loop, p->timer);
                close(p->timer);
        }
        free(p->address);
        free(p->ns);
        free(p);
}

void
shim_publisher_send(struct shim_publisher *p, const char *topic, const char *type_url,
                    const uint8_t *event, size_t len)
{
        containerd_services_events_ttrpc_v1_ForwardRequest fwd =
                containerd_services_events_ttrpc_v1_ForwardRequest_init_zero;
        cleanup_error berth_error_t *err = NULL;
        struct nano_span value = {.data = event, .len = len};
        struct timespec now;

        if (!p || !p->address)
                return;
        clock_gettime(CLOCK_REALTIME, &now);
        fwd.has_envelope = true;
        fwd.envelope.has_timestamp = true;
        fwd.envelope.timestamp.seconds = now.tv_sec;
        fwd.envelope.timestamp.nanos = (int32_t) now.tv_nsec;
        strncpy(fwd.envelope.namespace, p->ns, sizeof(fwd.envelope.namespace) - 1);
        strncpy(fwd.envelope.topic, topic, sizeof(fwd.envelope.topic) - 1);
        fwd.envelope.has_event = true;
        strncpy(fwd.envelope.event.type_url, type_url, sizeof(fwd.envelope.event.type_url) - 1);
        fwd.envelope.event.value.funcs.encode = nano_encode_span;
        fwd.envelope.event.value.arg = &value;
        struct pub_event *e = xmalloc(sizeof(*e));
        *e = (struct pub_event){.topic = xstrdup(topic)};
        if (nano_encode(containerd_services_events_ttrpc_v1_ForwardRequest_fields, &fwd,
                        &e->payload, &e->len, &err)
            < 0) {
                log_warn("events: cannot encode %s: %s", topic, err->msg);
                pub_event_free(e);
                return;
        }
        *p->tail = e;
        p->tail = &e->next;
        pub_kick(p);
}

bool
shim_publisher_idle(const struct shim_publisher *p)
{
        return !p || !p->head;
}
