/* supervisor/containers/archive_path.h: the pure rules of docker cp's archive endpoints: how a
 * requested path splits into the directory resolved inside the container and the entry named in
 * the tar, and the X-Docker-Container-Path-Stat header (base64 of {name,size,mode,mtime,
 * linkTarget} with Go's os.FileMode bits and an RFC 3339 time, as dockerd sends it). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"

/* A requested PATH ("/etc/passwd", "etc/", "/etc/.", "/"): relative paths are taken from the
 * container's root, "." and ".." are folded lexically (".." never goes above "/").
 * ret_clean: the folded absolute path; ret_base: its last component ("" for "/");
 * ret_follow: the last component is resolved too (PATH ends in "/" or "/.": docker's
 * "contents of" forms); ret_rebase: the name the tar's top entry gets ("." for "/." and for
 * "/", else the last component). All three strings are the caller's. -EINVAL for "". */
struct container_path {
        char *clean;
        char *dir;
        char *base;
        char *rebase;
        bool follow;
};
int container_path_parse(const char *path, struct container_path *ret, berth_error_t **err);
void container_path_done(struct container_path *p);

/* Go's os.FileMode of a stat(2) MODE (permission bits plus ModeDir, ModeSymlink, …). */
uint32_t container_path_go_mode(mode_t mode);

/* RFC 3339 with nanoseconds as Go's time.RFC3339Nano prints a UTC time (trailing zeros of the
 * fraction dropped). Caller frees. */
char *container_path_rfc3339nano(int64_t sec, long nsec);

struct container_path_stat {
        const char *name;
        int64_t size;
        mode_t mode; /* st_mode */
        int64_t mtime_sec;
        long mtime_nsec;
        const char *link_target; /* "" unless a symlink */
};
/* The header's value: base64 (standard, padded) of the JSON. Caller frees. */
char *container_path_stat_header(const struct container_path_stat *st);

/* docker diff's kinds. */
enum container_change_kind {
        CONTAINER_CHANGE_MODIFIED = 0,
        CONTAINER_CHANGE_ADDED = 1,
        CONTAINER_CHANGE_DELETED = 2,
};
/* The kind of an overlay upper-dir entry: a whiteout (a 0:0 character device) is DELETED; an
 * entry a lower layer also has is MODIFIED; otherwise ADDED. */
enum container_change_kind container_change_kind_of(mode_t upper_mode, dev_t upper_rdev,
                                                    bool in_lower);
