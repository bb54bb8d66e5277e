/* lib/sock.c: UNIX sockets and SCM_RIGHTS. */
#include <config.h>

#include "lib/sock.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
sock_connect_unix(const char *path, berth_error_t **err)
{
        struct sockaddr_un addr = {.sun_family = AF_UNIX};
        int fd;

        if (strlen(path) >= sizeof(addr.sun_path))
                return berth_error_new(err, ENAMETOOLONG, "socket path \"%s\" is too long", path);
        strcpy(addr.sun_path, path);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return berth_error_sys(err, errno, "socket");
        if (connect(fd, (struct sockaddr *) &addr, sizeof(addr)) < 0) {
                int e = errno;
                close(fd);
                return berth_error_sys(err, e, "connect to \"%s\"", path);
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
