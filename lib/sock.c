/* lib/sock.c: UNIX sockets and SCM_RIGHTS. */
#include <config.h>

#include "lib/sock.h"

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* Fill ADDR for PATH: a filesystem path, or with ABSTRACT a name whose address is a NUL byte and
 * the name, with no terminating NUL (the length says where it ends, as Go and systemd do it). */
static int
unix_addr_build(const char *path, int abstract, struct sockaddr_un *addr, socklen_t *ret_len,
                berth_error_t **err)
{
        size_t n = strlen(path);

        memset(addr, 0, sizeof(*addr));
        addr->sun_family = AF_UNIX;
        if (n == 0)
                return berth_error_new(err, EINVAL, "empty socket path");
        if (n + 1 > sizeof(addr->sun_path))
                return berth_error_new(err, ENAMETOOLONG, "socket path \"%s\" is too long", path);
        if (abstract) {
                memcpy(addr->sun_path + 1, path, n);
                *ret_len = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + n);
        } else {
                memcpy(addr->sun_path, path, n + 1);
                *ret_len = (socklen_t) sizeof(*addr);
        }
        return 0;
}

static int
connect_unix(const char *path, int abstract, berth_error_t **err)
{
        struct sockaddr_un addr;
        socklen_t len;
        int fd, r;

        r = unix_addr_build(path, abstract, &addr, &len, err);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berth_error_sys(err, errno, "socket");
        if (connect(fd, (struct sockaddr *) &addr, len) < 0) {
                int e = errno;
                close(fd);
                return berth_error_sys(err, e, "connect to \"%s%s\"", abstract ? "@" : "", path);
        }
        return fd;
}

int
sock_connect_unix(const char *path, berth_error_t **err)
{
        return connect_unix(path, 0, err);
}

int
sock_connect_unix_abstract(const char *name, berth_error_t **err)
{
        return connect_unix(name, 1, err);
}

int
sock_listen_unix(const char *path, int abstract, int backlog, berth_error_t **err)
{
        struct sockaddr_un addr;
        socklen_t len;
        int fd, r;

        r = unix_addr_build(path, abstract, &addr, &len, err);
        if (r < 0)
                return r;
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berth_error_sys(err, errno, "socket");
        if (bind(fd, (struct sockaddr *) &addr, len) < 0 || listen(fd, backlog) < 0) {
                int e = errno;
                close(fd);
                return berth_error_sys(err, e, "listen on \"%s%s\"", abstract ? "@" : "", path);
        }
        return fd;
}

int
sock_send_fd(int sock, int fd, const char *data, berth_error_t **err)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = {0};
        const char *payload = data && *data ? data : "\0";
        struct iovec iov = {.iov_base = (void *) payload, .iov_len = data && *data ? strlen(data) : 1};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                             .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
        while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0) {
                if (errno != EINTR)
                        return berth_error_sys(err, errno, "send fd");
        }
        return 0;
}

int
sock_recv_fd(int sock, berth_error_t **err)
{
        char cbuf[CMSG_SPACE(sizeof(int))] = {0};
        char data[256];
        struct iovec iov = {.iov_base = data, .iov_len = sizeof(data)};
        struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                             .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *c;
        int fd;

        while (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0) {
                if (errno != EINTR)
                        return berth_error_sys(err, errno, "receive fd");
        }
        c = CMSG_FIRSTHDR(&msg);
        if (!c || c->cmsg_type != SCM_RIGHTS)
                return berth_error_new(err, EPROTO, "receive fd: no fd in the message");
        memcpy(&fd, CMSG_DATA(c), sizeof(int));
        return fd;
}
