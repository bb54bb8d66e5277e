/* supervisor/snapshots/snapshotter.c: snapshots/<chain hex>/{fs/, parent, size}, made from
 * snapshots/.tmp-* by one rename (cf. containerd's snapshots/overlay, keyed by chain ID as its
 * unpacker does). */
#include <config.h>

#include "supervisor/snapshots/snapshotter.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/snapshots/active.h"
#include "supervisor/snapshots/unpack.h"

#define TMP_PREFIX ".tmp-"

struct snapshotter {
        char *root;
        bool overlay;
};

static const char *
hex_of(const char *digest)
{
        const char *c = strchr(digest, ':');
        return c ? c + 1 : digest;
}

char *
snapshot_chain_id(const char *parent, const char *diff_id)
{
        cleanup_free char *in = NULL;
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        char *out;

        if (parent == NULL)
                return xstrdup(diff_id);
        in = xasprintf("%s %s", parent, diff_id);
        EVP_Digest(in, strlen(in), md, &len, EVP_sha256(), NULL);
        out = xmalloc(7 + 2 * len + 1);
        strcpy(out, "sha256:");
        for (unsigned i = 0; i < len; i++)
                snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
        return out;
}

int
snapshotter_open(const char *root, const char *driver, struct snapshotter **ret,
                 berth_error_t **err)
{
        cleanup_dir DIR *d = NULL;
        struct dirent *de;
        struct snapshotter *s;
        int r;

        r = fs_mkdir_p(root, 0700, err);
        if (r < 0)
                return r;
        d = opendir(root);
        if (d == NULL)
                return berth_error_sys(err, errno, "snapshots: open \"%s\"", root);
        /* A crash mid-unpack leaves a temporary directory and never a snapshot: drop them. */
        while ((de = readdir(d)) != NULL) {
                if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) != 0)
                        continue;
                r = fs_remove_tree(dirfd(d), de->d_name, err);
                if (r < 0)
                        return berth_error_prefix(err, "snapshots");
        }
        s = xzalloc(sizeof(*s));
        s->root = xstrdup(root);
        s->overlay = strcmp(driver, "overlay2") == 0;
        *ret = s;
        return 0;
}

void
snapshotter_close(struct snapshotter *s)
{
        if (s == NULL)
                return;
        free(s->root);
        free(s);
}

char *
snapshotter_path(struct snapshotter *s, const char *chain_id)
{
        return xasprintf("%s/%s/fs", s->root, hex_of(chain_id));
}

const char *
snapshotter_root(const struct snapshotter *s)
{
        return s->root;
}

bool
snapshotter_is_overlay(const struct snapshotter *s)
{
        return s->overlay;
}

int
snapshotter_exists(struct snapshotter *s, const char *chain_id)
{
        cleanup_free char *p = xasprintf("%s/%s", s->root, hex_of(chain_id));
        return access(p, F_OK) == 0;
}

int64_t
snapshotter_layer_size(struct snapshotter *s, const char *chain_id)
{
        cleanup_free char *p = xasprintf("%s/%s/size", s->root, hex_of(chain_id));
        cleanup_free char *buf = NULL;
        cleanup_error berth_error_t *err = NULL; /* a missing size file counts as 0 */
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, p, &buf, &len, &err) < 0)
                return 0;
        return strtoll(buf, NULL, 10);
}

/* Native: the new snapshot starts as a copy of its parent's tree. cp keeps owners, modes,
 * times, xattrs, devices and hard links; reflinks make it cheap where the filesystem can. */
