/* supervisor/volumes/plan.c: volume mounts of a container from its Config and HostConfig (moby
 * volume/mounts/linux_parser.go's rules for `-v` and `--mount type=volume`, and
 * daemon/create_unix.go for the image's Volumes). */
#include <config.h>

#include "supervisor/volumes/plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/volumes/name.h"

static bool
is_array(struct json_object *a)
{
        return a && json_object_is_type(a, json_type_array);
}

bool
volume_plan_bind_is_volume(const char *bind)
{
        if (bind == NULL || bind[0] == '\0')
                return false;
        if (bind[0] != '/')
                return true;
        return strchr(bind, ':') == NULL;
}

static struct volume_mount *
add(struct volume_plan *p)
{
        p->mounts = xreallocarray(p->mounts, p->n + 1, sizeof(*p->mounts));
        p->mounts[p->n] = (struct volume_mount){.rw = true, .copy_data = true};
        return &p->mounts[p->n++];
}

/* A destination taken twice: dockerd's "Duplicate mount point: /d". */
static int
claim(char ***dests, const char *dst, berth_error_t **err)
{
        size_t n = strlen(dst);
        cleanup_free char *clean = xstrdup(dst);

        while (n > 1 && clean[n - 1] == '/')
                clean[--n] = '\0';
        strv_foreach(d, *dests) {
                if (strcmp(d, clean) == 0)
                        return berth_error_new(err, EINVAL, "Duplicate mount point: %s", clean);
        }
        strv_push(dests, clean);
        return 0;
}

/* MODE of a -v spec (moby's linuxValidMountMode for volumes): at most one of ro/rw, at most one
 * of nocopy, SELinux labels and consistency words; anything else is "invalid mode: MODE". */
static int
parse_mode(const char *mode, struct volume_mount *m, berth_error_t **err)
{
        cleanup_free char *copy = xstrdup(mode);
        int n_rw = 0, n_copy = 0;

        for (char *save = NULL, *t = strtok_r(copy, ",", &save); t;
             t = strtok_r(NULL, ",", &save)) {
                if (strcmp(t, "ro") == 0 || strcmp(t, "rw") == 0) {
                        n_rw++;
                        m->rw = strcmp(t, "rw") == 0;
                } else if (strcmp(t, "nocopy") == 0) {
                        n_copy++;
                        m->copy_data = false;
                } else if (!(strcmp(t, "z") == 0 || strcmp(t, "Z") == 0
                             || strcmp(t, "consistent") == 0 || strcmp(t, "cached") == 0
                             || strcmp(t, "delegated") == 0)) {
                        n_rw = 2;
                }
        }
        if (n_rw > 1 || n_copy > 1)
                return berth_error_new(err, EINVAL, "invalid mode: %s", mode);
        return 0;
}

/* "NAME:/dst[:mode]" or "/dst" in HostConfig.Binds. */
static int
parse_bind(const char *spec, struct volume_plan *p, char ***dests, berth_error_t **err)
{
        cleanup_free char *s = xstrdup(spec);
        char *dst = NULL, *mode = NULL;
        struct volume_mount *m;
        int r;

        if (s[0] == '/') {
                dst = s; /* a lone destination: an anonymous volume */
        } else {
                dst = strchr(s, ':');
                if (dst == NULL)
                        return berth_error_new(err, EINVAL, "invalid volume specification: '%s'",
                                               spec);
                *dst++ = '\0';
                mode = strchr(dst, ':');
                if (mode)
                        *mode++ = '\0';
                if (s[0] == '\0')
                        return berth_error_new(err, EINVAL, "invalid volume specification: '%s'",
                                               spec);
                r = volume_name_check(s, err);
                if (r < 0)
                        return r;
        }
        if (dst[0] != '/')
                return berth_error_new(
                        err, EINVAL,
                        "invalid volume specification: '%s': invalid mount config for type \"volume\": invalid mount path: '%s' mount path must be absolute",
                        spec, dst);
        if (strcmp(dst, "/") == 0)
                return berth_error_new(
                        err, EINVAL,
                        "invalid volume specification: '%s': invalid mount config for type \"volume\": invalid specification: destination can't be '/'",
                        spec);
        r = claim(dests, dst, err);
        if (r < 0)
                return r;
        m = add(p);
        m->name = s == dst ? NULL : xstrdup(s);
        m->anonymous = m->name == NULL;
        m->destination = xstrdup(dst);
        m->driver = xstrdup("local");
        /* dockerd gives a local volume of Binds without a mode "z" (setBindModeIfNull). */
        m->mode = xstrdup(mode && mode[0] ? mode : "z");
        if (mode)
                return parse_mode(mode, m, err);
        return 0;
}

