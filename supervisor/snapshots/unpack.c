/* supervisor/snapshots/unpack.c: extract a layer tar into a directory with OCI whiteouts
 * (image-spec layer.md, "Whiteouts"), decompressing and hashing the stream on the way. */
#include <config.h>

#include "supervisor/snapshots/unpack.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define WHITEOUT_PREFIX ".wh."
#define OPAQUE_MARKER   ".wh..wh..opq"
#define BLOCK           65536

int
layer_entry_classify(const char *path, enum layer_entry_kind *ret_kind, char **ret_target,
                     berth_error_t **err)
{
        cleanup_free char *p = NULL;
        const char *base;
        char *slash;

        while (path[0] == '/' || (path[0] == '.' && path[1] == '/'))
                path += path[0] == '/' ? 1 : 2;
        p = xstrdup(path);
        while (strlen(p) > 0 && p[strlen(p) - 1] == '/')
                p[strlen(p) - 1] = '\0';
        if (p[0] == '\0' || strcmp(p, ".") == 0) {
                *ret_kind = LAYER_ENTRY_SKIP;
                *ret_target = xstrdup("");
                return 0;
        }
        for (const char *c = p; c; c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL)
                if (strncmp(c, "..", 2) == 0 && (c[2] == '/' || c[2] == '\0'))
                        return berth_error_new(err, EINVAL, "layer: entry \"%s\": \"..\" in path",
                                               path);
        slash = strrchr(p, '/');
        base = slash ? slash + 1 : p;
        if (strcmp(base, OPAQUE_MARKER) == 0) {
                *ret_kind = LAYER_ENTRY_OPAQUE;
                *ret_target = slash ? xstrndup(p, (size_t) (slash - p)) : xstrdup("");
                return 0;
        }
        if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0) {
                const char *name = base + strlen(WHITEOUT_PREFIX);
                if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
                        return berth_error_new(err, EINVAL, "layer: entry \"%s\": bad whiteout",
                                               path);
                *ret_kind = LAYER_ENTRY_WHITEOUT;
                *ret_target =
                        slash ? xasprintf("%.*s/%s", (int) (slash - p), p, name) : xstrdup(name);
                return 0;
        }
        *ret_kind = LAYER_ENTRY_NORMAL;
        *ret_target = TAKE_PTR(p);
        return 0;
}

/* The decompressed stream, hashed as the tar reader pulls it. */
struct source {
        struct archive *outer;
        EVP_MD_CTX *md;
};

static la_ssize_t
source_read(struct archive *a, void *userdata, const void **buf)
{
        struct source *src = userdata;
        la_ssize_t n;

        (void) a;
        n = archive_read_data(src->outer, (void *) (*buf = ((char *) src + sizeof(*src))), BLOCK);
        if (n > 0)
                EVP_DigestUpdate(src->md, *buf, (size_t) n);
        return n;
}

static void
archive_freep(struct archive **a)
{
        if (*a)
                archive_read_free(*a);
}
#define cleanup_archive __attribute__((cleanup(archive_freep)))

static void
archive_write_freep(struct archive **a)
{
        if (*a)
                archive_write_free(*a);
}
#define cleanup_archive_write __attribute__((cleanup(archive_write_freep)))

/* Native snapshots: an opaque directory loses what lower layers put in it, but not what this
 * layer adds (the marker may come before or after its siblings in the tar). */
