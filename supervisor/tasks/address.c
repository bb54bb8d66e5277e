/* supervisor/tasks/address.c: task ids, task paths and shim addresses; see address.h. */
#include <config.h>

#include "supervisor/tasks/address.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/un.h>

#include "lib/xalloc.h"

#define TASK_ID_MAX 76

int
task_id_validate(const char *what, const char *id, berth_error_t **err)
{
        size_t n = id ? strlen(id) : 0;
        bool after_sep = true; /* the first character must be alphanumeric */

        if (n == 0)
                return berth_error_new(err, EINVAL, "%s must not be empty", what);
        if (n > TASK_ID_MAX)
                return berth_error_new(err, EINVAL, "%s \"%s\" is longer than %d characters", what,
                                       id, TASK_ID_MAX);
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) id[i];
                if (isascii(c) && isalnum(c)) {
                        after_sep = false;
                        continue;
                }
                if ((c == '.' || c == '_' || c == '-') && !after_sep) {
                        after_sep = true;
                        continue;
                }
                return berth_error_new(err, EINVAL,
                                       "%s \"%s\": must match [A-Za-z0-9]+([._-][A-Za-z0-9]+)*",
                                       what, id);
        }
        if (after_sep)
                return berth_error_new(err, EINVAL,
                                       "%s \"%s\": must match [A-Za-z0-9]+([._-][A-Za-z0-9]+)*",
                                       what, id);
        return 0;
}

char *
task_bundle_path_build(const char *exec_root, const char *ns, const char *id)
{
        return xasprintf("%s/tasks/%s/%s", exec_root, ns, id);
}

char *
task_runtime_root_build(const char *exec_root)
{
        return xasprintf("%s/runtime", exec_root);
}

int
task_address_parse(const char *text, char **ret_path, bool *ret_abstract, berth_error_t **err)
{
        const char *p = text ? text : "";
        size_t n;
        bool abstract = false;

        while (*p && isspace((unsigned char) *p))
                p++;
        n = strlen(p);
        while (n > 0 && isspace((unsigned char) p[n - 1]))
                n--;
        if (n >= 7 && strncmp(p, "unix://", 7) == 0) {
                p += 7;
                n -= 7;
        } else {
                /* containerd 1.6's dialer: anything without the scheme is an abstract name. */
                abstract = true;
                if (n > 0 && p[0] == '@') {
                        p++;
                        n--;
                }
        }
        if (n == 0)
                return berth_error_new(err, EINVAL, "shim address \"%s\" is empty",
                                       text ? text : "");
        if (n >= sizeof(((struct sockaddr_un *) 0)->sun_path) - (abstract ? 1 : 0))
                return berth_error_new(
                        err, EINVAL, "shim address \"%.*s\" is too long for a socket", (int) n, p);
        if (!abstract && p[0] != '/')
                return berth_error_new(err, EINVAL, "shim address \"%.*s\": not an absolute path",
                                       (int) n, p);
        *ret_path = xstrndup(p, n);
        *ret_abstract = abstract;
        return 0;
}
