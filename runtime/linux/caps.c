/* runtime/linux/caps.c: capabilities, in runc's order (keep-caps across setuid, then capset). */
#include <config.h>

#include "runtime/linux/caps.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "lib/fs.h"
#include "lib/log.h"

unsigned
caps_last_cap(void)
{
        cleanup_free char *buf = NULL;

        if (fs_read_file(AT_FDCWD, "/proc/sys/kernel/cap_last_cap", &buf, NULL, NULL) < 0)
                return CAP_LAST_CAP;
        return (unsigned) strtoul(buf, NULL, 10);
}

static int
parse_set(char *const *names, const char *set, unsigned last_cap, uint64_t *out,
          berth_error_t **err)
{
        const struct jpath *at = JPATH_KEY(JPATH_KEY(JPATH_KEY(NULL, "process"), "capabilities"), set);

        for (size_t i = 0; names && names[i]; i++) {
                cap_value_t v;
                if (strncmp(names[i], "CAP_", 4) != 0 || cap_from_name(names[i], &v) < 0) {
                        /* libcap knows names newer than itself only as numbers: check the
                         * kernel's list before calling a name unknown. */
                        return json_error(err, JPATH_IDX(at, i), "unknown capability \"%s\"", names[i]);
                }
                if ((unsigned) v > last_cap) {
                        log_warn("process.capabilities.%s[%zu]: capability \"%s\" is not supported by this kernel, ignoring",
                                 set, i, names[i]);
                        continue;
                }
                *out |= 1ULL << v;
        }
        return 0;
}

int
caps_parse(const struct spec_capabilities *c, unsigned last_cap, struct caps_sets *ret,
           berth_error_t **err)
{
        int r;

        /* No "capabilities" means no capabilities at all, as runc 1.1 does it. */
        memset(ret, 0, sizeof(*ret));
        ret->present = true;
        if ((r = parse_set(c->bounding, "bounding", last_cap, &ret->bounding, err)) < 0)
                return r;
        if ((r = parse_set(c->effective, "effective", last_cap, &ret->effective, err)) < 0)
                return r;
        if ((r = parse_set(c->inheritable, "inheritable", last_cap, &ret->inheritable, err)) < 0)
                return r;
        if ((r = parse_set(c->permitted, "permitted", last_cap, &ret->permitted, err)) < 0)
                return r;
        if ((r = parse_set(c->ambient, "ambient", last_cap, &ret->ambient, err)) < 0)
                return r;
        return 0;
}

int
caps_prepare(const struct caps_sets *s, unsigned last_cap, berth_error_t **err)
{
        if (!s->present)
                return 0;
        for (unsigned c = 0; c <= last_cap; c++) {
                if (s->bounding & (1ULL << c))
                        continue;
                if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
                        return berth_error_sys(err, errno, "process.capabilities.bounding: drop %u", c);
        }
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return berth_error_sys(err, errno, "keep capabilities across setuid");
        return 0;
}

int
caps_apply(const struct caps_sets *s, unsigned last_cap, berth_error_t **err)
{
        cap_t caps;
        int r = 0;

        if (!s->present)
                return 0;
        if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
                return berth_error_sys(err, errno, "reset keep-caps");
        caps = cap_init();
        if (!caps)
                return berth_error_sys(err, errno, "cap_init");
        for (unsigned c = 0; c <= last_cap; c++) {
                cap_value_t v = (cap_value_t) c;
                if (s->effective & (1ULL << c))
                        cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
                if (s->permitted & (1ULL << c))
                        cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
                if (s->inheritable & (1ULL << c))
                        cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
        }
        if (cap_set_proc(caps) < 0)
                r = berth_error_sys(err, errno, "process.capabilities: set effective, permitted and inheritable");
        cap_free(caps);
        if (r < 0)
                return r;
        /* Ambient needs each cap in permitted and inheritable already (kernel rule). */
        for (unsigned c = 0; c <= last_cap; c++) {
                if (!(s->ambient & (1ULL << c)))
                        continue;
                if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0) {
                        /* runc ignores a failed raise (its ambient list often holds caps
                         * missing from inheritable). */
                        log_debug("process.capabilities.ambient: raise %u: %s, ignoring", c, strerror(errno));
                }
        }
        return 0;
}
