/* supervisor/tasks/events.c: the Events/Forward server on its own thread; see events.h. */
#include <config.h>

#include "supervisor/tasks/events.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/loop.h"
#include "lib/xalloc.h"
#include "proto/ttrpc/server.h"
#include "proto/ttrpc/status.h"

#define EVENTS_SERVICE "containerd.services.events.ttrpc.v1.Events"

struct task_events {
        char *path;
        task_event_fn fn;
        void *userdata;
        struct loop *loop;
        struct ttrpc_server *server;
        int stop_fd; /* eventfd: task_events_close() wakes the thread through it */
        pthread_t thread;
        bool thread_started;
};

static void
forward(struct ttrpc_call *call, void *userdata)
{
        struct task_events *ev = userdata;
        const struct ttrpc_request *req = ttrpc_call_request(call);
        cleanup_error berth_error_t *err = NULL;
        struct task_event e;

        if (task_event_parse(req->payload, req->payload_len, &e, &err) < 0) {
                log_debug("events: refused an envelope: %s", err->msg);
                ttrpc_call_reply_error(call, err);
                return;
        }
        ev->fn(&e, ev->userdata);
        task_event_done(&e);
        ttrpc_call_reply(call, NULL, 0); /* google.protobuf.Empty */
}

static void
on_stop(int fd, uint32_t events, void *userdata)
{
        struct task_events *ev = userdata;
        uint64_t v;

        (void) events;
        (void) !read(fd, &v, sizeof(v));
        loop_quit(ev->loop);
}

static void *
events_thread(void *arg)
{
        struct task_events *ev = arg;
        cleanup_error berth_error_t *err = NULL;

        if (loop_run(ev->loop, &err) < 0)
                log_debug("events: loop: %s", err->msg);
        return NULL;
}

void
task_events_close(struct task_events *ev)
{
        if (!ev)
                return;
        if (ev->thread_started) {
                uint64_t one = 1;
                (void) !write(ev->stop_fd, &one, sizeof(one));
                pthread_join(ev->thread, NULL);
        }
        ttrpc_server_free(ev->server);
        if (ev->loop && ev->stop_fd >= 0)
                loop_remove_fd(ev->loop, ev->stop_fd);
        loop_free(ev->loop);
        if (ev->stop_fd >= 0)
                close(ev->stop_fd);
        if (ev->path)
                unlink(ev->path);
        free(ev->path);
        free(ev);
}

int
task_events_open(const char *path, task_event_fn fn, void *userdata, struct task_events **ret,
                 berth_error_t **err)
{
        struct task_events *ev = xzalloc(sizeof(*ev));
        int r;

        ev->fn = fn;
        ev->userdata = userdata;
        ev->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (ev->stop_fd < 0) {
                r = berth_error_sys(err, errno, "events: eventfd");
                task_events_close(ev);
                return r;
        }
        /* A socket left by a berthd that was killed: berthd's exec-root lock says no other
         * berthd uses it. */
        struct stat st;
        if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
                r = berth_error_new(err, EEXIST, "events: \"%s\" exists and is not a socket", path);
                task_events_close(ev);
                return r;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
                r = berth_error_sys(err, errno, "events: remove \"%s\"", path);
                task_events_close(ev);
                return r;
        }
        if ((r = loop_new(&ev->loop, err)) < 0
            || (r = loop_add_fd(ev->loop, ev->stop_fd, EPOLLIN, on_stop, ev, err)) < 0
            || (r = ttrpc_server_new(ev->loop, &ev->server, err)) < 0
            || (r = ttrpc_server_register(ev->server, EVENTS_SERVICE, "Forward", forward, ev, err))
                       < 0) {
                task_events_close(ev);
                return r;
        }
        if ((r = ttrpc_server_listen_unix(ev->server, path, false, err)) < 0) {
                task_events_close(ev);
                return berth_error_prefix(err, "events socket \"%s\"", path);
        }
        ev->path = xstrdup(path);
        r = pthread_create(&ev->thread, NULL, events_thread, ev);
        if (r != 0) {
                r = berth_error_sys(err, r, "events: start a thread");
                task_events_close(ev);
                return r;
        }
        ev->thread_started = true;
        *ret = ev;
        return 0;
}
