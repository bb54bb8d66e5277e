/* supervisor/images/reference.c: parse and normalise image references (the grammar of
 * distribution/reference, which dockerd and the docker CLI share). */
#include <config.h>

#include "supervisor/images/reference.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

#define DEFAULT_DOMAIN "docker.io"
#define OFFICIAL_REPO  "library/"

void
image_ref_done(struct image_ref *ref)
{
        free(ref->name);
        free(ref->tag);
        free(ref->digest);
        ref->name = ref->tag = ref->digest = NULL;
}

static int
valid_path_component(const char *s, size_t n)
{
        /* [a-z0-9]+ with single separators ".", "_", "__" or runs of "-" between. */
        if (n == 0 || !(islower((unsigned char) s[0]) || isdigit((unsigned char) s[0])))
                return 0;
        if (!(islower((unsigned char) s[n - 1]) || isdigit((unsigned char) s[n - 1])))
                return 0;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                if (!(islower((unsigned char) c) || isdigit((unsigned char) c) || c == '.'
                      || c == '_' || c == '-'))
                        return 0;
                if (c == '.' && i + 1 < n && !(isalnum((unsigned char) s[i + 1])))
                        return 0;
        }
        return 1;
}

static int
valid_tag(const char *t)
{
        size_t n = strlen(t);
        if (n == 0 || n > 128 || !(isalnum((unsigned char) t[0]) || t[0] == '_'))
                return 0;
        for (size_t i = 0; i < n; i++)
                if (!(isalnum((unsigned char) t[i]) || t[i] == '_' || t[i] == '.' || t[i] == '-'))
                        return 0;
        return 1;
}

int
image_ref_parse(const char *s, struct image_ref *ret, berth_error_t **err)
{
        cleanup_free char *work = xstrdup(s);
        cleanup_free char *digest = NULL, *tag = NULL, *domain = NULL, *path = NULL;
        char *at, *slash, *colon, *rest;

        if (s[0] == '\0')
                return berth_error_new(err, EINVAL, "invalid reference format");
        at = strchr(work, '@');
        if (at) {
                const char *hex = at + 1 + strlen("sha256:");
                *at = '\0';
                if (strncmp(at + 1, "sha256:", 7) != 0 || strlen(hex) != 64
                    || strspn(hex, "0123456789abcdef") != 64)
                        return berth_error_new(err, EINVAL, "invalid reference format");
                digest = xstrdup(at + 1);
        }
        slash = strrchr(work, '/');
        colon = strrchr(slash ? slash : work, ':');
        if (colon) {
                *colon = '\0';
                if (!valid_tag(colon + 1))
                        return berth_error_new(err, EINVAL, "invalid reference format");
                tag = xstrdup(colon + 1);
        }
        rest = work;
        slash = strchr(work, '/');
        /* The first component is a registry when it looks like a host: a dot, a port, an
         * uppercase letter (paths are lowercase) or "localhost". */
        if (slash) {
                size_t n = (size_t) (slash - work);
                bool host = memchr(work, '.', n) || memchr(work, ':', n)
                            || (n == 9 && strncmp(work, "localhost", 9) == 0);
                for (size_t i = 0; i < n && !host; i++)
                        host = isupper((unsigned char) work[i]);
                if (host) {
                        domain = xstrndup(work, n);
                        rest = slash + 1;
                }
        }
        for (const char *c = rest; *c; c++)
                if (isupper((unsigned char) *c))
                        return berth_error_new(
                                err, EINVAL,
                                "invalid reference format: repository name must be lowercase");
        for (const char *c = rest; c;) {
                const char *e = strchr(c, '/');
                size_t n = e ? (size_t) (e - c) : strlen(c);
                if (!valid_path_component(c, n))
                        return berth_error_new(err, EINVAL, "invalid reference format");
                c = e ? e + 1 : NULL;
        }
        if (domain == NULL || strcmp(domain, "index.docker.io") == 0) {
                free(domain);
                domain = xstrdup(DEFAULT_DOMAIN);
        }
        if (strcmp(domain, DEFAULT_DOMAIN) == 0 && strchr(rest, '/') == NULL)
                path = xasprintf(OFFICIAL_REPO "%s", rest);
        else
                path = xstrdup(rest);
        if (tag == NULL && digest == NULL)
                tag = xstrdup("latest");
        ret->name = xasprintf("%s/%s", domain, path);
        if (strlen(ret->name) > 255) {
                free(ret->name);
                ret->name = NULL;
                return berth_error_new(
                        err, EINVAL,
                        "invalid reference format: repository name must not be more than 255 characters");
        }
        ret->tag = TAKE_PTR(tag);
        ret->digest = TAKE_PTR(digest);
        return 0;
}

char *
image_ref_key(const struct image_ref *ref)
{
        if (ref->digest)
                return xasprintf("%s@%s", ref->name, ref->digest);
        return xasprintf("%s:%s", ref->name, ref->tag);
}

char *
image_ref_familiar(const char *key)
{
        if (strncmp(key, DEFAULT_DOMAIN "/" OFFICIAL_REPO, strlen(DEFAULT_DOMAIN "/" OFFICIAL_REPO))
            == 0) {
                const char *rest = key + strlen(DEFAULT_DOMAIN "/" OFFICIAL_REPO);
                /* "library/x" stays when it has more path below it. */
                if (strchr(rest, '/') == NULL)
                        return xstrdup(rest);
        }
        if (strncmp(key, DEFAULT_DOMAIN "/", strlen(DEFAULT_DOMAIN "/")) == 0)
                return xstrdup(key + strlen(DEFAULT_DOMAIN "/"));
        return xstrdup(key);
}

int
image_ref_is_id_prefix(const char *s)
{
        if (strncmp(s, "sha256:", 7) == 0)
                s += 7;
        return s[0] != '\0' && strlen(s) <= 64 && strspn(s, "0123456789abcdef") == strlen(s);
}
