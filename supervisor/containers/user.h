/* supervisor/containers/user.h: docker's --user and --group-add against the image's /etc/passwd
 * and /etc/group (the rules of runc's user.GetExecUser, which dockerd uses). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "lib/error.h"

struct container_user {
        uid_t uid;
        gid_t gid;
        gid_t *additional; /* supplementary groups: the user's memberships, then GROUP_ADD */
        size_t n_additional;
};

void container_user_done(struct container_user *u);

/* Resolve USER ("", "name", "uid", "name:group", "uid:gid", …) and GROUP_ADD (names or gids)
 * against PASSWD and GROUP (file contents; NULL: the file is missing). Pure. -EINVAL with
 * docker's text: "unable to find user NAME: no matching entries in passwd file". */
int container_user_resolve(const char *user, char *const *group_add, const char *passwd,
                           const char *group, struct container_user *ret, berth_error_t **err);
