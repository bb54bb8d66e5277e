/* supervisor/content/store.c: blobs at content/blobs/sha256/<hex>, written through
 * content/ingest/<ref> while hashing, verified, then renamed into place (as containerd's
 * plugins/content/local/store.go: a blob is either complete and verified or absent). */
#include <config.h>

#include "supervisor/content/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "lib/fs.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

#define SHA256_PREFIX "sha256:"
#define READ_CHUNK    65536

struct content_store {
        char *root;
        int blobs_fd;  /* blobs/sha256 */
        int ingest_fd; /* ingest */
};

struct content_ingest {
        struct content_store *store;
        char *ref;
        int fd; /* flock()ed for the life of the ingest */
        int64_t size;
        EVP_MD_CTX *md;
        int done;
};

int
content_store_open(const char *root, struct content_store **ret, berth_error_t **err)
{
        cleanup_free char *blobs = xasprintf("%s/blobs/sha256", root);
        cleanup_free char *ingest = xasprintf("%s/ingest", root);
        cleanup_close int bfd = -1;
        cleanup_close int ifd = -1;
        struct content_store *s;
        int r;

        r = fs_mkdir_p(blobs, 0700, err);
        if (r < 0)
                return r;
        r = fs_mkdir_p(ingest, 0700, err);
        if (r < 0)
                return r;
        bfd = open(blobs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (bfd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", blobs);
        ifd = open(ingest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (ifd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", ingest);
        s = xzalloc(sizeof(*s));
        s->root = xstrdup(root);
        s->blobs_fd = TAKE_FD(bfd);
        s->ingest_fd = TAKE_FD(ifd);
        *ret = s;
        return 0;
}

void
content_store_close(struct content_store *s)
{
        if (s == NULL)
                return;
        close(s->blobs_fd);
        close(s->ingest_fd);
        free(s->root);
        free(s);
}

int
content_digest_validate(const char *digest, berth_error_t **err)
{
        const char *hex;

        if (strncmp(digest, SHA256_PREFIX, strlen(SHA256_PREFIX)) != 0)
                return berth_error_new(
                        err, EINVAL, "digest \"%s\": unsupported algorithm (only sha256)", digest);
        hex = digest + strlen(SHA256_PREFIX);
        if (strlen(hex) != 64)
                return berth_error_new(err, EINVAL, "digest \"%s\": want 64 hex digits", digest);
        for (const char *p = hex; *p; p++)
                if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
                        return berth_error_new(err, EINVAL, "digest \"%s\": not lowercase hex",
                                               digest);
        return 0;
}

static int
ref_validate(const char *ref, berth_error_t **err)
{
        size_t n = strlen(ref);

        if (n == 0 || n > 200 || ref[0] == '.')
                return berth_error_new(err, EINVAL, "ingest ref \"%s\": invalid", ref);
        for (const char *p = ref; *p; p++) {
                char c = *p;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                      || c == '.' || c == '_' || c == '-' || c == ':'))
                        return berth_error_new(err, EINVAL,
                                               "ingest ref \"%s\": invalid character '%c'", ref, c);
        }
        return 0;
}

char *
content_store_blob_path(struct content_store *s, const char *digest)
{
        const char *hex = strchr(digest, ':');
        return xasprintf("%s/blobs/sha256/%s", s->root, hex ? hex + 1 : digest);
}

int
content_store_stat_blob(struct content_store *s, const char *digest, int64_t *ret_size,
                        berth_error_t **err)
{
        struct stat st;
        int r;

        r = content_digest_validate(digest, err);
        if (r < 0)
                return r;
        if (fstatat(s->blobs_fd, digest + strlen(SHA256_PREFIX), &st, AT_SYMLINK_NOFOLLOW) < 0)
                return berth_error_sys(err, errno, "blob \"%s\"", digest);
        *ret_size = st.st_size;
        return 0;
}

int
content_store_gc_ingests(struct content_store *s, berth_error_t **err)
{
        cleanup_dir DIR *d = NULL;
        struct dirent *de;
        int dfd, removed = 0;

        dfd = openat(s->ingest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error_sys(err, errno, "open \"%s/ingest\"", s->root);
        d = fdopendir(dfd);
        if (d == NULL) {
                close(dfd);
                return berth_error_sys(err, errno, "open \"%s/ingest\"", s->root);
        }
        while ((de = readdir(d)) != NULL) {
                cleanup_close int fd = -1;
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                        continue;
                fd = openat(s->ingest_fd, de->d_name,
                            O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                /* An ingest held by a live writer is locked: leave it. */
                if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK)
                        continue;
                if (unlinkat(s->ingest_fd, de->d_name, 0) < 0) {
                        berth_error_t *e = NULL;
                        int r;
                        if (errno != EISDIR)
                                return berth_error_sys(err, errno, "remove ingest \"%s\"",
                                                       de->d_name);
                        r = fs_remove_tree(s->ingest_fd, de->d_name, &e);
                        if (r < 0) {
                                *err = e;
                                return r;
                        }
                }
                removed++;
        }
        return removed;
}

static void
ingest_remove(struct content_ingest *in)
{
        /* Removal is best effort: a leftover is collected at the next start. */
        unlinkat(in->store->ingest_fd, in->ref, 0);
}

int
content_ingest_open(struct content_store *s, const char *ref, struct content_ingest **ret,
                    int64_t *ret_offset, berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        cleanup_free char *buf = NULL;
        int r;

        r = ref_validate(ref, err);
        if (r < 0)
                return r;
        in = xzalloc(sizeof(*in));
        in->store = s;
        in->ref = xstrdup(ref);
        in->fd = openat(s->ingest_fd, ref, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (in->fd < 0)
                return berth_error_sys(err, errno, "ingest \"%s\"", ref);
        if (flock(in->fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return berth_error_new(
                                err, EBUSY, "ingest \"%s\": being written by another writer", ref);
                return berth_error_sys(err, errno, "ingest \"%s\": lock", ref);
        }
        in->md = EVP_MD_CTX_new();
        if (in->md == NULL || EVP_DigestInit_ex(in->md, EVP_sha256(), NULL) != 1)
                abort(); /* only allocation can fail here */
        /* Resume: rehash what an earlier writer left, and continue after it. */
        buf = xmalloc(READ_CHUNK);
        for (;;) {
                ssize_t n = read(in->fd, buf, READ_CHUNK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berth_error_sys(err, errno, "ingest \"%s\": read", ref);
                if (n == 0)
                        break;
                EVP_DigestUpdate(in->md, buf, (size_t) n);
                in->size += n;
        }
        *ret_offset = in->size;
        *ret = TAKE_PTR(in);
        return 0;
}

int
content_ingest_write(struct content_ingest *in, const void *buf, size_t len, berth_error_t **err)
{
        int r;

        if (in->done)
                return berth_error_new(err, EBUSY, "ingest \"%s\": already committed", in->ref);
        r = fs_write_all(in->fd, buf, len);
        if (r < 0)
                return berth_error_sys(err, -r, "ingest \"%s\": write", in->ref);
        EVP_DigestUpdate(in->md, buf, len);
        in->size += (int64_t) len;
        return 0;
}

int
content_ingest_commit(struct content_ingest *in, const char *expected_digest, int64_t expected_size,
                      berth_error_t **err)
{
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        char digest[sizeof(SHA256_PREFIX) + 64];
        const char *hex;
        int r;

        if (in->done)
                return berth_error_new(err, EBUSY, "ingest \"%s\": already committed", in->ref);
        in->done = 1;
        r = content_digest_validate(expected_digest, err);
        if (r < 0) {
                ingest_remove(in);
                return r;
        }
        if (expected_size >= 0 && in->size != expected_size) {
                ingest_remove(in);
                return berth_error_new(err, EINVAL, "ingest \"%s\": size %lld, expected %lld",
                                       in->ref, (long long) in->size, (long long) expected_size);
        }
        EVP_DigestFinal_ex(in->md, md, &mdlen);
        strcpy(digest, SHA256_PREFIX);
        for (unsigned int i = 0; i < mdlen && i < 32; i++)
                snprintf(digest + strlen(SHA256_PREFIX) + 2 * i, 3, "%02x", md[i]);
        if (strcmp(digest, expected_digest) != 0) {
                ingest_remove(in);
                return berth_error_new(err, EINVAL, "ingest \"%s\": digest %s, expected %s",
                                       in->ref, digest, expected_digest);
        }
        /* Data before name: the blob's bytes reach the disk before the rename makes it visible. */
        if (fsync(in->fd) < 0) {
                r = -errno;
                ingest_remove(in);
                return berth_error_sys(err, -r, "ingest \"%s\": fsync", in->ref);
        }
        hex = expected_digest + strlen(SHA256_PREFIX);
        if (faccessat(in->store->blobs_fd, hex, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
                ingest_remove(in);
                return berth_error_new(err, EEXIST, "blob \"%s\": already exists", expected_digest);
        }
        /* Both directories are on one filesystem (content/), so the rename is atomic. */
        if (renameat(in->store->ingest_fd, in->ref, in->store->blobs_fd, hex) < 0) {
                r = -errno;
                ingest_remove(in);
                return berth_error_sys(err, -r, "ingest \"%s\": rename to blob", in->ref);
        }
        if (fchmod(in->fd, 0444) < 0)
                return berth_error_sys(err, errno, "blob \"%s\": chmod", expected_digest);
        if (fsync(in->store->blobs_fd) < 0 || fsync(in->store->ingest_fd) < 0)
                return berth_error_sys(err, errno, "blob \"%s\": fsync directory", expected_digest);
        return 0;
}

void
content_ingest_free(struct content_ingest *in)
{
        if (in == NULL)
                return;
        if (in->fd >= 0)
                close(in->fd);
        EVP_MD_CTX_free(in->md);
        free(in->ref);
        free(in);
}

int
content_store_write_blob(struct content_store *s, const char *ref, const void *buf, size_t len,
                         const char *expected_digest, int64_t expected_size, berth_error_t **err)
{
        cleanup_content_ingest struct content_ingest *in = NULL;
        int64_t offset = 0;
        int r;

        r = content_ingest_open(s, ref, &in, &offset, err);
        if (r < 0)
                return r;
        if (offset != 0) {
                /* A one-shot write starts over: drop what an earlier writer left. */
                if (ftruncate(in->fd, 0) < 0 || lseek(in->fd, 0, SEEK_SET) < 0)
                        return berth_error_sys(err, errno, "ingest \"%s\": truncate", ref);
                EVP_DigestInit_ex(in->md, EVP_sha256(), NULL);
                in->size = 0;
        }
        r = content_ingest_write(in, buf, len, err);
        if (r < 0)
                return r;
        return content_ingest_commit(in, expected_digest, expected_size, err);
}

int
content_store_list_blobs(struct content_store *s, char ***ret, berth_error_t **err)
{
        cleanup_strv char **out = NULL;
        cleanup_dir DIR *d = NULL;
        struct dirent *de;
        int dfd, n = 0;

        dfd = openat(s->blobs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return berth_error_sys(err, errno, "open \"%s/blobs/sha256\"", s->root);
        d = fdopendir(dfd);
        if (d == NULL) {
                close(dfd);
                return berth_error_sys(err, errno, "open \"%s/blobs/sha256\"", s->root);
        }
        while ((de = readdir(d)) != NULL) {
                cleanup_free char *digest = NULL;
                if (de->d_name[0] == '.')
                        continue;
                digest = xasprintf(SHA256_PREFIX "%s", de->d_name);
                strv_push(&out, digest);
                n++;
        }
        *ret = TAKE_PTR(out);
        return n;
}

int
content_store_remove_blob(struct content_store *s, const char *digest, berth_error_t **err)
{
        int r;

        r = content_digest_validate(digest, err);
        if (r < 0)
                return r;
        if (unlinkat(s->blobs_fd, digest + strlen(SHA256_PREFIX), 0) < 0)
                return berth_error_sys(err, errno, "remove blob \"%s\"", digest);
        return 0;
}

int
content_store_open_blob(struct content_store *s, const char *digest, int64_t expected_size,
                        berth_error_t **err)
{
        struct stat st;
        int fd, r;

        r = content_digest_validate(digest, err);
        if (r < 0)
                return r;
        fd = openat(s->blobs_fd, digest + strlen(SHA256_PREFIX), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return berth_error_sys(err, errno, "blob \"%s\"", digest);
        if (expected_size >= 0 && (fstat(fd, &st) < 0 || st.st_size != expected_size)) {
                close(fd);
                return berth_error_new(err, EINVAL, "blob \"%s\": size does not match %lld", digest,
                                       (long long) expected_size);
        }
        return fd;
}

void
content_ingest_digest(struct content_ingest *in, char ret[CONTENT_DIGEST_BUF])
{
        EVP_MD_CTX *copy = EVP_MD_CTX_new();
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;

        if (copy == NULL || EVP_MD_CTX_copy_ex(copy, in->md) != 1)
                abort(); /* only allocation can fail here */
        EVP_DigestFinal_ex(copy, md, &mdlen);
        EVP_MD_CTX_free(copy);
        strcpy(ret, SHA256_PREFIX);
        for (unsigned int i = 0; i < mdlen && i < 32; i++)
                snprintf(ret + strlen(SHA256_PREFIX) + 2 * i, 3, "%02x", md[i]);
}

int64_t
content_ingest_size(const struct content_ingest *in)
{
        return in->size;
}

void
content_ingest_abort(struct content_ingest *in)
{
        if (in->done)
                return;
        in->done = 1;
        ingest_remove(in);
}

int
content_ingest_open_reader(struct content_ingest *in, berth_error_t **err)
{
        int fd = openat(in->store->ingest_fd, in->ref, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

        if (fd < 0)
                return berth_error_sys(err, errno, "ingest \"%s\": open for reading", in->ref);
        return fd;
}

int
content_stored_ok(int r, berth_error_t **err)
{
        if (r != -EEXIST)
                return r;
        berth_error_free(*err);
        *err = NULL;
        return 0;
}
