/* lib/error.c: building and wrapping berth_error_t. */
#include <config.h>

#include "lib/error.h"

#include <stdarg.h>
#include <string.h>

#include "lib/xalloc.h"

static int
error_vnew(berth_error_t **err, int code, const char *suffix, const char *fmt, va_list ap)
{
        char *msg = xvasprintf(fmt, ap);
        berth_error_t *e;

        if (code <= 0)
                code = EIO;
        if (suffix) {
                char *full = xasprintf("%s: %s", msg, suffix);
                free(msg);
                msg = full;
        }
        if (!err) {
                free(msg);
                return -code;
        }
        berth_error_free(*err); /* a caller bug, but never leak */
        e = xzalloc(sizeof(*e));
        e->code = code;
        e->msg = msg;
        *err = e;
        return -code;
}

int
berth_error_new(berth_error_t **err, int code, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_vnew(err, code, NULL, fmt, ap);
        va_end(ap);
        return r;
}

int
berth_error_sys(berth_error_t **err, int errno_, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = error_vnew(err, errno_, strerror(errno_ > 0 ? errno_ : EIO), fmt, ap);
        va_end(ap);
        return r;
}

int
berth_error_prefix(berth_error_t **err, const char *fmt, ...)
{
        va_list ap;
        char *ctx, *msg;

        if (!err || !*err)
                return -EIO;
        va_start(ap, fmt);
        ctx = xvasprintf(fmt, ap);
        va_end(ap);
        msg = xasprintf("%s: %s", ctx, (*err)->msg);
        free(ctx);
        free((*err)->msg);
        (*err)->msg = msg;
        return -(*err)->code;
}

void
berth_error_free(berth_error_t *e)
{
        if (!e)
                return;
        free(e->msg);
        free(e->json_path);
        free(e);
}
