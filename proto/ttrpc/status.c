/* proto/ttrpc/status.c: gRPC codes ↔ errno classes ↔ errdefs texts, from one table. */
#include <config.h>

#include "proto/ttrpc/status.h"

#include <string.h>

#include "lib/xalloc.h"

struct code_info {
        const char *name;
        int errno_; /* the class this code stands for: code → errno → code round-trips */
        const char *class_text; /* containerd errdefs (errors.go), or the context error's text */
};

/* Indexed by code. The errnos are the house classes (style.md §2.1: EINVAL bad input, ENOENT
 * missing, EEXIST duplicate, EBUSY wrong state, EOPNOTSUPP unsupported); the texts are what
 * errdefs.FromGRPC() strips and re-wraps, so only the classes it knows carry one (§1.6). UNKNOWN
 * has none: the runc shim sends state-machine refusals as plain text. */
static const struct code_info codes[] = {
        [TTRPC_OK] = {"OK", 0, NULL},
        [TTRPC_CANCELLED] = {"CANCELLED", ECANCELED, "context canceled"},
        [TTRPC_UNKNOWN] = {"UNKNOWN", EIO, NULL},
        [TTRPC_INVALID_ARGUMENT] = {"INVALID_ARGUMENT", EINVAL, "invalid argument"},
        [TTRPC_DEADLINE_EXCEEDED] = {"DEADLINE_EXCEEDED", ETIMEDOUT, "context deadline exceeded"},
        [TTRPC_NOT_FOUND] = {"NOT_FOUND", ENOENT, "not found"},
        [TTRPC_ALREADY_EXISTS] = {"ALREADY_EXISTS", EEXIST, "already exists"},
        [TTRPC_PERMISSION_DENIED] = {"PERMISSION_DENIED", EPERM, NULL},
        [TTRPC_RESOURCE_EXHAUSTED] = {"RESOURCE_EXHAUSTED", ENOBUFS, NULL},
        [TTRPC_FAILED_PRECONDITION] = {"FAILED_PRECONDITION", EBUSY, "failed precondition"},
        [TTRPC_ABORTED] = {"ABORTED", ECONNABORTED, NULL},
        [TTRPC_OUT_OF_RANGE] = {"OUT_OF_RANGE", ERANGE, NULL},
        [TTRPC_UNIMPLEMENTED] = {"UNIMPLEMENTED", EOPNOTSUPP, "not implemented"},
        [TTRPC_INTERNAL] = {"INTERNAL", EPROTO, NULL},
        [TTRPC_UNAVAILABLE] = {"UNAVAILABLE", EAGAIN, "unavailable"},
        [TTRPC_DATA_LOSS] = {"DATA_LOSS", EBADMSG, NULL},
        [TTRPC_UNAUTHENTICATED] = {"UNAUTHENTICATED", EKEYREJECTED, NULL},
};
#define N_CODES ((int32_t) (sizeof(codes) / sizeof(codes[0])))

/* Further errnos that belong to a class, besides each code's own one above. */
static const struct {
        int errno_;
        int32_t code;
} errno_aliases[] = {
        /* a process that is gone: "process already finished: not found" */
        {ESRCH, TTRPC_NOT_FOUND},
        {ENOSYS, TTRPC_UNIMPLEMENTED},
        {EACCES, TTRPC_PERMISSION_DENIED},
        {ETIME, TTRPC_DEADLINE_EXCEEDED},
        {ECONNREFUSED, TTRPC_UNAVAILABLE},
        {ENOMEM, TTRPC_RESOURCE_EXHAUSTED},
        {ENOSPC, TTRPC_RESOURCE_EXHAUSTED},
        {EDQUOT, TTRPC_RESOURCE_EXHAUSTED},
        {EMFILE, TTRPC_RESOURCE_EXHAUSTED},
        {ENFILE, TTRPC_RESOURCE_EXHAUSTED},
        {EMSGSIZE, TTRPC_RESOURCE_EXHAUSTED},
        {EOVERFLOW, TTRPC_OUT_OF_RANGE},
};

const char *
ttrpc_code_name(int32_t code)
{
        if (code < 0 || code >= N_CODES)
                return NULL;
        return codes[code].name;
}

int32_t
ttrpc_code_from_errno(int errno_)
{
        if (errno_ < 0)
                errno_ = -errno_;
        if (errno_ == 0)
                return TTRPC_OK;
        for (int32_t c = 1; c < N_CODES; c++) {
                if (codes[c].errno_ == errno_ && c != TTRPC_UNKNOWN)
                        return c;
        }
        for (size_t i = 0; i < sizeof(errno_aliases) / sizeof(errno_aliases[0]); i++) {
                if (errno_aliases[i].errno_ == errno_)
                        return errno_aliases[i].code;
        }
        return TTRPC_UNKNOWN;
}

int
ttrpc_code_to_errno(int32_t code)
{
        if (code < 0 || code >= N_CODES)
                return EIO;
        return codes[code].errno_;
}

const char *
ttrpc_code_class_text(int32_t code)
{
        if (code < 0 || code >= N_CODES)
                return NULL;
        return codes[code].class_text;
}

static int
ends_with_class(const char *detail, const char *cls)
{
        size_t n = strlen(detail), m = strlen(cls);

        if (strcmp(detail, cls) == 0)
                return 1;
        return n > m + 2 && strcmp(detail + n - m, cls) == 0 && detail[n - m - 2] == ':'
               && detail[n - m - 1] == ' ';
}

char *
ttrpc_status_format_message(int32_t code, const char *detail)
{
        const char *cls = ttrpc_code_class_text(code);

        if (!detail || !*detail)
                return xstrdup(cls ? cls : "");
        if (!cls || ends_with_class(detail, cls))
                return xstrdup(detail);
        return xasprintf("%s: %s", detail, cls);
}

void
ttrpc_status_from_error(const berth_error_t *e, struct ttrpc_status *ret)
{
        memset(ret, 0, sizeof(*ret));
        ret->code = ttrpc_code_from_errno(e ? e->code : EIO);
        if (ret->code == TTRPC_OK)
                ret->code = TTRPC_UNKNOWN; /* an error with no class still failed */
        ret->message = ttrpc_status_format_message(ret->code, e && e->msg ? e->msg : "");
}

int
ttrpc_status_to_error(const struct ttrpc_status *st, berth_error_t **err)
{
        const char *cls;

        if (!st || st->code == TTRPC_OK)
                return 0;
        if (st->message && *st->message)
                return berth_error_new(err, ttrpc_code_to_errno(st->code), "%s", st->message);
        cls = ttrpc_code_class_text(st->code);
        if (cls)
                return berth_error_new(err, ttrpc_code_to_errno(st->code), "%s", cls);
        if (ttrpc_code_name(st->code))
                return berth_error_new(err, ttrpc_code_to_errno(st->code), "status %s",
                                       ttrpc_code_name(st->code));
        return berth_error_new(err, EIO, "status code %d", (int) st->code);
}
