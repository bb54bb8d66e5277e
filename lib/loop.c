/* lib/loop.c: epoll, one source per fd, and removal that is safe while a batch is dispatched. */
#include <config.h>

#include "lib/loop.h"

#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/xalloc.h"

struct loop_source {
        int fd;
        bool removed;
        loop_fd_fn fn;
        void *userdata;
        struct loop_source *next_dead;
};

struct loop {
        int epfd;
        bool quit;
        int dispatching;            /* depth: a callback may run the loop again */
        struct loop_source **by_fd; /* indexed by fd: fds are small and dense */
        size_t n_by_fd;
        struct loop_source *dead; /* removed during a batch: freed when it ends */
};

int
loop_new(struct loop **ret, berth_error_t **err)
{
        struct loop *l;
        int fd = epoll_create1(EPOLL_CLOEXEC);

        if (fd < 0)
                return berth_error_sys(err, errno, "epoll_create1");
        l = xzalloc(sizeof(*l));
        l->epfd = fd;
        *ret = l;
        return 0;
}

static void
free_dead(struct loop *l)
{
        while (l->dead) {
                struct loop_source *s = l->dead;
                l->dead = s->next_dead;
                free(s);
        }
}

void
loop_free(struct loop *l)
{
        if (!l)
                return;
        for (size_t i = 0; i < l->n_by_fd; i++)
                free(l->by_fd[i]);
        free_dead(l);
        free(l->by_fd);
        close(l->epfd);
        free(l);
}

static struct loop_source *
source_of(struct loop *l, int fd)
{
        if (fd < 0 || (size_t) fd >= l->n_by_fd)
                return NULL;
        return l->by_fd[fd];
}

int
loop_add_fd(struct loop *l, int fd, uint32_t events, loop_fd_fn fn, void *userdata,
            berth_error_t **err)
{
        struct epoll_event ev = {.events = events};
        struct loop_source *s;

        if (fd < 0)
                return berth_error_new(err, EBADF, "watch fd %d: bad file descriptor", fd);
        if (source_of(l, fd))
                return berth_error_new(err, EEXIST, "watch fd %d: already watched", fd);
        if ((size_t) fd >= l->n_by_fd) {
                size_t n = (size_t) fd + 16;
                l->by_fd = xreallocarray(l->by_fd, n, sizeof(*l->by_fd));
                memset(l->by_fd + l->n_by_fd, 0, (n - l->n_by_fd) * sizeof(*l->by_fd));
                l->n_by_fd = n;
        }
        s = xzalloc(sizeof(*s));
        s->fd = fd;
        s->fn = fn;
        s->userdata = userdata;
        ev.data.ptr = s;
        if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                int e = errno;
                free(s);
                return berth_error_sys(err, e, "watch fd %d", fd);
        }
        l->by_fd[fd] = s;
        return 0;
}

int
loop_set_events(struct loop *l, int fd, uint32_t events, berth_error_t **err)
{
        struct loop_source *s = source_of(l, fd);
        struct epoll_event ev = {.events = events};

        if (!s)
                return berth_error_new(err, ENOENT, "watch fd %d: not watched", fd);
        ev.data.ptr = s;
        if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev) < 0)
                return berth_error_sys(err, errno, "watch fd %d", fd);
        return 0;
}

void
loop_remove_fd(struct loop *l, int fd)
{
        struct loop_source *s = source_of(l, fd);

        if (!s)
                return;
        /* EBADF when the caller closed the fd first: it left the epoll set then. */
        (void) epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
        l->by_fd[fd] = NULL;
        if (!l->dispatching) {
                free(s);
                return;
        }
        /* The current batch may still hold an event for it: keep the memory until it ends. */
        s->removed = true;
        s->next_dead = l->dead;
        l->dead = s;
}

int
loop_run_once(struct loop *l, int timeout_ms, berth_error_t **err)
{
        struct epoll_event events[32];
        int n = epoll_wait(l->epfd, events, sizeof(events) / sizeof(events[0]), timeout_ms);

        if (n < 0) {
                if (errno == EINTR)
                        return 0;
                return berth_error_sys(err, errno, "epoll_wait");
        }
        l->dispatching++;
        for (int i = 0; i < n; i++) {
                struct loop_source *s = events[i].data.ptr;
                if (!s->removed)
                        s->fn(s->fd, events[i].events, s->userdata);
        }
        if (--l->dispatching == 0)
                free_dead(l);
        return n;
}

int
loop_run(struct loop *l, berth_error_t **err)
{
        l->quit = false;
        while (!l->quit) {
                int r = loop_run_once(l, -1, err);
                if (r < 0)
                        return r;
        }
        return 0;
}

void
loop_quit(struct loop *l)
{
        l->quit = true;
}
