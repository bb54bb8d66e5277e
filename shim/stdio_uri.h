/* shim/stdio_uri.h: what containerd's stdio strings mean (interfaces.md §5.1): the scheme of
 * `stdout` decides for all three: FIFOs (a path, or fifo://), file:// (stdout and stderr
 * appended to one file), binary:// (a logging program with its arguments from the query), or
 * nothing at all. Pure. */
#pragma once

#include "lib/error.h"

enum shim_stdio_kind {
        SHIM_STDIO_NULL,   /* all three empty: /dev/null */
        SHIM_STDIO_FIFO,   /* FIFOs made by the client; the shim copies */
        SHIM_STDIO_FILE,   /* append stdout and stderr to PATH */
        SHIM_STDIO_BINARY, /* run PATH ARGV... as the logger */
};

struct shim_stdio {
        enum shim_stdio_kind kind;
        char *stdin_path, *stdout_path, *stderr_path; /* FIFO: each may be NULL ("not connected") */
        char *path;                                   /* FILE, BINARY: absolute path */
        char **argv;                                  /* BINARY: [path, key, value, ...] */
};

int shim_stdio_parse(const char *in, const char *out, const char *err_, struct shim_stdio *ret,
                     berth_error_t **err);
void shim_stdio_done(struct shim_stdio *s);
