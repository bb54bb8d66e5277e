/* supervisor/containers/list.c: docker ps's filters (moby daemon/list.go) and the list and
 * inspect shapes of API 1.41, over container records. */
#include <config.h>

#include "supervisor/containers/list.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/health.h"
#include "supervisor/containers/volumes.h"

static const char *
get_str(struct json_object *o, const char *key)
{
        struct json_object *v = json_key(o, key);
        if (v == NULL || !json_object_is_type(v, json_type_string))
                return "";
        return json_object_get_string(v);
}

static bool
strv_contains(char *const *v, const char *s)
{
        strv_foreach(x, v)
                if (strcmp(x, s) == 0)
                        return true;
        return false;
}

static const char *const filter_keys[] = {
        "id",     "name",    "label",  "status",  "ancestor", "before",    "since",   "exited",
        "health", "network", "volume", "publish", "expose",   "isolation", "is-task", NULL};
static const char *const statuses[] = {"created", "restarting", "running", "removing",
                                       "paused",  "exited",     "dead",    NULL};

void
container_list_filter_values(struct json_object *filters, const char *key, char ***ret)
{
        struct json_object *v = json_key(filters, key);

        if (v && json_object_is_type(v, json_type_object)) {
                json_object_object_foreach(v, k, val) {
                        (void) val;
                        strv_push(ret, k);
                }
        } else if (v && json_object_is_type(v, json_type_array)) {
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        struct json_object *s = json_object_array_get_idx(v, i);
                        if (json_object_is_type(s, json_type_string))
                                strv_push(ret, json_object_get_string(s));
                }
        }
}

int
container_list_check_filters(struct json_object *filters, berth_error_t **err)
{
        cleanup_strv char **st = NULL;

        if (filters == NULL)
                return 0;
        if (!json_object_is_type(filters, json_type_object))
                return berth_error_new(err, EINVAL, "invalid filter: expected a JSON object");
        json_object_object_foreach(filters, k, v) {
                bool known = false;
                (void) v;
                for (size_t i = 0; filter_keys[i]; i++)
                        known |= strcmp(filter_keys[i], k) == 0;
                if (!known)
                        return berth_error_new(err, EINVAL, "Invalid filter '%s'", k);
        }
        container_list_filter_values(filters, "status", &st);
        strv_foreach(s, st) {
                bool ok = false;
                for (size_t i = 0; statuses[i]; i++)
                        ok |= strcmp(statuses[i], s) == 0;
                if (!ok)
                        return berth_error_new(err, EINVAL,
                                               "Unrecognised filter value for status: %s", s);
        }
        return 0;
}

/* docker's filters.Match: each value is a regular expression searched in SOURCE (Go's RE2; POSIX
 * extended here, which agrees on the plain names and anchors people use). */
static bool
match_any(char *const *patterns, const char *source)
{
        strv_foreach(p, patterns) {
                regex_t re;
                bool hit;
                if (strcmp(p, source) == 0)
                        return true;
                if (regcomp(&re, p, REG_EXTENDED | REG_NOSUB) != 0)
                        continue;
                hit = regexec(&re, source, 0, NULL, 0) == 0;
                regfree(&re);
                if (hit)
                        return true;
        }
        return false;
}

static bool
labels_match(char *const *wanted, struct json_object *labels)
{
        strv_foreach(w, wanted) {
                const char *eq = strchr(w, '=');
                cleanup_free char *key = eq ? xstrndup(w, (size_t) (eq - w)) : xstrdup(w);
                struct json_object *v = json_key(labels, key);
                if (v == NULL && !(labels && json_object_object_get_ex(labels, key, NULL)))
                        return false;
                if (eq && strcmp(v ? json_object_get_string(v) : "", eq + 1) != 0)
                        return false;
        }
        return true;
}

static const char *
status_of(struct json_object *rec)
{
        const char *s = get_str(json_key(rec, "State"), "Status");
        return s[0] ? s : "created";
}

