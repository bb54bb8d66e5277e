/* proto/ttrpc/status.h: gRPC status codes and the one mapping between them and berth's errno
 * classes, with containerd's errdefs texts (interfaces.md §1.5-1.6). Nothing else in berth may
 * translate an errno into a code or back. */
#pragma once

#include <stdint.h>

#include "lib/error.h"
#include "proto/ttrpc/wire.h"

enum ttrpc_code {
        TTRPC_OK = 0,
        TTRPC_CANCELLED = 1,
        TTRPC_UNKNOWN = 2,
        TTRPC_INVALID_ARGUMENT = 3,
        TTRPC_DEADLINE_EXCEEDED = 4,
        TTRPC_NOT_FOUND = 5,
        TTRPC_ALREADY_EXISTS = 6,
        TTRPC_PERMISSION_DENIED = 7,
        TTRPC_RESOURCE_EXHAUSTED = 8,
        TTRPC_FAILED_PRECONDITION = 9,
        TTRPC_ABORTED = 10,
        TTRPC_OUT_OF_RANGE = 11,
        TTRPC_UNIMPLEMENTED = 12,
        TTRPC_INTERNAL = 13,
        TTRPC_UNAVAILABLE = 14,
        TTRPC_DATA_LOSS = 15,
        TTRPC_UNAUTHENTICATED = 16,
};

/* "NOT_FOUND"; NULL for a code outside 0-16. */
const char *ttrpc_code_name(int32_t code);
/* The code for an errno class (EINVAL → INVALID_ARGUMENT, ENOENT → NOT_FOUND, EEXIST →
 * ALREADY_EXISTS, EBUSY → FAILED_PRECONDITION, EOPNOTSUPP → UNIMPLEMENTED, ...); any errno without
 * a class is UNKNOWN, 0 is OK. */
int32_t ttrpc_code_from_errno(int errno_);
/* The errno class for a code: the inverse of ttrpc_code_from_errno() on each code's own errno
 * (UNKNOWN and codes outside 0-16 give EIO; OK gives 0). */
int ttrpc_code_to_errno(int32_t code);
/* errdefs' text for the class ("not found"), or NULL when the code has none. */
const char *ttrpc_code_class_text(int32_t code);

/* "<detail>: <class text>", as containerd's errdefs.ToGRPC() spells a wrapped class; DETAIL
 * alone when the code has no class text or DETAIL already ends with it. Returns a new string. */
char *ttrpc_status_format_message(int32_t code, const char *detail);
/* A failed call's status from a berth error: code from e->code, message as above. */
void ttrpc_status_from_error(const berth_error_t *e, struct ttrpc_status *ret);
/* 0 when ST means OK (NULL or code 0); otherwise fills *err with the errno class of the code and
 * the status message as it came, and returns -errno. */
int ttrpc_status_to_error(const struct ttrpc_status *st, berth_error_t **err);