static struct json_object *
copy_obj(struct json_object *o)
{
        struct json_object *out = NULL;

        if (o == NULL || !json_object_is_type(o, json_type_object))
                return NULL;
        json_object_deep_copy(o, &out, NULL);
        return out;
}

/* --mount type=volume,… (HostConfig.Mounts with Type "volume"). */
static int
parse_api_mount(struct json_object *x, struct volume_plan *p, char ***dests, berth_error_t **err)
{
        const char *src = json_key_str(x, "Source"), *dst = json_key_str(x, "Target");
        struct json_object *vo = json_key(x, "VolumeOptions"), *dc = json_key(vo, "DriverConfig");
        const char *driver = json_key_str(dc, "Name");
        struct volume_mount *m;
        int r;

        if (dst == NULL || dst[0] == '\0')
                return berth_error_new(
                        err, EINVAL,
                        "invalid mount config for type \"volume\": field Target must not be empty");
        if (dst[0] != '/')
                return berth_error_new(
                        err, EINVAL,
                        "invalid mount config for type \"volume\": invalid mount path: '%s' mount path must be absolute",
                        dst);
        if (json_key(x, "BindOptions")
            && json_object_is_type(json_key(x, "BindOptions"), json_type_object))
                return berth_error_new(
                        err, EINVAL,
                        "invalid mount config for type \"volume\": BindOptions must not be specified");
        if (src && src[0]) {
                r = volume_name_check(src, err);
                if (r < 0)
                        return r;
        }
        if (driver && driver[0] && strcmp(driver, "local") != 0)
                return berth_error_new(err, EOPNOTSUPP,
                                       "volume driver \"%s\": only the local driver is supported",
                                       driver);
        r = claim(dests, dst, err);
        if (r < 0)
                return r;
        m = add(p);
        m->name = src && src[0] ? xstrdup(src) : NULL;
        m->anonymous = m->name == NULL;
        m->destination = xstrdup(dst);
        m->driver = xstrdup("local");
        m->mode = xstrdup("z");
        m->rw = !json_object_get_boolean(json_key(x, "ReadOnly"));
        m->copy_data = !json_object_get_boolean(json_key(vo, "NoCopy"));
        m->driver_opts = copy_obj(json_key(dc, "Options"));
        m->labels = copy_obj(json_key(vo, "Labels"));
        return 0;
}

int
volume_plan_build(struct json_object *config, struct json_object *host_config,
                  struct volume_plan *ret, berth_error_t **err)
{
        return volume_plan_build_from(config, host_config, NULL, ret, err);
}

/* Inherited mounts (--volumes-from) whose destination no own mount takes, then those
 * destinations claimed (dockerd registers them first and lets Binds and Mounts replace them). */
static void
add_inherited(struct json_object *from, struct volume_plan *p, char ***dests)
{
        for (size_t i = 0; is_array(from) && i < json_object_array_length(from); i++) {
                struct json_object *x = json_object_array_get_idx(from, i);
                const char *name = json_key_str(x, "Name"), *dst = json_key_str(x, "Destination");
                const char *driver = json_key_str(x, "Driver");
                bool taken = false;
                struct volume_mount *m;
                if (name == NULL || dst == NULL)
                        continue;
                /* an own mount there wins; of two sources, the first */
                strv_foreach(d, *dests) {
                        taken |= strcmp(d, dst) == 0;
                }
                if (taken)
                        continue;
                m = add(p);
                m->name = xstrdup(name);
                m->destination = xstrdup(dst);
                m->driver = xstrdup(driver ? driver : "local");
                m->mode = xstrdup("");
                m->rw = json_object_get_boolean(json_key(x, "RW"));
                m->copy_data = false;
                m->anonymous = json_object_get_boolean(json_key(x, "Anonymous"));
                m->inherited = true;
                strv_push(dests, dst);
        }
}

