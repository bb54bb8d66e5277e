/* supervisor/volumes/name.c: volume name rules (moby volume/local: validateName) and random
 * names for anonymous volumes. */
#include <config.h>

#include "supervisor/volumes/name.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "lib/xalloc.h"

static bool
alnum(char c)
{
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool
volume_name_valid(const char *name)
{
        size_t n = name ? strlen(name) : 0;

        if (n < 2 || !alnum(name[0]))
                return false;
        for (size_t i = 1; i < n; i++)
                if (!alnum(name[i]) && name[i] != '_' && name[i] != '.' && name[i] != '-')
                        return false;
        return true;
}

int
volume_name_check(const char *name, berth_error_t **err)
{
        if (volume_name_valid(name))
                return 0;
        if (strlen(name) == 1)
                return berth_error_new(
                        err, EINVAL,
                        "create %s: volume name is too short, names should be at least two alphanumeric characters",
                        name);
        return berth_error_new(
                err, EINVAL,
                "create %s: \"%s\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path",
                name, name);
}

char *
volume_name_generate(void)
{
        unsigned char b[32];
        size_t got = 0;
        char *out = xmalloc(65);

        while (got < sizeof(b)) {
                ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        abort(); /* getrandom cannot fail after early boot */
                got += (size_t) n;
        }
        for (size_t i = 0; i < sizeof(b); i++)
                snprintf(out + 2 * i, 3, "%02x", b[i]);
        return out;
}

bool
volume_name_is_generated(const char *name)
{
        if (name == NULL || strlen(name) != 64)
                return false;
        for (size_t i = 0; i < 64; i++)
                if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
                        return false;
        return true;
}
