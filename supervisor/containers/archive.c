/* supervisor/containers/archive.c: docker cp (stat, tar out, extract in), export and diff over
 * a container's root (archive.h says which root and why every walk runs chrooted). */
#include <config.h>

#include "supervisor/containers/archive.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>
#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/changes_naive.h"
#include "supervisor/containers/service.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/active.h"
#include "supervisor/snapshots/snapshotter.h"

#define BLOCK (64 * 1024)

int
container_root_open(struct container_service *svc, const char *ref, bool mounts,
                    struct container_root *ret, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *bundle = NULL, *rootfs = NULL, *tmp = NULL;
        struct json_object *state;
        const char *id;
        int r;

        r = container_service_get(svc, ref, &doc, err);
        if (r < 0)
                return r;
        id = json_object_get_string(json_key(doc, "Id"));
        state = json_key(doc, "State");
        memset(ret, 0, sizeof(*ret));
        if (mounts && json_object_get_boolean(json_key(state, "Running"))
            && json_object_get_int64(json_key(state, "Pid")) > 0) {
                cleanup_free char *p =
                        xasprintf("/proc/%lld/root",
                                  (long long) json_object_get_int64(json_key(state, "Pid")));
                if (access(p, F_OK) == 0) {
                        ret->id = xstrdup(id);
                        ret->path = TAKE_PTR(p);
                        return 0;
                }
        }
        bundle = xasprintf("%s/containers/%s", svc->exec_root, id);
        rootfs = xasprintf("%s/rootfs", bundle);
        if (fs_is_mount_point(rootfs)) {
                ret->id = xstrdup(id);
                ret->path = TAKE_PTR(rootfs);
                return 0;
        }
        /* Stopped: the snapshot on a directory of our own, unmounted by container_root_close. */
        tmp = xasprintf("%s/cp-%.12s-XXXXXX", svc->exec_root, id);
        if (mkdtemp(tmp) == NULL)
                return berth_error_sys(err, errno, "mkdtemp \"%s\"", tmp);
        r = snapshotter_active_mount(svc->snapshots, id, tmp, err);
        if (r < 0) {
                rmdir(tmp);
                return r;
        }
        ret->id = xstrdup(id);
        ret->path = xstrdup(tmp);
        ret->mounted = TAKE_PTR(tmp);
        return 0;
}

void
container_root_close(struct container_root *root)
{
        if (root->mounted) {
                cleanup_error berth_error_t *e = NULL; /* best effort: a busy mount is lazily
                                                          detached by the unmount helper */
                if (snapshotter_active_unmount(root->mounted, &e) == 0)
                        rmdir(root->mounted);
        }
        free(root->id);
        free(root->path);
        free(root->mounted);
        memset(root, 0, sizeof(*root));
}

/* Run FN(ARG) in a child chrooted into ROOT; its return (0 or a positive errno) is the child's
 * exit status. Returns that status, or -EIO when the child died otherwise. */
typedef int (*in_root_fn)(void *arg);

static int
run_in_root(const char *root, in_root_fn fn, void *arg, berth_error_t **err)
{
        pid_t parent = getpid(), pid;
        int status = 0;

        pid = fork();
        if (pid < 0)
                return berth_error_sys(err, errno, "fork");
        if (pid == 0) {
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(EIO);
                signal(SIGPIPE, SIG_DFL);
                if (chroot(root) < 0 || chdir("/") < 0)
                        _exit(errno & 0xff);
                _exit(fn(arg) & 0xff);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status))
                return berth_error_new(err, EIO, "archive helper killed by signal %d",
                                       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return WEXITSTATUS(status);
}

/* ---- read one file ---- */

struct read_job {
        const char *path;
        int out;
        size_t max;
};