/* moby's health filter value: the Health status, "none" without a healthcheck. */
static const char *
health_of(struct json_object *rec)
{
        const char *s = get_str(json_key(json_key(rec, "State"), "Health"), "Status");
        return s[0] ? s : "none";
}

static bool
is_running(struct json_object *rec)
{
        struct json_object *r = json_key(json_key(rec, "State"), "Running");
        return r && json_object_get_boolean(r);
}

/* The record a before/since value names (ID, name, prefix), or NULL. */
static struct json_object *
find(struct json_object *records, const char *ref)
{
        size_t n = json_object_array_length(records), len = strlen(ref);
        struct json_object *prefix = NULL;
        const char *bare = ref[0] == '/' ? ref + 1 : ref;

        for (size_t i = 0; i < n; i++) {
                struct json_object *r = json_object_array_get_idx(records, i);
                const char *id = get_str(r, "Id"), *name = get_str(r, "Name");
                if (strcmp(id, ref) == 0 || strcmp(name[0] == '/' ? name + 1 : name, bare) == 0)
                        return r;
                if (len && strncmp(id, ref, len) == 0)
                        prefix = r;
        }
        return prefix;
}

int
container_list_select(struct json_object *records, const struct container_list_opts *opts,
                      struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *out = json_object_new_array();
        cleanup_strv char **ids = NULL, **names = NULL, **labels = NULL, **st = NULL;
        cleanup_strv char **before = NULL, **since = NULL, **anc = NULL, **health = NULL;
        const char *before_t = NULL, *since_t = NULL;
        size_t n = json_object_array_length(records);
        bool all = opts->all || opts->limit > 0;
        int r;

        r = container_list_check_filters(opts->filters, err);
        if (r < 0)
                return r;
        container_list_filter_values(opts->filters, "id", &ids);
        container_list_filter_values(opts->filters, "name", &names);
        container_list_filter_values(opts->filters, "label", &labels);
        container_list_filter_values(opts->filters, "status", &st);
        container_list_filter_values(opts->filters, "before", &before);
        container_list_filter_values(opts->filters, "since", &since);
        container_list_filter_values(opts->filters, "ancestor", &anc);
        container_list_filter_values(opts->filters, "health", &health);
        strv_foreach(hv, health) {
                if (strcmp(hv, "starting") != 0 && strcmp(hv, "healthy") != 0
                    && strcmp(hv, "unhealthy") != 0 && strcmp(hv, "none") != 0)
                        return berth_error_new(err, EINVAL,
                                               "Unrecognised filter value for health: %s", hv);
        }
        /* A status filter looks at every container (moby: a status filter implies --all). */
        if (st)
                all = true;
        strv_foreach(b, before) {
                struct json_object *x = find(records, b);
                if (x == NULL)
                        return berth_error_new(err, ENOENT, "No such container: %s", b);
                before_t = get_str(x, "Created");
        }
        strv_foreach(s, since) {
                struct json_object *x = find(records, s);
                if (x == NULL)
                        return berth_error_new(err, ENOENT, "No such container: %s", s);
                since_t = get_str(x, "Created");
                all = true;
        }
        if (before_t)
                all = true;
        for (size_t k = n; k-- > 0;) {
                struct json_object *rec = json_object_array_get_idx(records, k);
                const char *created = get_str(rec, "Created");
                if (!all && !is_running(rec))
                        continue;
                if (ids && !match_any(ids, get_str(rec, "Id")))
                        continue;
                if (names && !match_any(names, get_str(rec, "Name")))
                        continue;
                if (labels && !labels_match(labels, json_key(json_key(rec, "Config"), "Labels")))
                        continue;
                if (st && !strv_contains(st, status_of(rec)))
                        continue;
                if (anc && !strv_contains(opts->ancestor_ids, get_str(rec, "Image")))
                        continue;
                if (health && !strv_contains(health, health_of(rec)))
                        continue;
                if (before_t && strcmp(created, before_t) >= 0)
                        continue;
                if (since_t && strcmp(created, since_t) <= 0)
                        continue;
                json_object_array_add(out, json_object_get(rec));
                if (opts->limit > 0 && (int64_t) json_object_array_length(out) >= opts->limit)
                        break;
        }
        *ret = TAKE_PTR(out);
        return 0;
}

