/* shim/cgroup_mounts.c: see cgroup_mounts.h. */
#include "shim/cgroup_mounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/cleanup.h"
#include "lib/xalloc.h"

struct shim_cgroup_mount *
shim_cgroup_mounts(const char *mountinfo, size_t *ret_n)
{
        struct shim_cgroup_mount *v = NULL;
        size_t n = 0;

        for (const char *l = mountinfo; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                const char *end = strchr(l, '\n');
                cleanup_free char *line = end ? strndup(l, (size_t) (end - l)) : xstrdup(l);
                char *sep = strstr(line, " - ");
                char fstype[32], source[256], opts[1024];
                if (!sep || sscanf(sep + 3, "%31s %255s %1023s", fstype, source, opts) != 3)
                        continue;
                bool v2 = strcmp(fstype, "cgroup2") == 0;
                if (!v2 && strcmp(fstype, "cgroup") != 0)
                        continue;
                /* field 5 is the mount point (cgroup mount points have no spaces) */
                char *f = line;
                for (int i = 0; i < 4 && f; i++)
                        if ((f = strchr(f, ' ')))
                                f++;
                if (!f)
                        continue;
                *strchrnul(f, ' ') = '\0';
                v = xreallocarray(v, n + 1, sizeof(*v));
                v[n++] = (struct shim_cgroup_mount){
                        .path = xstrdup(f), .v2 = v2, .options = xstrdup(opts)};
        }
        *ret_n = n;
        return v;
}

void
shim_cgroup_mounts_free(struct shim_cgroup_mount *m, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(m[i].path);
                free(m[i].options);
        }
        free(m);
}

bool
shim_cgroup_mount_has(const struct shim_cgroup_mount *m, const char *controller)
{
        size_t len = strlen(controller);

        if (m->v2)
                return false;
        for (const char *o = m->options; o; o = strchr(o, ',') ? strchr(o, ',') + 1 : NULL)
                if (strncmp(o, controller, len) == 0 && (o[len] == ',' || o[len] == '\0'))
                        return true;
        return false;
}
