/* runtime/linux/sync.c: fixed-size headers plus an optional message over a SOCK_SEQPACKET pair. */
#include <config.h>

#include "runtime/linux/sync.h"

#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/fs.h"
#include "lib/xalloc.h"

struct sync_msg {
        int32_t type;
        int32_t code;
        char text[4000];
};

int
sync_send(int fd, enum sync_type type, berth_error_t **err)
{
        struct sync_msg m = {.type = (int32_t) type};

        if (send(fd, &m, offsetof(struct sync_msg, text), MSG_NOSIGNAL) < 0)
                return berth_error_sys(err, errno, "sync with container init");
        return 0;
}

void
sync_send_error(int fd, const berth_error_t *e)
{
        struct sync_msg m = {.type = SYNC_ERROR, .code = e ? e->code : EIO};
        size_t n;

        snprintf(m.text, sizeof(m.text), "%s", e && e->msg ? e->msg : "unknown error");
        n = strlen(m.text);
        (void) send(fd, &m, offsetof(struct sync_msg, text) + n + 1, MSG_NOSIGNAL);
}

int
sync_send_text(int fd, enum sync_type type, const char *text, berth_error_t **err)
{
        struct sync_msg m = {.type = (int32_t) type};
        size_t n = strlen(text);

        if (n >= sizeof(m.text))
                return berth_error_new(err, E2BIG, "sync with container init: message too long");
        memcpy(m.text, text, n + 1);
        if (send(fd, &m, offsetof(struct sync_msg, text) + n + 1, MSG_NOSIGNAL) < 0)
                return berth_error_sys(err, errno, "sync with container init");
        return 0;
}

int
sync_expect(int fd, enum sync_type want, berth_error_t **err)
{
        return sync_expect_text(fd, want, NULL, err);
}

int
sync_expect_text(int fd, enum sync_type want, char **ret_text, berth_error_t **err)
{
        struct sync_msg m;
        ssize_t n;

        memset(&m, 0, sizeof(m));
        do
                n = recv(fd, &m, sizeof(m) - 1, 0);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return berth_error_sys(err, errno, "sync with container init");
        if (n == 0)
                return berth_error_new(err, EPIPE, "container init exited unexpectedly");
        if (m.type == SYNC_ERROR)
                return berth_error_new(err, m.code > 0 ? m.code : EIO, "%s", m.text);
        if (m.type != (int32_t) want)
                return berth_error_new(err, EPROTO, "sync with container init: got message %d, expected %d",
                                       m.type, (int) want);
        if (ret_text)
                *ret_text = xstrdup(n > (ssize_t) offsetof(struct sync_msg, text) ? m.text : "");
        return 0;
}
