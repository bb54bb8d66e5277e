/* supervisor/containers/user.c: user and group names to IDs from the image's own files. */
#include <config.h>

#include "supervisor/containers/user.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/strv.h"
#include "lib/xalloc.h"

void
container_user_done(struct container_user *u)
{
        if (u == NULL)
                return;
        free(u->additional);
        memset(u, 0, sizeof(*u));
}

static bool
parse_id(const char *s, unsigned long *ret)
{
        char *end = NULL;
        unsigned long v;

        if (s == NULL || *s < '0' || *s > '9')
                return false;
        errno = 0;
        v = strtoul(s, &end, 10);
        if (errno != 0 || *end != '\0' || v > 0x7fffffffUL)
                return false;
        *ret = v;
        return true;
}

/* The colon-separated fields of each line of BUF; FN returns true to stop. */
static bool
each_line(const char *buf, bool (*fn)(char **f, size_t n, void *ud), void *ud)
{
        const char *p = buf;

        while (p && *p) {
                const char *nl = strchr(p, '\n');
                size_t len = nl ? (size_t) (nl - p) : strlen(p);
                cleanup_free char *line = xstrndup(p, len);
                char *f[8] = {0}, *save = line;
                size_t n = 0;

                p = nl ? nl + 1 : NULL;
                if (line[0] == '\0' || line[0] == '#')
                        continue;
                while (n < 8) {
                        char *c = strchr(save, ':');
                        f[n++] = save;
                        if (c == NULL)
                                break;
                        *c = '\0';
                        save = c + 1;
                }
                if (fn(f, n, ud))
                        return true;
        }
        return false;
}

struct pw_query {
        const char *name; /* by name, or */
        unsigned long id; /* by uid when name is NULL */
        char *found_name;
        unsigned long uid, gid;
        bool found;
};

static bool
pw_match(char **f, size_t n, void *ud)
{
        struct pw_query *q = ud;
        unsigned long uid, gid;

        if (n < 4 || !parse_id(f[2], &uid) || !parse_id(f[3], &gid))
                return false;
        if (q->name ? strcmp(f[0], q->name) != 0 : uid != q->id)
                return false;
        q->found = true;
        q->found_name = xstrdup(f[0]);
        q->uid = uid;
        q->gid = gid;
        return true;
}

struct gr_query {
        const char *name;
        unsigned long id;
        bool found;
        unsigned long gid;
};

static bool
gr_match(char **f, size_t n, void *ud)
{
        struct gr_query *q = ud;
        unsigned long gid;

        if (n < 3 || !parse_id(f[2], &gid))
                return false;
        if (q->name ? strcmp(f[0], q->name) != 0 : gid != q->id)
                return false;
        q->found = true;
        q->gid = gid;
        return true;
}

struct member_query {
        const char *user;
        struct container_user *u;
};

static void
add_gid(struct container_user *u, gid_t g)
{
        for (size_t i = 0; i < u->n_additional; i++)
                if (u->additional[i] == g)
                        return;
        u->additional = xreallocarray(u->additional, u->n_additional + 1, sizeof(gid_t));
        u->additional[u->n_additional++] = g;
}

static bool
member_of(char **f, size_t n, void *ud)
{
        struct member_query *q = ud;
        unsigned long gid;
        cleanup_free char *members = NULL;
        char *save = NULL, *tok;

        if (n < 4 || !parse_id(f[2], &gid) || f[3][0] == '\0')
                return false;
        members = xstrdup(f[3]);
        for (tok = strtok_r(members, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
                if (strcmp(tok, q->user) == 0)
                        add_gid(q->u, (gid_t) gid);
        return false;
}

/* A group name or number to a gid: numbers need no entry, names must have one. */
static int
group_id(const char *g, const char *group, gid_t *ret, berth_error_t **err)
{
        struct gr_query q = {.name = g};
        unsigned long v;

        if (parse_id(g, &v)) {
                *ret = (gid_t) v;
                return 0;
        }
        if (group)
                each_line(group, gr_match, &q);
        if (!q.found)
                return berth_error_new(err, EINVAL,
                                       "unable to find group %s: no matching entries in group file",
                                       g);
        *ret = (gid_t) q.gid;
        return 0;
}

int
container_user_resolve(const char *user, char *const *group_add, const char *passwd,
                       const char *group, struct container_user *ret, berth_error_t **err)
{
        cleanup_free char *u = xstrdup(user ? user : "");
        char *gpart = strchr(u, ':');
        struct container_user out = {0};
        struct pw_query q = {0};
        unsigned long v;
        int r;

        if (gpart)
                *gpart++ = '\0';
        /* The default user is root (uid 0); its entry, when present, names it for groups. */
        if (u[0] == '\0' || parse_id(u, &v)) {
                q.id = u[0] == '\0' ? 0 : v;
                if (passwd)
                        each_line(passwd, pw_match, &q);
                out.uid = (uid_t) q.id;
                out.gid = q.found ? (gid_t) q.gid : 0;
        } else {
                q.name = u;
                if (passwd)
                        each_line(passwd, pw_match, &q);
                if (!q.found)
                        return berth_error_new(
                                err, EINVAL,
                                "unable to find user %s: no matching entries in passwd file", u);
                out.uid = (uid_t) q.uid;
                out.gid = (gid_t) q.gid;
        }
        if (gpart && gpart[0]) {
                r = group_id(gpart, group, &out.gid, err);
                if (r < 0) {
                        free(q.found_name);
                        return r;
                }
        } else if (q.found && group) {
                /* Supplementary groups come from membership only when no group was given
                 * (runc's GetExecUser). */
                struct member_query mq = {.user = q.found_name, .u = &out};
                each_line(group, member_of, &mq);
        }
        free(q.found_name);
        strv_foreach(g, group_add) {
                gid_t gid;
                r = group_id(g, group, &gid, err);
                if (r < 0) {
                        container_user_done(&out);
                        return r;
                }
                add_gid(&out, gid);
        }
        *ret = out;
        return 0;
}