static long long
unix_of(const char *rfc3339)
{
        struct tm tm = {0};
        if (rfc3339 == NULL || strptime(rfc3339, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
                return 0;
        return (long long) timegm(&tm);
}

/* docker's units.HumanDuration. */
static char *
human_duration(int64_t s)
{
        if (s < 1)
                return xstrdup("Less than a second");
        if (s == 1)
                return xstrdup("1 second");
        if (s < 60)
                return xasprintf("%lld seconds", (long long) s);
        if (s / 60 == 1)
                return xstrdup("About a minute");
        if (s < 3600)
                return xasprintf("%lld minutes", (long long) (s / 60));
        if ((s + 1800) / 3600 == 1)
                return xstrdup("About an hour");
        if (s < 48 * 3600)
                return xasprintf("%lld hours", (long long) ((s + 1800) / 3600));
        if (s < 7 * 24 * 3600 * 2)
                return xasprintf("%lld days", (long long) (s / 86400));
        if (s < 30 * 24 * 3600 * 3)
                return xasprintf("%lld weeks", (long long) (s / (7 * 86400)));
        if (s < 365 * 24 * 3600 * 2)
                return xasprintf("%lld months", (long long) (s / (30 * 86400)));
        return xasprintf("%lld years", (long long) (s / (365 * 86400)));
}

char *
container_status_text(struct json_object *state, int64_t now)
{
        const char *s = get_str(state, "Status");
        int64_t code = json_object_get_int64(json_key(state, "ExitCode"));

        if (strcmp(s, "running") == 0 || strcmp(s, "paused") == 0) {
                cleanup_free char *d = human_duration(now - unix_of(get_str(state, "StartedAt")));
                const char *health = container_health_ps_text(state);
                if (strcmp(s, "paused") == 0)
                        return xasprintf("Up %s (Paused)", d);
                if (health)
                        return xasprintf("Up %s (%s)", d, health);
                return xasprintf("Up %s", d);
        }
        if (strcmp(s, "restarting") == 0) {
                cleanup_free char *d = human_duration(now - unix_of(get_str(state, "FinishedAt")));
                return xasprintf("Restarting (%lld) %s ago", (long long) code, d);
        }
        if (strcmp(s, "exited") == 0) {
                cleanup_free char *d = human_duration(now - unix_of(get_str(state, "FinishedAt")));
                return xasprintf("Exited (%lld) %s ago", (long long) code, d);
        }
        if (strcmp(s, "removing") == 0)
                return xstrdup("Removal In Progress");
        if (strcmp(s, "dead") == 0)
                return xstrdup("Dead");
        return xstrdup("Created");
}

static struct json_object *
copy(struct json_object *v)
{
        struct json_object *out = NULL;
        if (v == NULL)
                return NULL;
        json_object_deep_copy(v, &out, NULL);
        return out;
}

/* Mounts as inspect and ps show them: the binds of HostConfig.Binds and .Mounts. */
static struct json_object *
mounts_of(struct json_object *hc)
{
        struct json_object *out = json_object_new_array(), *binds = json_key(hc, "Binds");
        struct json_object *mounts = json_key(hc, "Mounts");

        for (size_t i = 0; binds && json_object_is_type(binds, json_type_array)
                           && i < json_object_array_length(binds);
             i++) {
                cleanup_free char *b =
                        xstrdup(json_object_get_string(json_object_array_get_idx(binds, i)));
                char *dst = strchr(b, ':'), *mode = NULL;
                struct json_object *m;
                if (dst == NULL || b[0] != '/')
                        continue; /* a volume: shown from the record's BerthVolumes */
                *dst++ = '\0';
                mode = strchr(dst, ':');
                if (mode)
                        *mode++ = '\0';
                m = json_object_new_object();
                json_object_object_add(m, "Type", json_object_new_string("bind"));
                json_object_object_add(m, "Source", json_object_new_string(b));
                json_object_object_add(m, "Destination", json_object_new_string(dst));
                json_object_object_add(m, "Mode", json_object_new_string(mode ? mode : ""));
                json_object_object_add(m, "RW",
                                       json_object_new_boolean(!(mode && strstr(mode, "ro"))));
                json_object_object_add(m, "Propagation", json_object_new_string("rprivate"));
                json_object_array_add(out, m);
        }
        for (size_t i = 0; mounts && json_object_is_type(mounts, json_type_array)
                           && i < json_object_array_length(mounts);
             i++) {
                struct json_object *x = json_object_array_get_idx(mounts, i), *m;
                struct json_object *ro = json_key(x, "ReadOnly");
                if (strcmp(get_str(x, "Type"), "bind") != 0)
                        continue;
                m = json_object_new_object();
                json_object_object_add(m, "Type", json_object_new_string("bind"));
                json_object_object_add(m, "Source", json_object_new_string(get_str(x, "Source")));
                json_object_object_add(m, "Destination",
                                       json_object_new_string(get_str(x, "Target")));
                json_object_object_add(m, "Mode", json_object_new_string(""));
                json_object_object_add(
                        m, "RW", json_object_new_boolean(!(ro && json_object_get_boolean(ro))));
                json_object_object_add(m, "Propagation", json_object_new_string("rprivate"));
                json_object_array_add(out, m);
        }
        return out;
}

/* "80/tcp" → 80 and "tcp" (a missing protocol is tcp); false when not a port. */
static bool
port_key_parse(const char *key, long *ret_port, const char **ret_proto)
{
        char *end;
        long n = strtol(key, &end, 10);

        if (end == key || n <= 0 || n > 65535 || (*end != '\0' && *end != '/'))
                return false;
        *ret_port = n;
        *ret_proto = *end == '/' && end[1] ? end + 1 : "tcp";
        return true;
}

struct json_object *
container_ports_build(struct json_object *config, struct json_object *host_config, bool running)
{
        struct json_object *out = json_object_new_object(),
                           *exposed = json_key(config, "ExposedPorts");
        struct json_object *bindings = json_key(host_config, "PortBindings");
        const char *mode = get_str(host_config, "NetworkMode");

        /* dockerd: a container without a network of its own (none, host, another container's)
         * has no endpoint to map ports on: {}. */
        if (!running)
                return out; /* dockerd maps ports when the network is joined, at start */
        if (mode
            && (strcmp(mode, "none") == 0 || strcmp(mode, "host") == 0
                || strncmp(mode, "container:", 10) == 0))
                return out;
        if (exposed && json_object_is_type(exposed, json_type_object)) {
                json_object_object_foreach(exposed, k, v) {
                        long port;
                        const char *proto;
                        (void) v;
                        if (port_key_parse(k, &port, &proto)) {
                                char key[32];
                                snprintf(key, sizeof(key), "%ld/%s", port, proto);
                                json_object_object_add(out, key, NULL);
                        }
                }
        }
        if (bindings && json_object_is_type(bindings, json_type_object)) {
                json_object_object_foreach(bindings, k, v) {
                        long port;
                        const char *proto;
                        char key[32];
                        if (!port_key_parse(k, &port, &proto)
                            || !json_object_is_type(v, json_type_array)
                            || json_object_array_length(v) == 0)
                                continue;
                        snprintf(key, sizeof(key), "%ld/%s", port, proto);
                        json_object_object_add(out, key, copy(v));
                }
        }
        return out;
}

/* /containers/json's Ports from the inspect map PORTS: an entry per binding, or one without a
 * public side for an exposed port. */
static struct json_object *
ports_summary(struct json_object *ports)
{
        struct json_object *out = json_object_new_array();

        json_object_object_foreach(ports, k, v) {
                long port;
                const char *proto;
                if (!port_key_parse(k, &port, &proto))
                        continue;
                if (v == NULL || json_object_array_length(v) == 0) {
                        struct json_object *e = json_object_new_object();
                        json_object_object_add(e, "PrivatePort", json_object_new_int64(port));
                        json_object_object_add(e, "Type", json_object_new_string(proto));
                        json_object_array_add(out, e);
                        continue;
                }
                for (size_t i = 0; i < json_object_array_length(v); i++) {
                        struct json_object *b = json_object_array_get_idx(v, i);
                        struct json_object *e = json_object_new_object();
                        const char *ip = get_str(b, "HostIp"), *hp = get_str(b, "HostPort");
                        json_object_object_add(e, "IP",
                                               json_object_new_string(ip && *ip ? ip : "0.0.0.0"));
                        json_object_object_add(e, "PrivatePort", json_object_new_int64(port));
                        json_object_object_add(
                                e, "PublicPort",
                                json_object_new_int64(hp ? strtol(hp, NULL, 10) : 0));
                        json_object_object_add(e, "Type", json_object_new_string(proto));
                        json_object_array_add(out, e);
                }
        }
        return out;
}

/* Binds and Mounts, then the volumes (containers/volumes.c). */
static struct json_object *
mounts_of_record(struct json_object *rec)
{
        struct json_object *out = mounts_of(json_key(rec, "HostConfig"));

        container_volumes_inspect(rec, out);
        return out;
}

struct json_object *
container_list_summary(struct json_object *rec, int64_t size_rw, int64_t size_root, int64_t now)
{
        struct json_object *o = json_object_new_object(), *names = json_object_new_array();
        struct json_object *hc = json_object_new_object(), *ns = json_object_new_object();
        struct json_object *args = json_key(rec, "Args"),
                           *labels = json_key(json_key(rec, "Config"), "Labels");
        cleanup_free char *cmd = xstrdup(get_str(rec, "Path"));
        cleanup_free char *status = container_status_text(json_key(rec, "State"), now);

        for (size_t i = 0; args && i < json_object_array_length(args); i++) {
                char *n = xasprintf("%s %s", cmd,
                                    json_object_get_string(json_object_array_get_idx(args, i)));
                free(cmd);
                cmd = n;
        }
        json_object_array_add(names, json_object_new_string(get_str(rec, "Name")));
        json_object_object_add(o, "Id", json_object_new_string(get_str(rec, "Id")));
        json_object_object_add(o, "Names", names);
        json_object_object_add(o, "Image",
                               json_object_new_string(get_str(json_key(rec, "Config"), "Image")));
        json_object_object_add(o, "ImageID", json_object_new_string(get_str(rec, "Image")));
        json_object_object_add(o, "Command", json_object_new_string(cmd));
        json_object_object_add(o, "Created",
                               json_object_new_int64(unix_of(get_str(rec, "Created"))));
        {
                cleanup_json struct json_object *ports = container_ports_build(
                        json_key(rec, "Config"), json_key(rec, "HostConfig"),
                        json_object_get_boolean(json_key(json_key(rec, "State"), "Running")));
                json_object_object_add(o, "Ports", ports_summary(ports));
        }
        if (size_rw >= 0) {
                json_object_object_add(o, "SizeRw", json_object_new_int64(size_rw));
                json_object_object_add(o, "SizeRootFs", json_object_new_int64(size_root));
        }
        json_object_object_add(o, "Labels", labels ? copy(labels) : json_object_new_object());
        json_object_object_add(o, "State", json_object_new_string(status_of(rec)));
        json_object_object_add(o, "Status", json_object_new_string(status));
        json_object_object_add(
                hc, "NetworkMode",
                json_object_new_string(get_str(json_key(rec, "HostConfig"), "NetworkMode")));
        json_object_object_add(o, "HostConfig", hc);
        json_object_object_add(ns, "Networks", json_object_new_object());
        json_object_object_add(o, "NetworkSettings", ns);
        json_object_object_add(o, "Mounts", mounts_of_record(rec));
        return o;
}

static struct json_object *
network_settings(struct json_object *rec)
{
        struct json_object *ns = json_object_new_object();
        static const char *const strs[] = {"Bridge",
                                           "SandboxID",
                                           "LinkLocalIPv6Address",
                                           "SandboxKey",
                                           "EndpointID",
                                           "Gateway",
                                           "GlobalIPv6Address",
                                           "IPAddress",
                                           "IPv6Gateway",
                                           "MacAddress",
                                           NULL};

        for (size_t i = 0; strs[i]; i++)
                json_object_object_add(ns, strs[i], json_object_new_string(""));
        json_object_object_add(ns, "HairpinMode", json_object_new_boolean(false));
        json_object_object_add(ns, "LinkLocalIPv6PrefixLen", json_object_new_int(0));
        json_object_object_add(
                ns, "Ports",
                container_ports_build(
                        json_key(rec, "Config"), json_key(rec, "HostConfig"),
                        json_object_get_boolean(json_key(json_key(rec, "State"), "Running"))));
        json_object_object_add(ns, "SecondaryIPAddresses", NULL);
        json_object_object_add(ns, "SecondaryIPv6Addresses", NULL);
        json_object_object_add(ns, "GlobalIPv6PrefixLen", json_object_new_int(0));
        json_object_object_add(ns, "IPPrefixLen", json_object_new_int(0));
        json_object_object_add(ns, "Networks", json_object_new_object());
        return ns;
}

struct json_object *
container_inspect_build(struct json_object *rec, const char *driver, const char *upper,
                        const char *lowers)
{
        static const char *const order[] = {
                "Id",    "Created",        "Path",         "Args",      "State",
                "Image", "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath",
                "Name",  "RestartCount",   "Driver",       "Platform",  NULL};
        struct json_object *o = json_object_new_object(), *gd = json_object_new_object();
        struct json_object *data = json_object_new_object();

        /* dockerd's member order, which people diff against. */
        for (size_t i = 0; order[i]; i++)
                json_object_object_add(o, order[i], copy(json_key(rec, order[i])));
        json_object_object_add(o, "MountLabel", json_object_new_string(""));
        json_object_object_add(o, "ProcessLabel", json_object_new_string(""));
        json_object_object_add(o, "AppArmorProfile", json_object_new_string(""));
        json_object_object_add(o, "ExecIDs", NULL);
        json_object_object_add(o, "HostConfig", copy(json_key(rec, "HostConfig")));
        if (upper) {
                cleanup_free char *base = xstrdup(upper);
                char *slash = strrchr(base, '/');
                if (slash)
                        *slash = '\0';
                if (lowers)
                        json_object_object_add(data, "LowerDir", json_object_new_string(lowers));
                if (strcmp(driver, "overlay2") == 0) {
                        cleanup_free char *merged = xasprintf("%s/merged", base);
                        cleanup_free char *work = xasprintf("%s/work", base);
                        json_object_object_add(data, "MergedDir", json_object_new_string(merged));
                        json_object_object_add(data, "UpperDir", json_object_new_string(upper));
                        json_object_object_add(data, "WorkDir", json_object_new_string(work));
                } else {
                        json_object_object_add(data, "Dir", json_object_new_string(upper));
                }
        }
        json_object_object_add(gd, "Data", data);
        json_object_object_add(gd, "Name", json_object_new_string(driver));
        json_object_object_add(o, "GraphDriver", gd);
        json_object_object_add(o, "Mounts", mounts_of_record(rec));
        json_object_object_add(o, "Config", copy(json_key(rec, "Config")));
        json_object_object_add(o, "NetworkSettings", network_settings(rec));
        return o;
}
