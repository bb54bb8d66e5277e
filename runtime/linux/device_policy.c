/* runtime/linux/device_policy.c: device rules replayed as the cgroup v1 devices controller takes
 * them (security/device_cgroup.c: devcgroup_update_access), into a default verdict plus
 * exceptions. */
#include <config.h>

#include "runtime/linux/device_policy.h"

#include <string.h>

#include "lib/json.h"
#include "lib/xalloc.h"

/* runc 1.1's list, as its containers' devices.list shows it: no /dev/console (c 5:1), which is
 * the terminal's pty (c 136:*) when there is one. */
const struct spec_device_rule device_default_rules[] = {
        /* mknod of any node; using one still needs a rule of its own */
        {.allow = true, .type = 'c', .major = -1, .minor = -1, .access = "m"},
        {.allow = true, .type = 'b', .major = -1, .minor = -1, .access = "m"},
        {.allow = true, .type = 'c', .major = 1, .minor = 3, .access = "rwm"}, /* /dev/null */
        {.allow = true, .type = 'c', .major = 1, .minor = 8, .access = "rwm"}, /* /dev/random */
        {.allow = true, .type = 'c', .major = 1, .minor = 7, .access = "rwm"}, /* /dev/full */
        {.allow = true, .type = 'c', .major = 5, .minor = 0, .access = "rwm"}, /* /dev/tty */
        {.allow = true, .type = 'c', .major = 1, .minor = 5, .access = "rwm"}, /* /dev/zero */
        {.allow = true, .type = 'c', .major = 1, .minor = 9, .access = "rwm"}, /* /dev/urandom */
        /* the /dev/pts nodes */
        {.allow = true, .type = 'c', .major = 136, .minor = -1, .access = "rwm"},
        {.allow = true, .type = 'c', .major = 5, .minor = 2, .access = "rwm"},    /* /dev/ptmx */
        {.allow = true, .type = 'c', .major = 10, .minor = 200, .access = "rwm"}, /* /dev/net/tun */
};
const size_t device_default_rules_n =
        sizeof(device_default_rules) / sizeof(device_default_rules[0]);

unsigned
device_access_bits(const char *access)
{
        unsigned bits = 0;

        for (const char *c = access; *c; c++) {
                if (*c == 'r')
                        bits |= DEVICE_ACC_READ;
                else if (*c == 'w')
                        bits |= DEVICE_ACC_WRITE;
                else if (*c == 'm')
                        bits |= DEVICE_ACC_MKNOD;
        }
        return bits;
}

void
device_policy_done(struct device_policy *p)
{
        free(p->ex);
        p->ex = NULL;
        p->n = 0;
}

static struct device_exception *
find_exact(struct device_policy *p, char type, int64_t major, int64_t minor)
{
        for (size_t i = 0; i < p->n; i++) {
                if (p->ex[i].type == type && p->ex[i].major == major && p->ex[i].minor == minor)
                        return &p->ex[i];
        }
        return NULL;
}

static char *
format_rule(char type, int64_t major, int64_t minor, unsigned access)
{
        char maj[24] = "*", min[24] = "*", acc[4];
        size_t k = 0;

        if (major >= 0)
                snprintf(maj, sizeof(maj), "%lld", (long long) major);
        if (minor >= 0)
                snprintf(min, sizeof(min), "%lld", (long long) minor);
        if (access & DEVICE_ACC_READ)
                acc[k++] = 'r';
        if (access & DEVICE_ACC_WRITE)
                acc[k++] = 'w';
        if (access & DEVICE_ACC_MKNOD)
                acc[k++] = 'm';
        acc[k] = '\0';
        return xasprintf("%c %s:%s %s", type, maj, min, acc);
}

/* The kernel removes access only from the exception with exactly the rule's numbers, so taking
 * "c 1:5 r" away from "c *:* rwm" silently does nothing. runc refuses such a rule rather than
 * leave a device open that the user meant to close (devices_emulator.go, rmRule); so do we. */
