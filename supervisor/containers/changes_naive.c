/* supervisor/containers/changes_naive.c: docker diff and commit on the vfs driver by comparing
 * two trees (changes_naive.h). The trees are berthd's own snapshot directories; every walk uses
 * directory fds with O_NOFOLLOW, and the layer writer resolves paths with openat2's
 * RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, so a symlink the container made never leads out. */
#include <config.h>

#include "supervisor/containers/changes_naive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/archive_path.h"

#define BLOCK (64 * 1024)

bool
container_stat_differs(const struct stat *old, const struct stat *new_)
{
        if (old->st_mode != new_->st_mode || old->st_uid != new_->st_uid
            || old->st_gid != new_->st_gid || old->st_rdev != new_->st_rdev)
                return true;
        /* A directory's size and mtime follow its entries, which are compared themselves
         * (moby issue 9874). */
        if (S_ISDIR(new_->st_mode))
                return false;
        if (old->st_size != new_->st_size || old->st_mtim.tv_sec != new_->st_mtim.tv_sec)
                return true;
        /* A copy that lost the nanoseconds is the same time (dockerd's sameFsTimeSpec). */
        return old->st_mtim.tv_nsec != new_->st_mtim.tv_nsec && old->st_mtim.tv_nsec != 0
               && new_->st_mtim.tv_nsec != 0;
}

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The sorted names in the directory DFD (-1: none); DFD stays the caller's. */
static int
list_dir(int dfd, char ***ret, size_t *ret_n)
{
        DIR *d;
        struct dirent *de;
        char **v = NULL;
        size_t n = 0;
        int fd;

        *ret = NULL;
        *ret_n = 0;
        if (dfd < 0)
                return 0;
        fd = dup(dfd);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (d == NULL) {
                close(fd);
                return -errno;
        }
        rewinddir(d);
        while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                strv_push(&v, de->d_name);
                n++;
        }
        closedir(d);
        if (n)
                qsort(v, n, sizeof(char *), cmp_str);
        *ret = v;
        *ret_n = n;
        return 0;
}

static bool
excluded(char *const *skip, const char *rel)
{
        strv_foreach(s, skip)
                if (strcmp(s, rel) == 0)
                        return true;
        return false;
}

static void
change_add(struct json_object *out, const char *rel, enum container_change_kind k)
{
        struct json_object *o = json_object_new_object();

        json_object_object_add(o, "Path", json_object_new_string(rel));
        json_object_object_add(o, "Kind", json_object_new_int((int) k));
        json_object_array_add(out, o);
}

/* NAME's security.capability in DFD (a regular file), into BUF; its length, or 0. */
static ssize_t
capability_of(int dfd, const char *name, char *buf, size_t len)
{
        cleanup_free char *p = xasprintf("/proc/self/fd/%d/%s", dfd, name);
        ssize_t n = lgetxattr(p, "security.capability", buf, len);
        return n < 0 ? 0 : n;
}

/* Beyond the stat: a symlink's target, a regular file's capabilities. */
static bool
entry_differs(int ofd, int nfd, const char *name, const struct stat *os, const struct stat *ns)
{
        if (container_stat_differs(os, ns))
                return true;
        if (S_ISLNK(ns->st_mode)) {
                char a[PATH_MAX], b[PATH_MAX];
                ssize_t la = readlinkat(ofd, name, a, sizeof(a)),
                        lb = readlinkat(nfd, name, b, sizeof(b));
                return la != lb || (la > 0 && memcmp(a, b, (size_t) la) != 0);
        }
        if (S_ISREG(ns->st_mode)) {
                char a[256], b[256];
                ssize_t la = capability_of(ofd, name, a, sizeof(a));
                ssize_t lb = capability_of(nfd, name, b, sizeof(b));
                return la != lb || (la > 0 && memcmp(a, b, (size_t) la) != 0);
        }
        return false;
}

/* The changes below NFD (the container's directory REL) against OFD (the image's, -1 when it
 * has none there) into OUT; *RET_SKIPPED when a SKIP path was met below. */