static int
copy_tree(const char *from, const char *to, berth_error_t **err)
{
        cleanup_free char *src = xasprintf("%s/.", from);
        int status = 0;
        pid_t parent = getpid();
        pid_t pid = fork();

        if (pid < 0)
                return berth_error_sys(err, errno, "snapshots: fork");
        if (pid == 0) {
                /* Dies with berthd, as the unpacker does (unpack.c). */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(127);
                execl("/bin/cp", "cp", "-a", "--reflink=auto", src, to, (char *) NULL);
                _exit(127);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berth_error_new(err, EIO, "snapshots: copy \"%s\" to \"%s\" failed", from,
                                       to);
        return 0;
}

static int
unpack_into(struct snapshotter *s, const char *tmp, const char *parent_chain, const char *diff_id,
            int blob_fd, berth_error_t **err)
{
        cleanup_free char *fs = xasprintf("%s/fs", tmp);
        cleanup_free char *got = NULL;
        cleanup_free char *sizebuf = NULL;
        int64_t size = 0;
        int r;

        if (mkdir(fs, 0755) < 0)
                return berth_error_sys(err, errno, "snapshots: mkdir \"%s\"", fs);
        if (parent_chain && !s->overlay) {
                cleanup_free char *pfs = snapshotter_path(s, parent_chain);
                r = copy_tree(pfs, fs, err);
                if (r < 0)
                        return r;
        }
        r = layer_unpack(blob_fd, fs, s->overlay, &got, &size, err);
        if (r < 0)
                return r;
        if (strcmp(got, diff_id) != 0)
                return berth_error_new(err, EINVAL,
                                       "layer diff ID %s does not match the config's %s", got,
                                       diff_id);
        if (parent_chain) {
                cleanup_free char *p = xasprintf("%s/parent", tmp);
                r = fs_write_atomic(AT_FDCWD, p, parent_chain, strlen(parent_chain), 0600, err);
                if (r < 0)
                        return r;
        }
        sizebuf = xasprintf("%lld", (long long) size);
        {
                cleanup_free char *p = xasprintf("%s/size", tmp);
                return fs_write_atomic(AT_FDCWD, p, sizebuf, strlen(sizebuf), 0600, err);
        }
}

/* Make the unpacked tree durable before it gets its name: thousands of files, so one syncfs()
 * of their filesystem rather than an fsync() each (the unpacker wrote them in a child). A
 * crash after the record is written then never finds a snapshot with empty or missing files. */
static int
sync_tree(const char *dir, berth_error_t **err)
{
        cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        if (fd < 0)
                return berth_error_sys(err, errno, "snapshots: open \"%s\"", dir);
        if (syncfs(fd) < 0)
                return berth_error_sys(err, errno, "snapshots: syncfs \"%s\"", dir);
        return 0;
}

int
snapshotter_unpack(struct snapshotter *s, const char *parent_chain, const char *diff_id,
                   int blob_fd, char **ret_chain_id, berth_error_t **err)
{
        return snapshotter_unpack_checked(s, parent_chain, diff_id, blob_fd, NULL, NULL,
                                          ret_chain_id, err);
}

int
snapshotter_unpack_checked(struct snapshotter *s, const char *parent_chain, const char *diff_id,
                           int blob_fd, int (*check)(void *arg, berth_error_t **err),
                           void *check_arg, char **ret_chain_id, berth_error_t **err)
{
        cleanup_free char *chain = snapshot_chain_id(parent_chain, diff_id);
        cleanup_free char *final = xasprintf("%s/%s", s->root, hex_of(chain));
        cleanup_free char *tmp = xasprintf("%s/" TMP_PREFIX "%s.XXXXXX", s->root, hex_of(chain));
        cleanup_error berth_error_t *rm_err = NULL; /* the rename already failed or succeeded */
        int r;

        if (access(final, F_OK) == 0) {
                *ret_chain_id = TAKE_PTR(chain);
                return 0;
        }
        if (parent_chain && !snapshotter_exists(s, parent_chain))
                return berth_error_new(err, ENOENT, "snapshots: parent %s missing", parent_chain);
        if (mkdtemp(tmp) == NULL)
                return berth_error_sys(err, errno, "snapshots: mkdtemp in \"%s\"", s->root);
        chmod(tmp, 0700);
        r = unpack_into(s, tmp, parent_chain, diff_id, blob_fd, err);
        if (r < 0)
                berth_error_prefix(err, "snapshot \"%s\"", final);
        if (r == 0 && check)
                r = check(check_arg, err);
        if (r == 0)
                r = sync_tree(tmp, err);
        if (r == 0 && rename(tmp, final) == 0) {
                /* The rename itself must last before the image record that names it is written. */
                r = fs_sync_dir(s->root, err);
                if (r < 0)
                        return berth_error_prefix(err, "snapshots");
                *ret_chain_id = TAKE_PTR(chain);
                return 0;
        }
        /* Another load made the same snapshot meanwhile: theirs is as good. */
        if (r == 0 && errno != EEXIST && errno != ENOTEMPTY)
                r = berth_error_sys(err, errno, "snapshots: rename to \"%s\"", final);
        fs_remove_tree(AT_FDCWD, tmp, &rm_err);
        if (r < 0)
                return r;
        *ret_chain_id = TAKE_PTR(chain);
        return 0;
}

static char *
parent_of(struct snapshotter *s, const char *hex)
{
        cleanup_free char *p = xasprintf("%s/%s/parent", s->root, hex);
        cleanup_error berth_error_t *err = NULL; /* no parent file: a first layer */
        char *buf = NULL;
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, p, &buf, &len, &err) < 0)
                return NULL;
        return buf;
}

int
snapshotter_gc(struct snapshotter *s, char *const *keep, berth_error_t **err)
{
        cleanup_strv char **marked = NULL;
        cleanup_strv char **keep_all = NULL;
        cleanup_dir DIR *d = NULL;
        struct dirent *de;
        cleanup_strv char **held = NULL;
        int removed = 0, r;

        /* Containers' read-write snapshots hold their image's chain (active.c). */
        r = snapshotter_active_parents(s, &held, err);
        if (r < 0)
                return r;
        strv_foreach(h, held)
                strv_push(&keep_all, h);
        strv_foreach(k, keep)
                strv_push(&keep_all, k);
        strv_foreach(k, keep_all) {
                cleanup_free char *cur = xstrdup(hex_of(k));
                while (cur) {
                        char *p;
                        strv_push(&marked, cur);
                        p = parent_of(s, cur);
                        free(cur);
                        cur = p ? xstrdup(hex_of(p)) : NULL;
                        free(p);
                }
        }
        d = opendir(s->root);
        if (d == NULL)
                return berth_error_sys(err, errno, "snapshots: open \"%s\"", s->root);
        while ((de = readdir(d)) != NULL) {
                bool kept = false;
                if (de->d_name[0] == '.' || strcmp(de->d_name, SNAPSHOT_ACTIVE_DIR) == 0)
                        continue;
                strv_foreach(m, marked)
                        if (strcmp(m, de->d_name) == 0)
                                kept = true;
                if (kept)
                        continue;
                /* Out of sight first: a crash mid-removal leaves a temporary directory, which
                 * the next open drops, never a half snapshot under its chain ID. */
                {
                        cleanup_free char *doomed = xasprintf(TMP_PREFIX "gc-%s", de->d_name);
                        if (renameat(dirfd(d), de->d_name, dirfd(d), doomed) < 0)
                                return berth_error_sys(err, errno, "snapshots: remove \"%s\"",
                                                       de->d_name);
                        r = fs_remove_tree(dirfd(d), doomed, err);
                        if (r < 0)
                                return berth_error_prefix(err, "snapshots");
                }
                removed++;
        }
        return removed;
}
