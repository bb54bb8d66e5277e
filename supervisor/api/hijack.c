/* supervisor/api/hijack.c: the session's side of a hijacked connection (see hijack.h). */
#include <config.h>

#include "supervisor/api/hijack.h"

#include <errno.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <linux/sockios.h>

#include "lib/fs.h"
#include "supervisor/api/api.h"

void
api_response_hijack(struct api_response *resp, const char *content_type, api_hijack_fn fn,
                    void *arg, void (*free_arg)(void *))
{
        api_response_stream(resp, 200, content_type, fn, arg, free_arg);
        resp->hijack = true;
}

/* Whether the comma-separated LIST holds TOKEN, case-insensitively. */
static bool
has_token(const char *list, const char *token)
{
        size_t tl = strlen(token);
        const char *p = list;

        while (*p) {
                size_t n;
                while (*p == ' ' || *p == '\t' || *p == ',')
                        p++;
                n = strcspn(p, ",");
                while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
                        n--;
                if (n == tl && strncasecmp(p, token, tl) == 0)
                        return true;
                p += strcspn(p, ",");
        }
        return false;
}

enum api_hijack_mode
api_hijack_mode_build(const char *connection, const char *upgrade)
{
        if (connection == NULL || upgrade == NULL)
                return API_HIJACK_PLAIN;
        if (!has_token(connection, "upgrade") || !has_token(upgrade, "tcp"))
                return API_HIJACK_PLAIN;
        return API_HIJACK_UPGRADE;
}

ssize_t
api_hijack_read(struct api_stream *s, void *buf, size_t len)
{
        ssize_t n;

        if (s->n_pending > 0) {
                size_t k = s->n_pending < len ? s->n_pending : len;
                memcpy(buf, s->pending, k);
                s->pending += k;
                s->n_pending -= k;
                return (ssize_t) k;
        }
        if (s->in_fd < 0)
                return 0;
        do
                n = read(s->in_fd, buf, len);
        while (n < 0 && errno == EINTR);
        return n < 0 ? -errno : n;
}

int
api_hijack_write(struct api_stream *s, const void *buf, size_t len)
{
        int r = fs_write_all(s->fd, buf, len);
        return r < 0 ? r : 0;
}

int
api_hijack_write_frame(struct api_stream *s, enum stdcopy_stream stream, const void *buf,
                       size_t len)
{
        return stdcopy_write_frame(s->fd, stream, buf, len);
}

void
api_hijack_wait_read(struct api_stream *s, int max_ms)
{
        struct timespec ms = {.tv_nsec = 1000000};

        for (int i = 0; i < max_ms; i++) {
                int unread = 0;
                if (ioctl(s->fd, SIOCOUTQ, &unread) < 0 || unread <= 0)
                        return;
                nanosleep(&ms, NULL);
        }
}