int
volume_plan_build_from(struct json_object *config, struct json_object *host_config,
                       struct json_object *from, struct volume_plan *ret, berth_error_t **err)
{
        struct volume_plan p = {0};
        cleanup_strv char **dests = NULL;
        struct json_object *binds = json_key(host_config, "Binds"),
                           *mounts = json_key(host_config, "Mounts");
        struct json_object *vols = json_key(config, "Volumes"),
                           *tmpfs = json_key(host_config, "Tmpfs");
        int r = 0;

        /* Host-path binds and other mount types take their destinations first: an image volume
         * there is not made (dockerd skips Config.Volumes a mount already covers). */
        for (size_t i = 0; is_array(binds) && i < json_object_array_length(binds); i++) {
                const char *b = json_object_get_string(json_object_array_get_idx(binds, i));
                if (b == NULL || volume_plan_bind_is_volume(b))
                        continue;
                {
                        cleanup_free char *d = xstrdup(strchr(b, ':') + 1);
                        char *colon = strchr(d, ':');
                        if (colon)
                                *colon = '\0';
                        r = claim(&dests, d, err);
                        if (r < 0)
                                break;
                }
        }
        for (size_t i = 0; r >= 0 && is_array(mounts) && i < json_object_array_length(mounts);
             i++) {
                struct json_object *x = json_object_array_get_idx(mounts, i);
                const char *type = json_key_str(x, "Type"), *dst = json_key_str(x, "Target");
                if (type && strcmp(type, "volume") != 0 && dst)
                        r = claim(&dests, dst, err);
        }
        if (r >= 0 && tmpfs && json_object_is_type(tmpfs, json_type_object)) {
                json_object_object_foreach(tmpfs, d, v) {
                        (void) v;
                        r = claim(&dests, d, err);
                        if (r < 0)
                                break;
                }
        }
        for (size_t i = 0; r >= 0 && is_array(binds) && i < json_object_array_length(binds); i++) {
                const char *b = json_object_get_string(json_object_array_get_idx(binds, i));
                if (b && volume_plan_bind_is_volume(b))
                        r = parse_bind(b, &p, &dests, err);
        }
        for (size_t i = 0; r >= 0 && is_array(mounts) && i < json_object_array_length(mounts);
             i++) {
                struct json_object *x = json_object_array_get_idx(mounts, i);
                const char *type = json_key_str(x, "Type");
                if (type && strcmp(type, "volume") == 0)
                        r = parse_api_mount(x, &p, &dests, err);
        }
        if (r >= 0)
                add_inherited(from, &p, &dests);
        if (r >= 0 && vols && json_object_is_type(vols, json_type_object)) {
                json_object_object_foreach(vols, d, v) {
                        size_t n = strlen(d);
                        bool taken = false;
                        (void) v;
                        if (d[0] != '/') {
                                r = berth_error_new(
                                        err, EINVAL,
                                        "invalid volume specification: '%s': invalid mount config for type \"volume\": invalid mount path: '%s' mount path must be absolute",
                                        d, d);
                                break;
                        }
                        while (n > 1 && d[n - 1] == '/')
                                n--;
                        strv_foreach(t, dests) {
                                taken |= strlen(t) == n && strncmp(t, d, n) == 0;
                        }
                        if (taken)
                                continue;
                        struct volume_mount *m = add(&p);
                        m->destination = xstrndup(d, n);
                        m->driver = xstrdup("local");
                        m->mode = xstrdup("");
                        m->anonymous = true;
                        strv_push(&dests, m->destination);
                }
        }
        if (r < 0) {
                volume_plan_done(&p);
                return r;
        }
        *ret = p;
        return 0;
}

void
volume_plan_done(struct volume_plan *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->mounts[i].name);
                free(p->mounts[i].destination);
                free(p->mounts[i].driver);
                free(p->mounts[i].mode);
                json_object_put(p->mounts[i].driver_opts);
                json_object_put(p->mounts[i].labels);
        }
        free(p->mounts);
        *p = (struct volume_plan){0};
}
