/* shim/args.h: containerd-shim-berth-v2's command line, parsed as Go's flag package does (the
 * shim v2 contract: containerd runs every shim with Go-style flags; interfaces.md §2.2):
 * single- or double-dash long names, `-name value` and `-name=value`, booleans without a value
 * (or `-name=true|false`), parsing stops at the first positional argument (the action) or at
 * "--". Pure, for the unit tests. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct shim_args {
        const char *namespace_;     /* -namespace */
        const char *address;        /* -address: the supervisor's API socket (containerd's grpc) */
        const char *publish_binary; /* -publish-binary */
        const char *id;             /* -id */
        const char *bundle;         /* -bundle (delete) */
        const char *socket;         /* -socket: serve here instead of the inherited fd 3 */
        bool debug;                 /* -debug */
        bool version;               /* -v */
        const char *action;         /* "start", "delete", or NULL for the long-lived server */
        char **rest;                /* positional arguments after the action (borrowed from argv) */
};

/* ARGV[0] is the program name. Returns 0, or -EINVAL with Go's wording ("flag provided but not
 * defined: -x", "flag needs an argument: -id", ...). Strings point into ARGV. */
int shim_args_parse(int argc, char **argv, struct shim_args *ret, berth_error_t **err);