static int
check_no_wildcard_overlap(const struct device_policy *p, const struct spec_device_rule *d,
                          unsigned access, const struct jpath *at, berth_error_t **err)
{
        const int64_t wider[3][2] = {{-1, d->minor}, {d->major, -1}, {-1, -1}};

        for (size_t k = 0; k < 3; k++) {
                if (wider[k][0] == d->major && wider[k][1] == d->minor)
                        continue;
                for (size_t i = 0; i < p->n; i++) {
                        const struct device_exception *e = &p->ex[i];
                        if (e->type != d->type || e->major != wider[k][0] || e->minor != wider[k][1]
                            || !(e->access & access))
                                continue;
                        cleanup_free char *mine = format_rule(d->type, d->major, d->minor, access);
                        cleanup_free char *theirs =
                                format_rule(e->type, e->major, e->minor, e->access);
                        const char *verb = d->allow ? "allow" : "deny";
                        if (!at)
                                return berth_error_new(
                                        err, EINVAL,
                                        "linux.resources.devices: runc's default rule %s \"%s\" cannot punch a hole in the earlier wildcard rule \"%s\"",
                                        verb, mine, theirs);
                        return json_error(
                                err, at,
                                "%s \"%s\" cannot punch a hole in the earlier wildcard rule \"%s\"",
                                verb, mine, theirs);
                }
        }
        return 0;
}

/* One rule, as devcgroup_update_access takes a devices.allow (ALLOW) or devices.deny line. */
static int
apply_rule(struct device_policy *p, const struct spec_device_rule *d, const struct jpath *at,
           berth_error_t **err)
{
        unsigned access = device_access_bits(d->access);
        struct device_exception *e;
        int r;

        if (d->type == 'a') {
                /* "a" is every device with every access, whatever else the line says. */
                p->default_allow = d->allow;
                p->n = 0;
                return 0;
        }
        if (access == 0)
                return 0;
        e = find_exact(p, d->type, d->major, d->minor);
        if (d->allow == p->default_allow) {
                r = check_no_wildcard_overlap(p, d, access, at, err);
                if (r < 0)
                        return r;
                if (!e)
                        return 0;
                e->access &= ~access;
                if (e->access == 0) {
                        size_t i = (size_t) (e - p->ex);
                        memmove(&p->ex[i], &p->ex[i + 1], (p->n - i - 1) * sizeof(p->ex[0]));
                        p->n--;
                }
                return 0;
        }
        if (e) {
                e->access |= access;
                return 0;
        }
        p->ex = xreallocarray(p->ex, p->n + 1, sizeof(p->ex[0]));
        p->ex[p->n++] = (struct device_exception){
                .type = d->type,
                .major = d->major,
                .minor = d->minor,
                .access = access,
        };
        return 0;
}

int
device_policy_build(const struct spec_device_rule *rules, size_t n, struct device_policy *ret,
                    berth_error_t **err)
{
        const struct jpath *devices =
                JPATH_KEY(JPATH_KEY(JPATH_KEY(NULL, "linux"), "resources"), "devices");
        /* A new v1 cgroup allows everything until told otherwise; so does an empty rule list. */
        struct device_policy p = {.default_allow = true};
        int r;

        for (size_t i = 0; i < n; i++) {
                r = apply_rule(&p, &rules[i], JPATH_IDX(devices, i), err);
                if (r < 0) {
                        device_policy_done(&p);
                        return r;
                }
        }
        for (size_t i = 0; i < device_default_rules_n; i++) {
                r = apply_rule(&p, &device_default_rules[i], NULL, err);
                if (r < 0) {
                        device_policy_done(&p);
                        return r;
                }
        }
        *ret = p;
        return 0;
}

bool
device_policy_allows(const struct device_policy *p, char type, uint32_t major, uint32_t minor,
                     unsigned access)
{
        for (size_t i = 0; i < p->n; i++) {
                const struct device_exception *e = &p->ex[i];
                if (e->type != type)
                        continue;
                if (e->major >= 0 && (uint32_t) e->major != major)
                        continue;
                if (e->minor >= 0 && (uint32_t) e->minor != minor)
                        continue;
                if (access & ~e->access)
                        continue;
                return !p->default_allow;
        }
        return p->default_allow;
}
