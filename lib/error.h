/* lib/error.h: the one error convention: int return (-errno) plus berth_error_t **err, last. */
#pragma once

#include "lib/cleanup.h"

typedef struct berth_error {
        int code;        /* positive errno: the class a caller may branch on */
        char *msg;       /* the whole line, outermost context first */
        char *json_path; /* "process.rlimits[1].type" when the error is about a JSON value */
} berth_error_t;

/* Each fills *err (which must be NULL) and returns -code. */
int berth_error_new(berth_error_t **err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Like berth_error_new, with ": <strerror(errno_)>" appended. */
int berth_error_sys(berth_error_t **err, int errno_, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* Prepends "<ctx>: " to (*err)->msg; returns -(*err)->code. */
int berth_error_prefix(berth_error_t **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void berth_error_free(berth_error_t *e);

DEFINE_CLEANUP(berth_error_t *, berth_error_free)
#define cleanup_error __attribute__((cleanup(berth_error_freep)))
