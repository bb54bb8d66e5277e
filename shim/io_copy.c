/* shim/io_copy.c: see io_copy.h. One buffer per direction: the source is watched while the
 * buffer is empty, the destination while it holds bytes. */
#include "shim/io_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "lib/loop.h"
#include "lib/xalloc.h"

#define COPY_BUF_SIZE 65536

struct shim_copy {
        struct loop *loop;
        int src, dst;
        bool close_dst, finished, dst_broken;
        size_t off, len;
        shim_copy_done_fn done;
        void *userdata;
        char buf[COPY_BUF_SIZE];
};

static void copy_src_ready(int fd, uint32_t events, void *userdata);
static void copy_dst_ready(int fd, uint32_t events, void *userdata);

static int
fd_set_nonblock(int fd)
{
        int fl = fcntl(fd, F_GETFL);
        if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

static void
copy_finish(struct shim_copy *c)
{
        if (c->src >= 0) {
                loop_remove_fd(c->loop, c->src);
                close(c->src);
                c->src = -1;
        }
        if (c->dst >= 0) {
                loop_remove_fd(c->loop, c->dst);
                if (c->close_dst) {
                        close(c->dst);
                        c->dst = -1;
                }
        }
        c->finished = true;
        if (c->done)
                c->done(c, c->userdata);
}

/* Write what the buffer holds. Returns true when it is empty afterwards. */
static bool
copy_flush(struct shim_copy *c)
{
        while (c->len > 0) {
                if (c->dst_broken) {
                        c->len = 0;
                        break;
                }
                ssize_t n = write(c->dst, c->buf + c->off, c->len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return false;
                        c->dst_broken = true; /* EPIPE, EIO...: drop from now on */
                        continue;
                }
                c->off += (size_t) n;
                c->len -= (size_t) n;
        }
        c->off = 0;
        return true;
}

/* Switch the watch to the source (buffer empty) or the destination (bytes waiting). */
static void
copy_rearm(struct shim_copy *c, bool want_dst)
{
        loop_remove_fd(c->loop, c->src);
        loop_remove_fd(c->loop, c->dst);
        if (want_dst) {
                if (loop_add_fd(c->loop, c->dst, EPOLLOUT, copy_dst_ready, c, NULL) == 0)
                        return;
                c->dst_broken = true; /* cannot wait for it: drop what it would not take */
                c->len = 0;
        }
        if (loop_add_fd(c->loop, c->src, EPOLLIN, copy_src_ready, c, NULL) < 0)
                copy_finish(c);
}

static void
copy_src_ready(int fd, uint32_t events, void *userdata)
{
        struct shim_copy *c = userdata;
        (void) events;
        for (;;) {
                ssize_t n = read(fd, c->buf, sizeof(c->buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) { /* end of file, or EIO from a pty whose slave is gone */
                        copy_finish(c);
                        return;
                }
                c->off = 0;
                c->len = (size_t) n;
                if (!copy_flush(c)) {
                        copy_rearm(c, true);
                        return;
                }
        }
}

static void
copy_dst_ready(int fd, uint32_t events, void *userdata)
{
        struct shim_copy *c = userdata;
        (void) fd;
        if (events & (EPOLLERR | EPOLLHUP))
                c->dst_broken = true;
        if (copy_flush(c))
                copy_rearm(c, false);
}

int
shim_copy_new(struct loop *l, int src, int dst, bool close_dst, shim_copy_done_fn done,
              void *userdata, struct shim_copy **ret, berth_error_t **err)
{
        int r;
        if ((r = fd_set_nonblock(src)) < 0 || (r = fd_set_nonblock(dst)) < 0) {
                close(src);
                close(dst);
                return berth_error_sys(err, -r,
                                       "stdio copy: cannot make the descriptors non-blocking");
        }
        struct shim_copy *c = xmalloc(sizeof(*c));
        *c = (struct shim_copy){.loop = l,
                                .src = src,
                                .dst = dst,
                                .close_dst = close_dst,
                                .done = done,
                                .userdata = userdata};
        r = loop_add_fd(l, src, EPOLLIN, copy_src_ready, c, err);
        if (r < 0) {
                c->done = NULL;
                c->close_dst = true;
                shim_copy_free(c);
                return berth_error_prefix(err, "stdio copy");
        }
        *ret = c;
        return 0;
}

void
shim_copy_free(struct shim_copy *c)
{
        if (!c)
                return;
        if (c->src >= 0) {
                loop_remove_fd(c->loop, c->src);
                close(c->src);
        }
        if (c->dst >= 0) {
                loop_remove_fd(c->loop, c->dst);
                close(c->dst);
        }
        free(c);
}

bool
shim_copy_finished(const struct shim_copy *c)
{
        return !c || c->finished;
}

void
shim_copy_drain(struct shim_copy *c)
{
        struct pollfd pfd = {.fd = c->dst, .events = POLLOUT};

        for (int rounds = 0; rounds < 64 && !c->finished; rounds++) {
                if (c->len > 0 && !copy_flush(c)) {
                        if (poll(&pfd, 1, 1000) <= 0)
                                c->dst_broken = true;
                        continue;
                }
                ssize_t n = read(c->src, c->buf, sizeof(c->buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        break;
                if (n <= 0) {
                        copy_finish(c);
                        return;
                }
                c->off = 0;
                c->len = (size_t) n;
        }
        if (!c->finished)
                copy_rearm(c, c->len > 0);
}