static int
naive_dir(int nfd, int ofd, const char *rel, char *const *skip, struct json_object *out,
          bool *ret_skipped, berth_error_t **err)
{
        cleanup_strv char **nn = NULL, **on = NULL;
        size_t n_new = 0, n_old = 0, i = 0, j = 0;
        int r;

        if ((r = list_dir(nfd, &nn, &n_new)) < 0 || (r = list_dir(ofd, &on, &n_old)) < 0)
                return berth_error_sys(err, -r, "read directory \"%s\"", rel[0] ? rel : "/");
        while (i < n_new || j < n_old) {
                int c = i == n_new ? 1 : j == n_old ? -1 : strcmp(nn[i], on[j]);
                const char *name = c <= 0 ? nn[i] : on[j];
                cleanup_free char *child = xasprintf("%s/%s", rel, name);
                bool in_old = c >= 0;
                struct stat ns, os;

                if (c <= 0)
                        i++;
                if (c >= 0)
                        j++;
                if (excluded(skip, child)) {
                        *ret_skipped = true;
                        continue;
                }
                if (c > 0) {
                        /* Only the image has it: deleted (what was below goes with it). */
                        change_add(out, child, CONTAINER_CHANGE_DELETED);
                        continue;
                }
                if (fstatat(nfd, name, &ns, AT_SYMLINK_NOFOLLOW) < 0)
                        return berth_error_sys(err, errno, "stat \"%s\"", child);
                if (in_old && fstatat(ofd, name, &os, AT_SYMLINK_NOFOLLOW) < 0)
                        return berth_error_sys(err, errno, "stat \"%s\" in the image", child);
                int kind = !in_old                                   ? CONTAINER_CHANGE_ADDED
                           : entry_differs(ofd, nfd, name, &os, &ns) ? CONTAINER_CHANGE_MODIFIED
                                                                     : -1;
                if (!S_ISDIR(ns.st_mode)) {
                        if (kind >= 0)
                                change_add(out, child, (enum container_change_kind) kind);
                        continue;
                }
                {
                        cleanup_json struct json_object *sub = json_object_new_array();
                        cleanup_close int nsub =
                                openat(nfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        cleanup_close int osub = -1;
                        bool skipped = false;
                        if (nsub < 0)
                                return berth_error_sys(err, errno, "open \"%s\"", child);
                        /* The image's directory of the same name, if it is one: else every
                         * entry below is new. */
                        if (in_old && S_ISDIR(os.st_mode)) {
                                osub = openat(ofd, name,
                                              O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                                if (osub < 0)
                                        return berth_error_sys(err, errno,
                                                               "open \"%s\" in the image", child);
                        }
                        r = naive_dir(nsub, osub, child, skip, sub, &skipped, err);
                        if (r < 0)
                                return r;
                        if (skipped)
                                *ret_skipped = true;
                        /* A directory made only to hold mountpoints is not a change (docker
                         * keeps those in its init layer); one with changes below is Modified. */
                        if (kind >= 0 && (!skipped || json_object_array_length(sub) > 0))
                                change_add(out, child, (enum container_change_kind) kind);
                        else if (kind < 0 && json_object_array_length(sub) > 0)
                                change_add(out, child, CONTAINER_CHANGE_MODIFIED);
                        for (size_t k = 0; k < json_object_array_length(sub); k++)
                                json_object_array_add(
                                        out, json_object_get(json_object_array_get_idx(sub, k)));
                }
        }
        return 0;
}

int
container_changes_naive(const char *new_root, const char *old_root, char *const *skip,
                        struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_array();
        cleanup_close int nfd = open(new_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cleanup_close int ofd = -1;
        bool skipped = false;
        int r;

        if (nfd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", new_root);
        if (old_root && (ofd = open(old_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
                return berth_error_sys(err, errno, "open \"%s\"", old_root);
        r = naive_dir(nfd, ofd, "", skip, out, &skipped, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

/* ---- the layer ---- */

static int
open_beneath(int root, const char *rel, int flags)
{
        struct open_how how = {
                .flags = (uint64_t) (flags | O_NOFOLLOW | O_CLOEXEC),
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, root, rel, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

static int
write_whiteout(struct archive *w, const char *rel)
{
        const char *slash = strrchr(rel, '/');
        cleanup_free char *wh = xasprintf("%.*s.wh.%s", (int) (slash - rel), rel + 1, slash + 1);
        struct archive_entry *e = archive_entry_new();
        int r;

        archive_entry_set_pathname(e, wh);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0);
        archive_entry_set_size(e, 0);
        r = archive_write_header(w, e) == ARCHIVE_OK ? 0 : -EIO;
        archive_entry_free(e);
        return r;
}

static int
write_entry(struct archive *w, int root, const char *rel)
{
        cleanup_close int fd = open_beneath(root, rel + 1, O_PATH);
        struct archive_entry *e;
        struct stat st;
        int r = 0;

        if (fd < 0)
                return fd;
        if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return -errno;
        e = archive_entry_new();
        archive_entry_copy_stat(e, &st);
        archive_entry_set_pathname(e, rel + 1);
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(fd, "", target, sizeof(target) - 1);
                if (n < 0) {
                        archive_entry_free(e);
                        return -errno;
                }
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
        }
        if (!S_ISREG(st.st_mode))
                archive_entry_set_size(e, 0);
        if (archive_write_header(w, e) != ARCHIVE_OK)
                r = -EIO;
        archive_entry_free(e);
        if (r == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
                cleanup_close int in = open_beneath(root, rel + 1, O_RDONLY);
                char buf[BLOCK];
                ssize_t n;
                if (in < 0)
                        return in;
                while ((n = read(in, buf, sizeof(buf))) > 0)
                        if (archive_write_data(w, buf, (size_t) n) < 0)
                                return -EIO;
                if (n < 0)
                        return -errno;
        }
        return r;
}

int
container_changes_layer_write(const char *new_root, struct json_object *changes, int fd,
                              berth_error_t **err)
{
        cleanup_close int root = open(new_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct archive *w;
        int r = 0;

        if (root < 0)
                return berth_error_sys(err, errno, "open \"%s\"", new_root);
        w = archive_write_new();
        archive_write_set_format_pax_restricted(w);
        if (archive_write_open_fd(w, fd) != ARCHIVE_OK) {
                r = berth_error_new(err, EIO, "layer: %s", archive_error_string(w));
                archive_write_free(w);
                return r;
        }
        for (size_t i = 0; r >= 0 && i < json_object_array_length(changes); i++) {
                struct json_object *c = json_object_array_get_idx(changes, i), *v = NULL;
                const char *path =
                        json_object_object_get_ex(c, "Path", &v) ? json_object_get_string(v) : NULL;
                int kind = json_object_object_get_ex(c, "Kind", &v) ? json_object_get_int(v) : -1;
                if (path == NULL || path[0] != '/')
                        continue;
                r = kind == CONTAINER_CHANGE_DELETED ? write_whiteout(w, path)
                                                     : write_entry(w, root, path);
                if (r < 0)
                        r = berth_error_new(err, -r, "layer: \"%s\": %s", path, strerror(-r));
        }
        if (archive_write_close(w) != ARCHIVE_OK && r >= 0)
                r = berth_error_new(err, EIO, "layer: %s", archive_error_string(w));
        archive_write_free(w);
        return r;
}
