/* runtime/linux/seccomp_cache.c: see seccomp_cache.h. */
#include <config.h>

#include "runtime/linux/seccomp_cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/sha256.h"
#include "lib/xalloc.h"

/* More entries than this and nothing new is stored (profiles are few; the directory must not
 * grow without bound when each container brings its own). */
#define CACHE_MAX_ENTRIES 64

static void
feed_u64(struct sha256_ctx *c, uint64_t v)
{
        sha256_update(c, &v, sizeof(v));
}

/* Strings with their length, so that no two sequences hash alike. */
static void
feed_str(struct sha256_ctx *c, const char *s)
{
        size_t n = s ? strlen(s) : (size_t) -1;

        feed_u64(c, n);
        if (s)
                sha256_update(c, s, n);
}

void
seccomp_cache_key(const struct spec_seccomp *s, const char *version, unsigned api,
                  const char *machine, char out[SECCOMP_CACHE_KEY_LEN + 1])
{
        struct sha256_ctx c;
        uint8_t md[SHA256_DIGEST_SIZE];

        sha256_init(&c);
        feed_str(&c, "berth-seccomp-v1 " PACKAGE_VERSION);
        feed_str(&c, version);
        feed_u64(&c, api);
        feed_str(&c, machine);
        feed_u64(&c, (uint64_t) s->default_action);
        feed_u64(&c, s->has_default_errno);
        feed_u64(&c, s->default_errno);
        feed_u64(&c, s->flags);
        for (size_t i = 0; s->architectures && s->architectures[i]; i++)
                feed_str(&c, s->architectures[i]);
        feed_str(&c, NULL);
        feed_u64(&c, s->n_rules);
        for (size_t i = 0; i < s->n_rules; i++) {
                const struct spec_seccomp_rule *r = &s->rules[i];
                for (size_t j = 0; r->names && r->names[j]; j++)
                        feed_str(&c, r->names[j]);
                feed_str(&c, NULL);
                feed_u64(&c, (uint64_t) r->action);
                feed_u64(&c, r->has_errno);
                feed_u64(&c, r->errno_ret);
                feed_u64(&c, r->n_args);
                for (size_t k = 0; k < r->n_args; k++) {
                        feed_u64(&c, r->args[k].index);
                        feed_u64(&c, r->args[k].value);
                        feed_u64(&c, r->args[k].value_two);
                        feed_u64(&c, (uint64_t) r->args[k].op);
                }
        }
        sha256_final(&c, md);
        sha256_format_hex(md, out);
}

static size_t
count_entries(const char *dir)
{
        cleanup_dir DIR *d = opendir(dir);
        struct dirent *de;
        size_t n = 0;

        while (d && (de = readdir(d)) != NULL)
                if (de->d_name[0] != '.')
                        n++;
        return n;
}

/* A stored program: whole instructions, no more than the kernel takes. */
static bool
read_cached(const char *path, unsigned flags, struct seccomp_program *ret)
{
        cleanup_error berth_error_t *e = NULL;
        char *buf = NULL;
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, path, &buf, &len, &e) < 0)
                return false;
        if (len == 0 || len % 8 != 0 || len > 8 * 4096) {
                free(buf);
                return false;
        }
        ret->insns = (unsigned char *) buf;
        ret->len = len;
        ret->flags = flags;
        return true;
}

int
seccomp_program_load(const struct spec_seccomp *s, const char *root, struct seccomp_program *ret,
                     berth_error_t **err)
{
        cleanup_free char *dir = NULL, *path = NULL;
        char key[SECCOMP_CACHE_KEY_LEN + 1];
        int r;

        memset(ret, 0, sizeof(*ret));
        if (root) {
                const struct scmp_version *v = seccomp_version();
                struct utsname u;
                char version[64];
                if (uname(&u) < 0)
                        strcpy(u.machine, "?");
                snprintf(version, sizeof(version), "%u.%u.%u", v->major, v->minor, v->micro);
                seccomp_cache_key(s, version, seccomp_api_get(), u.machine, key);
                dir = xasprintf("%s/" SECCOMP_CACHE_DIR, root);
                path = xasprintf("%s/%s", dir, key);
                if (read_cached(path, s->flags, ret))
                        return 0;
        }
        {
                cleanup_seccomp scmp_filter_ctx ctx = NULL;
                r = seccomp_filter_build(s, &ctx, err);
                if (r < 0)
                        return r;
                r = seccomp_filter_compile(ctx, s->flags, ret, err);
                if (r < 0)
                        return r;
        }
        if (root && (mkdir(dir, 0700) == 0 || errno == EEXIST)
            && count_entries(dir) < CACHE_MAX_ENTRIES) {
                cleanup_error berth_error_t *e = NULL;
                /* temp + rename: a reader never sees half a program. */
                (void) fs_replace_file(AT_FDCWD, path, (const char *) ret->insns, ret->len, 0600,
                                       &e);
        }
        return 0;
}