static int
empty_dir_except(const char *dir, char *const *keep, berth_error_t **err)
{
        cleanup_dir DIR *d = opendir(dir[0] ? dir : ".");
        struct dirent *de;

        if (d == NULL)
                return errno == ENOENT ? 0 : berth_error_sys(err, errno, "layer: open \"%s\"", dir);
        while ((de = readdir(d)) != NULL) {
                cleanup_free char *path = NULL;
                bool kept = false;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                path = dir[0] ? xasprintf("%s/%s", dir, de->d_name) : xstrdup(de->d_name);
                strv_foreach(k, keep) {
                        size_t n = strlen(path);
                        if (strncmp(k, path, n) == 0 && (k[n] == '\0' || k[n] == '/'))
                                kept = true;
                }
                if (!kept) {
                        int r = fs_remove_tree(AT_FDCWD, path, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static int
apply_whiteout(const char *target, bool overlay, berth_error_t **err)
{
        int r;

        /* Nothing to delete (overlay: the lower layer holds it) is fine: ENOENT is 0 here. */
        r = fs_remove_tree(AT_FDCWD, target, err);
        if (r < 0)
                return r;
        if (overlay && strchr(target, '/')) {
                /* The tar need not list the parent directory (it exists in a lower layer). */
                cleanup_free char *parent =
                        xstrndup(target, (size_t) (strrchr(target, '/') - target));
                r = fs_mkdir_p(parent, 0755, err);
                if (r < 0)
                        return r;
        }
        if (overlay && mknod(target, S_IFCHR | 0, makedev(0, 0)) < 0)
                return berth_error_sys(err, errno, "layer: whiteout \"%s\"", target);
        return 0;
}

/* Runs in the child, in the chroot: extract from SRC_FD into ".". */
/* libarchive's disk writer says "Write failed"; the errno behind it (ENOSPC, EDQUOT, EIO) is
 * what the user needs. */
static int
disk_error(struct archive *disk, const char *target, berth_error_t **err)
{
        int e = archive_errno(disk);

        if (e > 0)
                return berth_error_sys(err, e, "layer: write \"%s\"", target);
        return berth_error_new(err, EIO, "layer: \"%s\": %s", target, archive_error_string(disk));
}

static int
unpack_here(int src_fd, bool overlay, char *ret_digest, int64_t *ret_size, berth_error_t **err)
{
        cleanup_archive struct archive *outer = archive_read_new();
        cleanup_archive struct archive *tar = archive_read_new();
        cleanup_archive_write struct archive *disk = archive_write_disk_new();
        cleanup_strv char **written = NULL;
        struct source *src = xzalloc(sizeof(*src) + BLOCK);
        struct archive_entry *e;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        int64_t size = 0;
        int rc, r = 0;

        src->outer = outer;
        src->md = EVP_MD_CTX_new();
        EVP_DigestInit_ex(src->md, EVP_sha256(), NULL);
        /* Two readers: the outer one only decompresses (raw format, any filter); the tar reader
         * sees the plain stream, which is what the diff ID hashes. */
        archive_read_support_filter_all(outer);
        archive_read_support_format_raw(outer);
        if (archive_read_open_fd(outer, src_fd, BLOCK) != ARCHIVE_OK
            || archive_read_next_header(outer, &e) != ARCHIVE_OK)
                return berth_error_new(err, EINVAL, "layer: %s", archive_error_string(outer));
        archive_read_support_format_tar(tar);
        archive_read_support_format_gnutar(tar);
        if (archive_read_open(tar, src, NULL, source_read, NULL) != ARCHIVE_OK)
                return berth_error_new(err, EINVAL, "layer: %s", archive_error_string(tar));
        archive_write_disk_set_options(
                disk, ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
                              | ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_UNLINK
                              | ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                              | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
        while ((rc = archive_read_next_header(tar, &e)) == ARCHIVE_OK) {
                cleanup_free char *target = NULL;
                enum layer_entry_kind kind;
                const char *link = archive_entry_hardlink(e);
                r = layer_entry_classify(archive_entry_pathname(e), &kind, &target, err);
                if (r < 0)
                        return r;
                if (kind == LAYER_ENTRY_SKIP)
                        continue;
                if (kind == LAYER_ENTRY_WHITEOUT) {
                        r = apply_whiteout(target, overlay, err);
                        if (r < 0)
                                return r;
                        continue;
                }
                if (kind == LAYER_ENTRY_OPAQUE) {
                        if (overlay) {
                                if (target[0] && mkdir(target, 0755) < 0 && errno != EEXIST)
                                        return berth_error_sys(err, errno, "layer: \"%s\"", target);
                                if (setxattr(target[0] ? target : ".", "trusted.overlay.opaque",
                                             "y", 1, 0)
                                    < 0)
                                        return berth_error_sys(err, errno, "layer: opaque \"%s\"",
                                                               target);
                        } else {
                                r = empty_dir_except(target, written, err);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                archive_entry_set_pathname(e, target);
                if (link) {
                        cleanup_free char *ltarget = NULL;
                        enum layer_entry_kind lkind;
                        r = layer_entry_classify(link, &lkind, &ltarget, err);
                        if (r < 0)
                                return r;
                        archive_entry_set_hardlink(e, ltarget);
                }
                if (!overlay)
                        strv_push(&written, target);
                if (archive_write_header(disk, e) != ARCHIVE_OK)
                        return disk_error(disk, target, err);
                if (archive_entry_size(e) > 0 && archive_entry_filetype(e) == AE_IFREG) {
                        const void *buf;
                        size_t len;
                        la_int64_t off;
                        while ((rc = archive_read_data_block(tar, &buf, &len, &off)) == ARCHIVE_OK)
                                if (archive_write_data_block(disk, buf, len, off) < 0)
                                        return disk_error(disk, target, err);
                        if (rc != ARCHIVE_EOF)
                                return berth_error_new(err, EINVAL, "layer: \"%s\": %s", target,
                                                       archive_error_string(tar));
                        size += archive_entry_size(e);
                }
                if (archive_write_finish_entry(disk) != ARCHIVE_OK)
                        return disk_error(disk, target, err);
        }
        if (rc != ARCHIVE_EOF)
                return berth_error_new(err, EINVAL, "layer: %s", archive_error_string(tar));
        /* The tar reader stops at the end-of-archive blocks; the padding after them is part of
         * the diff ID too. */
        for (;;) {
                const void *buf;
                la_ssize_t n = source_read(tar, src, &buf);
                if (n == 0)
                        break;
                if (n < 0)
                        return berth_error_new(err, EINVAL, "layer: %s",
                                               archive_error_string(outer));
        }
        if (archive_write_close(disk) != ARCHIVE_OK)
                return berth_error_new(err, EIO, "layer: %s", archive_error_string(disk));
        EVP_DigestFinal_ex(src->md, md, &mdlen);
        EVP_MD_CTX_free(src->md);
        free(src);
        strcpy(ret_digest, "sha256:");
        for (unsigned i = 0; i < mdlen; i++)
                snprintf(ret_digest + 7 + 2 * i, 3, "%02x", md[i]);
        *ret_size = size;
        return 0;
}

static void
child(int src_fd, const char *dir, bool overlay, int out_fd)
{
        berth_error_t *err = NULL;
        char digest[7 + 64 + 1];
        int64_t size = 0;
        cleanup_free char *msg = NULL;
        int r;

        umask(0);
        if (chdir(dir) < 0 || chroot(".") < 0 || chdir("/") < 0)
                r = berth_error_sys(&err, errno, "layer: enter \"%s\"", dir);
        else
                r = unpack_here(src_fd, overlay, digest, &size, &err);
        if (r < 0)
                msg = xasprintf("E %d %s", err->code, err->msg);
        else
                msg = xasprintf("OK %s %lld", digest, (long long) size);
        fs_write_all(out_fd, msg, strlen(msg));
        _exit(r < 0 ? 1 : 0);
}

/* In the child: close every fd but stdio, A and B. berthd is threaded: another thread's pipe
 * (a pull feeding the next layer's unpacker) must not stay open here, or its reader would never
 * see the end of its stream. */
static void
close_all_but(int a, int b)
{
        int lo = a < b ? a : b, hi = a < b ? b : a;

        if (lo > 3)
                close_range(3, (unsigned) lo - 1, 0);
        if (hi > lo + 1)
                close_range((unsigned) lo + 1, (unsigned) hi - 1, 0);
        close_range((unsigned) hi + 1, ~0U, 0);
}

int
layer_unpack(int src_fd, const char *dir, bool overlay, char **ret_diff_id, int64_t *ret_size,
             berth_error_t **err)
{
        cleanup_close int rfd = -1;
        cleanup_close int wfd = -1;
        char buf[4096];
        ssize_t n, got = 0;
        int fds[2], status = 0;
        pid_t pid, parent;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "layer: pipe");
        rfd = fds[0];
        wfd = fds[1];
        parent = getpid();
        pid = fork();
        if (pid < 0)
                return berth_error_sys(err, errno, "layer: fork");
        if (pid == 0) {
                /* Dies with berthd: an unpacker outliving a crash would write into a temporary
                 * directory the next daemon is removing. */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(1);
                close_all_but(src_fd, wfd);
                child(src_fd, dir, overlay, wfd);
        }
        close(TAKE_FD(wfd));
        while (got < (ssize_t) sizeof(buf) - 1
               && ((n = read(rfd, buf + got, sizeof(buf) - 1 - (size_t) got)) > 0
                   || (n < 0 && errno == EINTR)))
                if (n > 0)
                        got += n;
        buf[got] = '\0';
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (strncmp(buf, "OK ", 3) == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
                char digest[7 + 64 + 1];
                long long size = 0;
                if (sscanf(buf + 3, "%71s %lld", digest, &size) != 2)
                        return berth_error_new(err, EIO, "layer: bad reply from the unpacker");
                *ret_diff_id = xstrdup(digest);
                *ret_size = size;
                return 0;
        }
        if (strncmp(buf, "E ", 2) == 0) {
                char *msg = NULL;
                int code = (int) strtol(buf + 2, &msg, 10);
                return berth_error_new(err, code > 0 ? code : EIO, "%s",
                                       msg && *msg ? msg + 1 : "");
        }
        return berth_error_new(err, EIO, "layer: the unpacker died (status %d)", status);
}
