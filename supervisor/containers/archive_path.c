/* supervisor/containers/archive_path.c: docker cp's path rules and stat header (pure). */
#include <config.h>

#include "supervisor/containers/archive_path.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/images/registry_auth.h"

int
container_path_parse(const char *path, struct container_path *ret, berth_error_t **err)
{
        cleanup_strv char **parts = NULL;
        cleanup_free char *copy = NULL;
        size_t n = 0, len;
        char *save = NULL, *tok;
        bool follow;
        char *clean;

        if (path == NULL || path[0] == '\0')
                return berth_error_new(err, EINVAL, "path cannot be empty");
        len = strlen(path);
        follow = path[len - 1] == '/' || strcmp(path, ".") == 0
                 || (len >= 2 && strcmp(path + len - 2, "/.") == 0);
        copy = xstrdup(path);
        for (tok = strtok_r(copy, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
                if (strcmp(tok, ".") == 0)
                        continue;
                if (strcmp(tok, "..") == 0) {
                        if (n > 0) {
                                n--;
                                free(parts[n]);
                                parts[n] = NULL;
                        }
                        continue;
                }
                strv_push(&parts, tok);
                n++;
        }
        memset(ret, 0, sizeof(*ret));
        if (n == 0) {
                ret->clean = xstrdup("/");
                ret->dir = xstrdup("/");
                ret->base = xstrdup("");
                ret->rebase = xstrdup(".");
                ret->follow = true;
                return 0;
        }
        clean = xstrdup("");
        for (size_t i = 0; i < n; i++) {
                char *c = xasprintf("%s/%s", clean, parts[i]);
                free(clean);
                clean = c;
                if (i + 2 == n)
                        ret->dir = xstrdup(clean);
        }
        if (ret->dir == NULL)
                ret->dir = xstrdup("/");
        ret->clean = clean;
        ret->base = xstrdup(parts[n - 1]);
        ret->follow = follow;
        len = strlen(path);
        ret->rebase = (len >= 2 && strcmp(path + len - 2, "/.") == 0) || strcmp(path, ".") == 0
                              ? xstrdup(".")
                              : xstrdup(parts[n - 1]);
        return 0;
}

void
container_path_done(struct container_path *p)
{
        free(p->clean);
        free(p->dir);
        free(p->base);
        free(p->rebase);
        memset(p, 0, sizeof(*p));
}

uint32_t
container_path_go_mode(mode_t mode)
{
        uint32_t m = mode & 0777;

        switch (mode & S_IFMT) {
        case S_IFDIR:
                m |= 1u << 31;
                break;
        case S_IFLNK:
                m |= 1u << 27;
                break;
        case S_IFBLK:
                m |= 1u << 26;
                break;
        case S_IFCHR:
                m |= (1u << 26) | (1u << 21);
                break;
        case S_IFIFO:
                m |= 1u << 25;
                break;
        case S_IFSOCK:
                m |= 1u << 24;
                break;
        default:
                break;
        }
        if (mode & S_ISUID)
                m |= 1u << 23;
        if (mode & S_ISGID)
                m |= 1u << 22;
        if (mode & S_ISVTX)
                m |= 1u << 20;
        return m;
}

char *
container_path_rfc3339nano(int64_t sec, long nsec)
{
        time_t t = (time_t) sec;
        struct tm tm;
        char buf[64], frac[32];
        size_t n;

        gmtime_r(&t, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        if (nsec <= 0)
                return xasprintf("%sZ", buf);
        snprintf(frac, sizeof(frac), "%09ld", nsec);
        n = strlen(frac);
        while (n > 0 && frac[n - 1] == '0')
                frac[--n] = '\0';
        return xasprintf("%s.%sZ", buf, frac);
}

char *
container_path_stat_header(const struct container_path_stat *st)
{
        cleanup_json struct json_object *o = json_object_new_object();
        cleanup_free char *mtime = container_path_rfc3339nano(st->mtime_sec, st->mtime_nsec);
        const char *text;

        json_object_object_add(o, "name", json_object_new_string(st->name));
        json_object_object_add(o, "size", json_object_new_int64(st->size));
        json_object_object_add(o, "mode", json_object_new_int64(container_path_go_mode(st->mode)));
        json_object_object_add(o, "mtime", json_object_new_string(mtime));
        json_object_object_add(o, "linkTarget",
                               json_object_new_string(st->link_target ? st->link_target : ""));
        text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN
                                                         | JSON_C_TO_STRING_NOSLASHESCAPE);
        return registry_base64_encode(text, strlen(text), false);
}

enum container_change_kind
container_change_kind_of(mode_t upper_mode, dev_t upper_rdev, bool in_lower)
{
        if (S_ISCHR(upper_mode) && major(upper_rdev) == 0 && minor(upper_rdev) == 0)
                return CONTAINER_CHANGE_DELETED;
        return in_lower ? CONTAINER_CHANGE_MODIFIED : CONTAINER_CHANGE_ADDED;
}