static int
read_child(void *arg)
{
        struct read_job *j = arg;
        char buf[8192];
        size_t total = 0;
        ssize_t n;
        int fd = open(j->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        struct stat st;

        if (fd < 0)
                return errno;
        if (fstat(fd, &st) < 0)
                return errno;
        if (!S_ISREG(st.st_mode))
                return EINVAL;
        while ((n = read(fd, buf, sizeof(buf))) > 0) {
                total += (size_t) n;
                if (total > j->max)
                        return EFBIG;
                if (fs_write_all(j->out, buf, (size_t) n) < 0)
                        return EIO;
        }
        return n < 0 ? errno : 0;
}

int
container_root_read_file(const struct container_root *root, const char *path, size_t max,
                         char **ret, size_t *ret_len, berth_error_t **err)
{
        cleanup_close int fd = memfd_create("berthd-read", MFD_CLOEXEC);
        struct read_job j = {.path = path, .max = max};
        cleanup_free char *buf = NULL;
        struct stat st;
        int r;

        if (fd < 0)
                return berth_error_sys(err, errno, "memfd_create");
        j.out = fd;
        /* The child inherits the memfd across fork (no exec) and writes what it read there. */
        r = run_in_root(root->path, read_child, &j, err);
        if (r < 0)
                return r;
        if (r > 0)
                return berth_error_new(err, r, "read \"%s\": %s", path, strerror(r));
        if (fstat(fd, &st) < 0)
                return berth_error_sys(err, errno, "fstat memfd");
        buf = xmalloc((size_t) st.st_size + 1);
        if (pread(fd, buf, (size_t) st.st_size, 0) != st.st_size)
                return berth_error_sys(err, errno ? errno : EIO, "read memfd");
        buf[st.st_size] = '\0';
        *ret_len = (size_t) st.st_size;
        *ret = TAKE_PTR(buf);
        return 0;
}

/* ---- stat ---- */

struct stat_wire {
        int64_t size;
        uint32_t mode;
        int64_t sec;
        int64_t nsec;
        uint32_t link_len;
};

struct stat_job {
        const struct container_path *p;
        int out;
};

static int
stat_child(void *arg)
{
        struct stat_job *j = arg;
        struct stat_wire w = {0};
        char link[PATH_MAX] = "";
        struct stat st;

        if ((j->p->follow ? stat(j->p->clean, &st) : lstat(j->p->clean, &st)) < 0)
                return errno;
        if (S_ISLNK(st.st_mode) && realpath(j->p->clean, link) == NULL) {
                ssize_t n = readlink(j->p->clean, link, sizeof(link) - 1);
                link[n > 0 ? n : 0] = '\0';
        }
        w.size = st.st_size;
        w.mode = st.st_mode;
        w.sec = st.st_mtim.tv_sec;
        w.nsec = st.st_mtim.tv_nsec;
        w.link_len = (uint32_t) strlen(link);
        if (fs_write_all(j->out, &w, sizeof(w)) < 0 || fs_write_all(j->out, link, w.link_len) < 0)
                return EIO;
        return 0;
}

static int
not_found(berth_error_t **err, const char *path, const char *ref)
{
        return berth_error_new(err, ENOENT, "Could not find the file %s in container %s", path,
                               ref);
}

int
container_archive_stat(const struct container_root *root, const char *path, const char *ref,
                       struct container_path_info *ret, berth_error_t **err)
{
        struct container_path p = {0};
        struct stat_wire w = {0};
        struct stat_job j;
        int fds[2], r;

        r = container_path_parse(path, &p, err);
        if (r < 0)
                return r;
        if (pipe2(fds, O_CLOEXEC) < 0) {
                container_path_done(&p);
                return berth_error_sys(err, errno, "pipe");
        }
        j.p = &p;
        j.out = fds[1];
        r = run_in_root(root->path, stat_child, &j, err);
        close(fds[1]);
        if (r == 0) {
                char *link = NULL;
                if (read(fds[0], &w, sizeof(w)) != (ssize_t) sizeof(w) || w.link_len >= PATH_MAX) {
                        r = berth_error_new(err, EIO, "stat \"%s\": short answer", path);
                } else {
                        link = xzalloc(w.link_len + 1);
                        if (w.link_len && read(fds[0], link, w.link_len) != (ssize_t) w.link_len)
                                link[0] = '\0';
                        memset(ret, 0, sizeof(*ret));
                        ret->name = xstrdup(p.base[0] ? p.base : "/");
                        ret->link_target = link;
                        ret->size = w.size;
                        ret->mode = (mode_t) w.mode;
                        ret->mtime_sec = w.sec;
                        ret->mtime_nsec = (long) w.nsec;
                }
        } else if (r == ENOENT || r == ENOTDIR || r == ELOOP) {
                r = not_found(err, path, ref);
        } else if (r > 0) {
                r = berth_error_new(err, r, "stat \"%s\" in container %s: %s", path, ref,
                                    strerror(r));
        }
        close(fds[0]);
        container_path_done(&p);
        return r;
}

void
container_path_info_done(struct container_path_info *i)
{
        free(i->name);
        free(i->link_target);
        memset(i, 0, sizeof(*i));
}

/* ---- tar out ---- */

struct tar_job {
        const char *dir;    /* the child's working directory (inside the root) */
        const char *start;  /* walked from the current directory */
        const char *rebase; /* the name START gets in the tar; "" drops it (export) */
        int out;
};

static int
copy_entry_data(struct archive *disk, struct archive *w)
{
        char buf[BLOCK];
        la_ssize_t n;

        while ((n = archive_read_data(disk, buf, sizeof(buf))) > 0)
                if (archive_write_data(w, buf, (size_t) n) < 0)
                        return EPIPE;
        return n < 0 ? EIO : 0;
}

static int
tar_child(void *arg)
{
        struct tar_job *j = arg;
        struct archive *disk = archive_read_disk_new(), *w = archive_write_new();
        struct archive_entry *e = archive_entry_new();
        size_t sl = strlen(j->start);
        int r = 0, rc;

        if (chdir(j->dir) < 0)
                return errno;

        archive_read_disk_set_symlink_physical(disk);
        archive_read_disk_set_behavior(disk, ARCHIVE_READDISK_NO_XATTR | ARCHIVE_READDISK_NO_ACL
                                                     | ARCHIVE_READDISK_NO_FFLAGS);
        archive_write_set_format_pax_restricted(w);
        if (archive_write_open_fd(w, j->out) != ARCHIVE_OK
            || archive_read_disk_open(disk, j->start) != ARCHIVE_OK)
                return ENOENT;
        while ((rc = archive_read_next_header2(disk, e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);
                cleanup_free char *renamed = NULL;

                archive_read_disk_descend(disk);
                if (strncmp(name, j->start, sl) != 0)
                        continue;
                if (j->rebase[0] == '\0') {
                        const char *rest = name + sl;
                        while (*rest == '/')
                                rest++;
                        if (*rest == '\0')
                                continue; /* the root itself */
                        renamed = xstrdup(rest);
                } else {
                        renamed = xasprintf("%s%s", j->rebase, name + sl);
                }
                archive_entry_set_pathname(e, renamed);
                archive_entry_set_uname(e, NULL);
                archive_entry_set_gname(e, NULL);
                if (archive_write_header(w, e) != ARCHIVE_OK) {
                        r = EPIPE;
                        break;
                }
                if (archive_entry_filetype(e) == AE_IFREG && archive_entry_size(e) > 0) {
                        r = copy_entry_data(disk, w);
                        if (r != 0)
                                break;
                }
        }
        if (r == 0 && rc != ARCHIVE_EOF)
                r = EIO;
        if (archive_write_close(w) != ARCHIVE_OK && r == 0)
                r = EPIPE;
        return r;
}

int
container_archive_write(const struct container_root *root, const char *path, int fd,
                        berth_error_t **err)
{
        struct container_path p = {0};
        struct tar_job j = {.out = fd};
        int r;

        r = container_path_parse(path, &p, err);
        if (r < 0)
                return r;
        /* The child walks from the path's directory, or from the path itself for the
         * "contents of" forms ("dir/", "dir/."). */
        if (p.follow) {
                j.dir = p.clean;
                j.start = ".";
        } else {
                j.dir = p.dir;
                j.start = p.base;
        }
        j.rebase = p.rebase;
        r = run_in_root(root->path, tar_child, &j, err);
        if (r > 0)
                r = berth_error_new(err, r, "archive \"%s\": %s", path, strerror(r));
        container_path_done(&p);
        return r;
}

int
container_export_write(const struct container_root *root, int fd, berth_error_t **err)
{
        struct tar_job j = {.dir = "/", .start = ".", .rebase = "", .out = fd};
        int r = run_in_root(root->path, tar_child, &j, err);

        if (r > 0)
                r = berth_error_new(err, r, "export: %s", strerror(r));
        return r;
}

/* ---- extract ---- */

struct extract_job {
        const char *dir;
        int body_fd;
        const char *body;
        size_t len;
        const struct container_extract_options *o;
};

static int
extract_child(void *arg)
{
        struct extract_job *j = arg;
        struct archive *a = archive_read_new(), *w = archive_write_disk_new();
        struct archive_entry *e;
        struct stat st;
        int rc, r = 0;

        if (chdir(j->dir) < 0)
                return errno;
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        archive_write_disk_set_options(w, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME
                                                  | ARCHIVE_EXTRACT_OWNER
                                                  | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                                  | ARCHIVE_EXTRACT_UNLINK);
        if ((j->body_fd >= 0 ? archive_read_open_fd(a, j->body_fd, BLOCK)
                             : archive_read_open_memory(a, j->body, j->len))
            != ARCHIVE_OK)
                return EBADMSG;
        while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
                const char *name = archive_entry_pathname(e);
                bool is_dir = archive_entry_filetype(e) == AE_IFDIR;

                if (j->o->no_overwrite_dir_non_dir && name && lstat(name, &st) == 0
                    && S_ISDIR(st.st_mode) != is_dir && strcmp(name, ".") != 0
                    && strcmp(name, "./") != 0)
                        return is_dir ? EEXIST : EISDIR;
                if (!j->o->copy_uidgid) {
                        archive_entry_set_uid(e, 0);
                        archive_entry_set_gid(e, 0);
                        archive_entry_set_uname(e, NULL);
                        archive_entry_set_gname(e, NULL);
                }
                if (archive_write_header(w, e) != ARCHIVE_OK)
                        return EIO;
                if (archive_entry_size(e) > 0) {
                        const void *buf;
                        size_t n;
                        la_int64_t off;
                        while ((rc = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK)
                                if (archive_write_data_block(w, buf, n, off) != ARCHIVE_OK)
                                        return EIO;
                        if (rc != ARCHIVE_EOF)
                                return EBADMSG;
                }
                if (archive_write_finish_entry(w) != ARCHIVE_OK)
                        return EIO;
        }
        if (rc != ARCHIVE_EOF)
                r = EBADMSG;
        if (archive_write_close(w) != ARCHIVE_OK && r == 0)
                r = EIO;
        return r;
}

int
container_archive_extract(const struct container_root *root, const char *path, const char *ref,
                          int body_fd, const char *body, size_t len,
                          const struct container_extract_options *o, berth_error_t **err)
{
        struct container_path p = {0};
        struct extract_job j = {.body_fd = body_fd, .body = body, .len = len, .o = o};
        int r;

        r = container_path_parse(path, &p, err);
        if (r < 0)
                return r;
        j.dir = p.clean;
        r = run_in_root(root->path, extract_child, &j, err);
        if (r == ENOENT)
                r = not_found(err, path, ref);
        else if (r == ENOTDIR)
                r = berth_error_new(err, EINVAL, "extraction point is not a directory");
        else if (r == EEXIST)
                r = berth_error_new(err, EINVAL,
                                    "cannot overwrite non-directory with directory in \"%s\"",
                                    path);
        else if (r == EISDIR)
                r = berth_error_new(err, EINVAL,
                                    "cannot overwrite directory with non-directory in \"%s\"",
                                    path);
        else if (r == EBADMSG)
                r = berth_error_new(err, EINVAL, "extract into \"%s\": bad archive", path);
        else if (r > 0)
                r = berth_error_new(err, r, "extract into \"%s\": %s", path, strerror(r));
        container_path_done(&p);
        return r;
}

/* ---- diff and the commit layer: walks of an overlay upper dir (berthd's own directory; no
 * symlink in it is followed) ---- */

static int
cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* The sorted names in the directory DFD (its own copy: the caller keeps DFD). */
static int
list_dir(int dfd, char ***ret, size_t *ret_n)
{
        int fd = dup(dfd);
        DIR *d;
        struct dirent *de;
        char **v = NULL;
        size_t n = 0;

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
is_whiteout(const struct stat *st)
{
        return container_change_kind_of(st->st_mode, st->st_rdev, false)
               == CONTAINER_CHANGE_DELETED;
}

static bool
is_opaque(int dfd)
{
        char v[4] = "";
        cleanup_free char *p = xasprintf("/proc/self/fd/%d", dfd);
        ssize_t n = getxattr(p, "trusted.overlay.opaque", v, sizeof(v));
        return n == 1 && v[0] == 'y';
}

/* Whether REL (absolute in the container) shows in the lower dirs, top first: the first layer
 * holding it decides (a whiteout there hides it). */
static bool
in_lowers(char *const *lowers, const char *rel)
{
        for (size_t i = 0; lowers && lowers[i]; i++) {
                cleanup_free char *p = xasprintf("%s%s", lowers[i], rel);
                struct stat st;
                if (lstat(p, &st) == 0)
                        return !is_whiteout(&st);
        }
        return false;
}

typedef int (*upper_visit_fn)(void *ud, int dfd, const char *name, const char *rel,
                              const struct stat *st);

static int
walk_upper(int dfd, const char *rel, upper_visit_fn fn, void *ud, berth_error_t **err)
{
        cleanup_strv char **names = NULL;
        size_t n = 0;
        int r;

        r = list_dir(dfd, &names, &n);
        if (r < 0)
                return berth_error_sys(err, -r, "read directory \"%s\"", rel[0] ? rel : "/");
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *child = xasprintf("%s/%s", rel, names[i]);
                struct stat st;

                if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return berth_error_sys(err, errno, "stat \"%s\"", child);
                r = fn(ud, dfd, names[i], child, &st);
                if (r < 0)
                        return berth_error_new(err, -r, "\"%s\": %s", child, strerror(-r));
                if (S_ISDIR(st.st_mode)) {
                        cleanup_close int sub = openat(dfd, names[i],
                                                       O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                                               | O_CLOEXEC);
                        if (sub < 0)
                                return berth_error_sys(err, errno, "open \"%s\"", child);
                        r = walk_upper(sub, child, fn, ud, err);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

static bool
excluded(char *const *skip, const char *rel)
{
        for (size_t i = 0; skip && skip[i]; i++)
                if (strcmp(skip[i], rel) == 0)
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

/* The changes below the upper directory DFD (REL in the container) into OUT; *ret_skipped is
 * set when a SKIP path was met below. A directory whose only contents are skipped paths (made
 * for a mountpoint, as docker's init layer does) is not a change. */
static int
changes_dir(int dfd, const char *rel, char *const *lowers, char *const *skip,
            struct json_object *out, bool *ret_skipped, berth_error_t **err)
{
        cleanup_strv char **names = NULL;
        size_t n = 0;
        int r;

        r = list_dir(dfd, &names, &n);
        if (r < 0)
                return berth_error_sys(err, -r, "read directory \"%s\"", rel[0] ? rel : "/");
        for (size_t i = 0; i < n; i++) {
                cleanup_free char *child = xasprintf("%s/%s", rel, names[i]);
                enum container_change_kind k;
                struct stat st;

                if (excluded(skip, child)) {
                        *ret_skipped = true;
                        continue;
                }
                if (fstatat(dfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return berth_error_sys(err, errno, "stat \"%s\"", child);
                k = container_change_kind_of(st.st_mode, st.st_rdev, in_lowers(lowers, child));
                if (S_ISDIR(st.st_mode)) {
                        cleanup_json struct json_object *sub = json_object_new_array();
                        cleanup_close int fd = openat(dfd, names[i], O_RDONLY | O_DIRECTORY
                                                                             | O_NOFOLLOW
                                                                             | O_CLOEXEC);
                        bool skipped = false;
                        if (fd < 0)
                                return berth_error_sys(err, errno, "open \"%s\"", child);
                        r = changes_dir(fd, child, lowers, skip, sub, &skipped, err);
                        if (r < 0)
                                return r;
                        if (skipped)
                                *ret_skipped = true;
                        if (!skipped || json_object_array_length(sub) > 0)
                                change_add(out, child, k);
                        for (size_t j = 0; j < json_object_array_length(sub); j++)
                                json_object_array_add(
                                        out, json_object_get(json_object_array_get_idx(sub, j)));
                } else {
                        change_add(out, child, k);
                }
        }
        return 0;
}

int
container_changes_compute(const char *upper, char *const *lowers, char *const *skip,
                          struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_array();
        cleanup_close int fd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        bool skipped = false;
        int r;

        if (fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", upper);
        r = changes_dir(fd, "", lowers, skip, out, &skipped, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(out);
        return 0;
}

/* The mount destinations of container ID's config.json: docker keeps their mountpoints (and
 * the /etc files berthd bind-mounts) out of diff and commit, in its init layer. */
char **
container_mount_points(struct container_service *svc, const char *id)
{
        cleanup_free char *path = xasprintf("%s/containers/%s/config.json", svc->data_root, id);
        cleanup_free char *buf = NULL;
        cleanup_json struct json_object *spec = NULL;
        cleanup_error berth_error_t *e = NULL; /* no spec: nothing to leave out */
        struct json_object *mounts;
        char **out = NULL;
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, path, &buf, &len, &e) < 0
            || json_parse_buffer(buf, len, &spec, &e) < 0)
                return NULL;
        mounts = json_key(spec, "mounts");
        for (size_t i = 0; mounts && i < json_object_array_length(mounts); i++) {
                const char *d = json_object_get_string(
                        json_key(json_object_array_get_idx(mounts, i), "destination"));
                struct container_path p = {0};
                if (d == NULL || container_path_parse(d, &p, &e) < 0)
                        continue;
                strv_push(&out, p.clean);
                container_path_done(&p);
        }
        return out;
}

/* The lowerdir list of an overlay mount's options (top first). */
static char **
lowers_of(const char *options)
{
        const char *p = strstr(options, "lowerdir=");
        cleanup_free char *v = NULL;
        char **out = NULL, *save = NULL;
        size_t n;

        if (p == NULL)
                return NULL;
        p += strlen("lowerdir=");
        n = strcspn(p, ",");
        v = xstrndup(p, n);
        for (char *t = strtok_r(v, ":", &save); t; t = strtok_r(NULL, ":", &save))
                strv_push(&out, t);
        return out;
}

/* vfs: the directory of DOC's image, its top layer's whole tree (*ret NULL for an image
 * without layers), what the container's tree is compared with. */
static int
image_tree(struct container_service *svc, struct json_object *doc, char **ret, berth_error_t **err)
{
        struct image_record rec = {0};
        int r;

        r = metadata_images_load(svc->db, json_object_get_string(json_key(doc, "Image")), &rec,
                                 err);
        if (r < 0)
                return berth_error_prefix(err, "the container's image");
        *ret = rec.chain_id && rec.chain_id[0] ? snapshotter_path(svc->snapshots, rec.chain_id)
                                               : NULL;
        image_record_done(&rec);
        return 0;
}

int
container_vfs_layer_write(struct container_service *svc, const char *id, char *const *skip, int fd,
                          berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL, *changes = NULL;
        cleanup_free char *tree = NULL, *fs = NULL;
        int r;

        r = container_service_get(svc, id, &doc, err);
        if (r < 0)
                return r;
        r = image_tree(svc, doc, &tree, err);
        if (r < 0)
                return r;
        fs = snapshotter_active_upper(svc->snapshots, id);
        r = container_changes_naive(fs, tree, skip, &changes, err);
        if (r < 0)
                return r;
        return container_changes_layer_write(fs, changes, fd, err);
}

int
container_changes(struct container_service *svc, const char *ref, struct json_object **ret,
                  berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_free char *type = NULL, *source = NULL, *options = NULL, *upper = NULL;
        cleanup_strv char **lowers = NULL, **skip = NULL;
        const char *id;
        int r;

        r = container_service_get(svc, ref, &doc, err);
        if (r < 0)
                return r;
        id = json_object_get_string(json_key(doc, "Id"));
        if (!snapshotter_is_overlay(svc->snapshots)) {
                cleanup_free char *tree = NULL, *fs = snapshotter_active_upper(svc->snapshots, id);
                r = image_tree(svc, doc, &tree, err);
                if (r < 0)
                        return r;
                skip = container_mount_points(svc, id);
                return container_changes_naive(fs, tree, skip, ret, err);
        }
        r = snapshotter_active_mount_args(svc->snapshots, id, &type, &source, &options, err);
        if (r < 0)
                return r;
        lowers = lowers_of(options);
        upper = snapshotter_active_upper(svc->snapshots, id);
        skip = container_mount_points(svc, id);
        return container_changes_compute(upper, lowers, skip, ret, err);
}

/* ---- the commit layer ---- */

static int
layer_plain(struct archive *w, const char *path, mode_t mode)
{
        struct archive_entry *e = archive_entry_new();
        int r;

        archive_entry_set_pathname(e, path);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, mode);
        archive_entry_set_size(e, 0);
        r = archive_write_header(w, e) == ARCHIVE_OK ? 0 : -EIO;
        archive_entry_free(e);
        return r;
}

struct layer_walk {
        struct archive *w;
        char *const *skip;
};

static int
layer_visit(void *ud, int dfd, const char *name, const char *rel, const struct stat *st)
{
        struct layer_walk *lw = ud;
        struct archive *w = lw->w;
        struct archive_entry *e;
        int r = 0;

        if (excluded(lw->skip, rel))
                return 0;

        if (is_whiteout(st)) {
                const char *slash = strrchr(rel, '/');
                cleanup_free char *wh = xasprintf("%.*s.wh.%s", (int) (slash - rel), rel + 1,
                                                  slash + 1);
                return layer_plain(w, wh, 0);
        }
        e = archive_entry_new();
        archive_entry_copy_stat(e, st);
        archive_entry_set_pathname(e, rel + 1);
        if (S_ISLNK(st->st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
                if (n < 0) {
                        archive_entry_free(e);
                        return -errno;
                }
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
        }
        if (!S_ISREG(st->st_mode))
                archive_entry_set_size(e, 0);
        if (archive_write_header(w, e) != ARCHIVE_OK)
                r = -EIO;
        archive_entry_free(e);
        if (r == 0 && S_ISREG(st->st_mode) && st->st_size > 0) {
                cleanup_close int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                char buf[BLOCK];
                ssize_t n;
                if (fd < 0)
                        return -errno;
                while ((n = read(fd, buf, sizeof(buf))) > 0)
                        if (archive_write_data(w, buf, (size_t) n) < 0)
                                return -EIO;
                if (n < 0)
                        return -errno;
        }
        if (r == 0 && S_ISDIR(st->st_mode)) {
                cleanup_close int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW
                                                                 | O_CLOEXEC);
                if (fd >= 0 && is_opaque(fd)) {
                        cleanup_free char *opq = xasprintf("%s/.wh..wh..opq", rel + 1);
                        r = layer_plain(w, opq, 0);
                }
        }
        return r;
}

int
container_layer_write(const char *upper, char *const *skip, int fd, berth_error_t **err)
{
        cleanup_close int dfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct layer_walk lw = {NULL, skip};
        struct archive *w;
        int r;

        if (dfd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", upper);
        w = archive_write_new();
        archive_write_set_format_pax_restricted(w);
        if (archive_write_open_fd(w, fd) != ARCHIVE_OK) {
                archive_write_free(w);
                return berth_error_new(err, EIO, "layer: %s", archive_error_string(w));
        }
        lw.w = w;
        r = walk_upper(dfd, "", layer_visit, &lw, err);
        if (archive_write_close(w) != ARCHIVE_OK && r >= 0)
                r = berth_error_new(err, EIO, "layer: %s", archive_error_string(w));
        archive_write_free(w);
        return r;
}
