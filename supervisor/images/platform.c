/* supervisor/images/platform.c: parse, normalise and match image platforms (the rules of
 * containerd's platforms package: database.go normalizeArch, parse.go Parse). */
#include <config.h>

#include "supervisor/images/platform.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

void
image_platform_done(struct image_platform *p)
{
        free(p->os);
        free(p->arch);
        free(p->variant);
        p->os = p->arch = p->variant = NULL;
}

static void
set(char **field, const char *v)
{
        free(*field);
        *field = xstrdup(v);
}

void
image_platform_normalize(struct image_platform *p)
{
        char *a, *v;

        if (p->variant == NULL)
                p->variant = xstrdup("");
        for (char *c = p->os; c && *c; c++)
                *c = (char) tolower((unsigned char) *c);
        if (p->os && strcmp(p->os, "macos") == 0)
                set(&p->os, "darwin");
        for (char *c = p->arch; c && *c; c++)
                *c = (char) tolower((unsigned char) *c);
        for (char *c = p->variant; *c; c++)
                *c = (char) tolower((unsigned char) *c);
        a = p->arch;
        v = p->variant;
        if (a == NULL)
                return;
        if (strcmp(a, "i386") == 0) {
                set(&p->arch, "386");
                set(&p->variant, "");
        } else if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0
                   || strcmp(a, "amd64") == 0) {
                set(&p->arch, "amd64");
                if (strcmp(v, "v1") == 0)
                        set(&p->variant, "");
        } else if (strcmp(a, "aarch64") == 0 || strcmp(a, "arm64") == 0) {
                set(&p->arch, "arm64");
                if (strcmp(v, "8") == 0 || strcmp(v, "v8") == 0)
                        set(&p->variant, "");
        } else if (strcmp(a, "armhf") == 0) {
                set(&p->arch, "arm");
                set(&p->variant, "v7");
        } else if (strcmp(a, "armel") == 0) {
                set(&p->arch, "arm");
                set(&p->variant, "v6");
        } else if (strcmp(a, "arm") == 0) {
                if (v[0] == '\0' || strcmp(v, "7") == 0)
                        set(&p->variant, "v7");
                else if (strcmp(v, "5") == 0 || strcmp(v, "6") == 0 || strcmp(v, "8") == 0) {
                        cleanup_free char *nv = xasprintf("v%s", v);
                        set(&p->variant, nv);
                }
        }
}

static bool
known_os(const char *s)
{
        static const char *const oses[] = {"aix",     "android", "darwin",  "dragonfly", "freebsd",
                                           "hurd",    "illumos", "ios",     "js",        "linux",
                                           "nacl",    "netbsd",  "openbsd", "plan9",     "solaris",
                                           "windows", "zos",     "macos"};
        for (size_t i = 0; i < sizeof(oses) / sizeof(oses[0]); i++)
                if (strcasecmp(s, oses[i]) == 0)
                        return true;
        return false;
}

int
image_platform_parse(const char *s, struct image_platform *ret, berth_error_t **err)
{
        cleanup_free char *copy = xstrdup(s);
        struct image_platform p = {0};
        char *parts[4] = {0};
        size_t n = 0;

        for (char *tok = copy, *next; tok && n < 4; tok = next) {
                next = strchr(tok, '/');
                if (next)
                        *next++ = '\0';
                parts[n++] = tok;
                if (next == NULL)
                        break;
        }
        if (strchr(s, '/') && n == 4)
                return berth_error_new(err, EINVAL, "\"%s\": cannot parse platform specifier", s);
        for (size_t i = 0; i < n; i++)
                if (parts[i][0] == '\0')
                        return berth_error_new(err, EINVAL, "\"%s\": invalid platform component",
                                               s);
        if (n == 1) {
                struct image_platform host = {0};
                if (known_os(parts[0]))
                        return berth_error_new(
                                err, EINVAL,
                                "\"%s\": unknown operating system or architecture: invalid "
                                "argument",
                                s);
                image_platform_host(&host);
                p.os = TAKE_PTR(host.os);
                image_platform_done(&host);
                p.arch = xstrdup(parts[0]);
        } else {
                p.os = xstrdup(parts[0]);
                p.arch = xstrdup(parts[1]);
                if (n == 3)
                        p.variant = xstrdup(parts[2]);
        }
        image_platform_normalize(&p);
        *ret = p;
        return 0;
}

void
image_platform_host(struct image_platform *ret)
{
        struct utsname u;

        memset(ret, 0, sizeof(*ret));
        uname(&u);
        ret->os = xstrdup("linux");
        ret->arch = xstrdup(u.machine);
        /* A 32-bit arm kernel names its variant ("armv7l"), containerd reads it from cpuinfo. */
        if (strncmp(u.machine, "armv", 4) == 0) {
                free(ret->arch);
                ret->arch = xstrdup("arm");
                ret->variant = xasprintf("v%c", u.machine[4]);
        }
        image_platform_normalize(ret);
}

char *
image_platform_format(const struct image_platform *p)
{
        if (p->variant && p->variant[0])
                return xasprintf("%s/%s/%s", p->os, p->arch, p->variant);
        return xasprintf("%s/%s", p->os, p->arch);
}

bool
image_platform_match(const struct image_platform *want, const char *os, const char *arch,
                     const char *variant)
{
        struct image_platform have = {0};
        bool ok;

        if (os == NULL || arch == NULL)
                return false;
        have.os = xstrdup(os);
        have.arch = xstrdup(arch);
        have.variant = variant ? xstrdup(variant) : NULL;
        image_platform_normalize(&have);
        ok = strcmp(have.os, want->os) == 0 && strcmp(have.arch, want->arch) == 0
             && (want->variant == NULL || want->variant[0] == '\0'
                 || strcmp(have.variant, want->variant) == 0);
        image_platform_done(&have);
        return ok;
}
