/* supervisor/containers/service.c: container create, remove, rename and prune: the record in
 * LMDB, the read-write snapshot, and the files under <data-root>/containers/<id>/. Creation
 * happens under the image service's lock so that no rmi or collection runs between resolving
 * the image and recording the container that uses it. */
#include <config.h>

#include "supervisor/containers/service.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/config.h"
#include "supervisor/containers/etc_files.h"
#include "supervisor/containers/host_devices.h"
#include "supervisor/containers/ipc_shm.h"
#include "supervisor/containers/names.h"
#include "supervisor/containers/nsjoin.h"
#include "supervisor/containers/seccomp_host.h"
#include "supervisor/containers/spec.h"
#include "supervisor/containers/user.h"
#include "supervisor/containers/volumes.h"
#include "supervisor/images/reference.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/metadata/images.h"
#include "supervisor/snapshots/active.h"
#include "supervisor/snapshots/snapshotter.h"
#include "supervisor/volumes/plan.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

/* berth-init for --init: beside berthd (a build tree), else the installed one. */
static char *
init_binary_find(void)
{
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        if (n > 0) {
                exe[n] = '\0';
                char *slash = strrchr(exe, '/');
                if (slash) {
                        *slash = '\0';
                        char *cand = xasprintf("%s/berth-init", exe);
                        if (access(cand, X_OK) == 0)
                                return cand;
                        free(cand);
                }
        }
        if (access(LIBEXECDIR "/berth-init", X_OK) == 0)
                return xstrdup(LIBEXECDIR "/berth-init");
        return NULL;
}

void
container_service_init(struct container_service *svc, struct metadata_db *db,
                       struct image_service *images, struct snapshotter *snapshots,
                       const char *data_root, const char *exec_root, const char *driver)
{
        struct stat st;

        svc->db = db;
        svc->images = images;
        svc->snapshots = snapshots;
        svc->data_root = data_root;
        svc->exec_root = exec_root;
        svc->driver = driver;
        /* A unified host has cgroup.controllers at the top of /sys/fs/cgroup. */
        svc->cgroup2 = stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0;
        svc->init_path = init_binary_find();
        pthread_mutex_init(&svc->lock, NULL);
}

void
container_service_done(struct container_service *svc)
{
        free(svc->init_path);
        svc->init_path = NULL;
        pthread_mutex_destroy(&svc->lock);
}

static char *
dir_of(struct container_service *svc, const char *id)
{
        return xasprintf("%s/containers/%s", svc->data_root, id);
}

/* moby's stringid.GenerateRandomID: 32 random bytes in hex, never a short ID that reads as a
 * number (it would be taken for one). */
static char *
new_id(void)
{
        for (;;) {
                unsigned char b[32];
                char *out = xmalloc(65), *end = NULL;
                size_t got = 0;
                while (got < sizeof(b)) {
                        ssize_t n = getrandom(b + got, sizeof(b) - got, 0);
                        if (n < 0 && errno == EINTR)
                                continue;
                        if (n < 0)
                                abort(); /* getrandom cannot fail after early boot */
                        got += (size_t) n;
                }
                for (size_t i = 0; i < 32; i++)
                        snprintf(out + 2 * i, 3, "%02x", b[i]);
                {
                        char head[13];
                        memcpy(head, out, 12);
                        head[12] = '\0';
                        strtoull(head, &end, 10);
                        if (*end != '\0')
                                return out;
                }
                free(out);
        }
}

static int
device_stat(const char *path, char *ret_type, int64_t *ret_major, int64_t *ret_minor,
            berth_error_t **err)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return berth_error_sys(
                        err, errno,
                        "error gathering device information while adding custom device \"%s\"",
                        path);
        if (S_ISCHR(st.st_mode))
                *ret_type = 'c';
        else if (S_ISBLK(st.st_mode))
                *ret_type = 'b';
        else
                return berth_error_new(
                        err, EINVAL,
                        "error gathering device information while adding custom device \"%s\": not a device node",
                        path);
        *ret_major = major(st.st_rdev);
        *ret_minor = minor(st.st_rdev);
        return 0;
}

/* NAME in the container's new directory DIR, which nothing reads before the record exists:
 * written in place and, when SYNC, synced; the directory (and its own entry in its parent)
 * synced once for all files by fs_sync_dir() before the record is committed: 6 fsyncs for
 * create's four files rather than 8, and the new directory's entry is durable too. A --rm
 * container's files are not synced at all: after a crash berthd removes every --rm container
 * that is not running (as dockerd), so nothing would read them. */
static int
write_new_file(const char *dir, const char *name, const char *data, bool sync,
               berth_error_t **err)
{
        cleanup_free char *p = xasprintf("%s/%s", dir, name);
        cleanup_close int fd =
                open(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);

        if (fd < 0 || fs_write_all(fd, data, strlen(data)) < 0 || (sync && fsync(fd) < 0))
                return berth_error_sys(err, errno, "write \"%s\"", p);
        return 0;
}

static char *
read_host_file(const char *path)
{
        cleanup_error berth_error_t *err = NULL; /* missing: treated as empty */
        char *buf = NULL;
        size_t len = 0;

        if (fs_read_file(AT_FDCWD, path, &buf, &len, &err) < 0)
                return NULL;
        return buf;
}

static char **
strv_of(struct json_object *a)
{
        char **v = NULL;

        for (size_t i = 0;
             a && json_object_is_type(a, json_type_array) && i < json_object_array_length(a); i++) {
                struct json_object *s = json_object_array_get_idx(a, i);
                if (json_object_is_type(s, json_type_string))
                        strv_push(&v, json_object_get_string(s));
        }
        return v;
}

/* The HostConfig docker stores: the request's, with the defaults dockerd fills in. */
static struct json_object *
host_config_stored(struct container_service *svc, struct json_object *hc)
{
        struct json_object *out = NULL;
        const char *net = json_key_str(hc, "NetworkMode");

        if (hc)
                json_object_deep_copy(hc, &out, NULL);
        else
                out = json_object_new_object();
        if (net == NULL || net[0] == '\0')
                json_object_object_add(out, "NetworkMode", json_object_new_string("default"));
        if (json_key(out, "RestartPolicy") == NULL) {
                struct json_object *rp = json_object_new_object();
                json_object_object_add(rp, "Name", json_object_new_string("no"));
                json_object_object_add(rp, "MaximumRetryCount", json_object_new_int(0));
                json_object_object_add(out, "RestartPolicy", rp);
        }
        if (json_key(out, "LogConfig") == NULL) {
                struct json_object *lc = json_object_new_object();
                json_object_object_add(lc, "Type", json_object_new_string("json-file"));
                json_object_object_add(lc, "Config", json_object_new_object());
                json_object_object_add(out, "LogConfig", lc);
        }
        if (json_key_str(out, "IpcMode") == NULL || json_key_str(out, "IpcMode")[0] == '\0')
                json_object_object_add(out, "IpcMode", json_object_new_string("private"));
        if (json_key_str(out, "CgroupnsMode") == NULL
            || json_key_str(out, "CgroupnsMode")[0] == '\0')
                json_object_object_add(out, "CgroupnsMode",
                                       json_object_new_string(svc->cgroup2 ? "private" : "host"));
        if (json_key(out, "ShmSize") == NULL
            || json_object_get_int64(json_key(out, "ShmSize")) == 0)
                json_object_object_add(out, "ShmSize", json_object_new_int64(67108864));
        return out;
}

static struct json_object *
state_created(void)
{
        struct json_object *s = json_object_new_object();

        json_object_object_add(s, "Status", json_object_new_string("created"));
        json_object_object_add(s, "Running", json_object_new_boolean(false));
        json_object_object_add(s, "Paused", json_object_new_boolean(false));
        json_object_object_add(s, "Restarting", json_object_new_boolean(false));
        json_object_object_add(s, "OOMKilled", json_object_new_boolean(false));
        json_object_object_add(s, "Dead", json_object_new_boolean(false));
        json_object_object_add(s, "Pid", json_object_new_int(0));
        json_object_object_add(s, "ExitCode", json_object_new_int(0));
        json_object_object_add(s, "Error", json_object_new_string(""));
        json_object_object_add(s, "StartedAt", json_object_new_string(ZERO_TIME));
        json_object_object_add(s, "FinishedAt", json_object_new_string(ZERO_TIME));
        return s;
}

/* "No such image: busybox:latest": docker names the normalised reference. */
static int
no_such_image(const char *name, berth_error_t **err)
{
        cleanup_error berth_error_t *perr = NULL; /* unparsable: named as given */
        struct image_ref ref = {0};

        if (image_ref_parse(name, &ref, &perr) == 0) {
                cleanup_free char *key = image_ref_key(&ref);
                cleanup_free char *fam = image_ref_familiar(key);
                image_ref_done(&ref);
                if (!image_ref_is_id_prefix(name))
                        return berth_error_new(err, ENOENT, "No such image: %s", fam);
        }
        return berth_error_new(err, ENOENT, "No such image: %s", name);
}

struct create_state {
        char *id;
        char *dir;
        bool snapshot;
        char **volumes_created; /* volumes this create made: removed if it fails */
};

static void
create_undo(struct container_service *svc, struct create_state *st)
{
        cleanup_error berth_error_t *e1 = NULL, *e2 = NULL; /* best effort: the create failed */

        if (st->snapshot)
                snapshotter_active_remove(svc->snapshots, st->id, &e1);
        if (st->dir)
                fs_remove_tree(AT_FDCWD, st->dir, &e2);
        container_volumes_undo(svc, st->volumes_created);
        strv_free(st->volumes_created);
        st->volumes_created = NULL;
}

/* container_nsjoin_resolve_fn over the records. */
static int
resolve_ref(void *ctx, const char *ref, char **ret_id, berth_error_t **err)
{
        struct container_service *svc = ctx;
        return metadata_containers_resolve(svc->db, ref, ret_id, err);
}

static int
create_locked(struct container_service *svc, const char *name, struct json_object *body,
              struct create_state *st, berth_error_t **err)
{
        /* docker's body is the Config itself with HostConfig and NetworkingConfig beside its
         * fields (the API's configWrapper). */
        cleanup_json struct json_object *req_cfg = json_object_new_object();
        struct json_object *hc = json_key(body, "HostConfig");
        cleanup_json struct json_object *hc_copy = NULL; /* hc with container:X resolved */
        const char *image_name = NULL;
        cleanup_free char *image_id = NULL, *created = time_now_rfc3339();
        cleanup_json struct json_object *image_cfg = NULL, *merged = NULL, *spec = NULL;
        cleanup_json struct json_object *doc = NULL, *volumes = NULL;
        cleanup_free char *passwd = NULL, *group = NULL, *resolv = NULL, *hosts = NULL;
        cleanup_free char *host_resolv = NULL, *spec_s = NULL, *hostname_nl = NULL;
        cleanup_free char *path = NULL, *full_name = NULL;
        cleanup_strv char **group_add = NULL, **dns = NULL, **search = NULL, **opts = NULL;
        cleanup_strv char **extra = NULL;
        struct json_object *args = NULL;
        struct image_record rec = {0};
        struct container_user user = {0};
        cleanup_error berth_error_t *miss = NULL; /* an unreadable /etc file counts as missing */
        size_t len = 0;
        bool durable;
        int r;

        if (!json_object_is_type(body, json_type_object))
                return berth_error_new(err, EINVAL, "body: expected a JSON object");
        {
                json_object_object_foreach(body, k, v)
                        if (strcmp(k, "HostConfig") != 0 && strcmp(k, "NetworkingConfig") != 0)
                                json_object_object_add(req_cfg, k, json_object_get(v));
        }
        if (hc && json_object_is_type(hc, json_type_object)) {
                json_object_deep_copy(hc, &hc_copy, NULL);
                hc = hc_copy;
                r = container_nsjoin_resolve_modes(req_cfg, hc, resolve_ref, svc, err);
                if (r < 0)
                        return r;
        }
        image_name = json_key_str(req_cfg, "Image");
        if (image_name == NULL || image_name[0] == '\0')
                return berth_error_new(err, EINVAL, "Config.Image: no image specified");
        r = image_service_resolve(svc->images, image_name, &image_id, NULL, err);
        if (r == -ENOENT) {
                berth_error_free(*err);
                *err = NULL;
                return no_such_image(image_name, err);
        }
        if (r < 0)
                return r;
        r = metadata_images_load(svc->db, image_id, &rec, err);
        if (r < 0)
                return r;
        r = image_service_load_config(svc->images, image_id, &image_cfg, err);
        if (r < 0) {
                image_record_done(&rec);
                return r;
        }
        r = container_config_merge(json_key(image_cfg, "config"), req_cfg, st->id, &merged, err);
        if (r < 0) {
                image_record_done(&rec);
                return r;
        }
        /* The request's own spelling of the image stays in Config.Image (docker shows it). */
        json_object_object_add(merged, "Image", json_object_new_string(image_name));

        r = snapshotter_active_prepare(svc->snapshots, st->id, rec.chain_id, err);
        image_record_done(&rec);
        if (r < 0)
                return r;
        st->snapshot = true;

        if (snapshotter_active_read_file(svc->snapshots, st->id, "/etc/passwd", &passwd, &len,
                                         &miss)
            < 0) {
                berth_error_free(TAKE_PTR(miss));
        }
        if (snapshotter_active_read_file(svc->snapshots, st->id, "/etc/group", &group, &len, &miss)
            < 0) {
                berth_error_free(TAKE_PTR(miss));
        }
        group_add = strv_of(json_key(hc, "GroupAdd"));
        r = container_user_resolve(json_key_str(merged, "User"), group_add, passwd, group, &user,
                                   err);
        if (r < 0)
                return r;

        st->dir = dir_of(svc, st->id);
        r = fs_mkdir_p(st->dir, 0700, err);
        if (r < 0) {
                container_user_done(&user);
                return r;
        }
        /* docker reads the host's resolv.conf (systemd-resolved's upstream file when the stub
         * is in use) and drops what cannot work inside the container. */
        host_resolv = read_host_file("/etc/resolv.conf");
        if (host_resolv && strstr(host_resolv, "127.0.0.53")) {
                char *up = read_host_file("/run/systemd/resolve/resolv.conf");
                if (up) {
                        free(host_resolv);
                        host_resolv = up;
                }
        }
        dns = strv_of(json_key(hc, "Dns"));
        search = strv_of(json_key(hc, "DnsSearch"));
        opts = strv_of(json_key(hc, "DnsOptions"));
        extra = strv_of(json_key(hc, "ExtraHosts"));
        resolv = container_resolv_conf_build(host_resolv, dns, search, opts);
        r = container_hosts_build(json_key_str(merged, "Hostname"),
                                  json_key_str(merged, "Domainname"), extra, &hosts, err);
        if (r < 0) {
                container_user_done(&user);
                return r;
        }
        /* Named volumes made when missing, anonymous ones new (dockerd makes them at create
         * too); the copy-up waits for the first start. */
        r = container_volumes_prepare(svc, merged, hc, &volumes, &st->volumes_created, err);
        if (r < 0) {
                container_user_done(&user);
                return r;
        }
        durable = !json_object_get_boolean(json_key(hc, "AutoRemove"));
        hostname_nl = xasprintf("%s\n", json_key_str(merged, "Hostname"));
        if ((r = write_new_file(st->dir, "resolv.conf", resolv, durable, err)) < 0
            || (r = write_new_file(st->dir, "hosts", hosts, durable, err)) < 0
            || (r = write_new_file(st->dir, "hostname", hostname_nl, durable, err)) < 0) {
                container_user_done(&user);
                return r;
        }
        {
                cleanup_free char *hp = xasprintf("%s/hostname", st->dir);
                cleanup_free char *hsp = xasprintf("%s/hosts", st->dir);
                cleanup_free char *rp = xasprintf("%s/resolv.conf", st->dir);
                cleanup_free char *shm_path = container_ipc_shm_path(svc->exec_root, st->id);
                struct container_seccomp_host sc_host;
                struct container_spec_input in = {
                        .id = st->id,
                        .config = merged,
                        .host_config = hc,
                        .user = &user,
                        .hostname_path = hp,
                        .hosts_path = hsp,
                        .resolv_conf_path = rp,
                        .shm_path = shm_path,
                        .cgroup2 = svc->cgroup2,
                        .ncpu = (int) sysconf(_SC_NPROCESSORS_ONLN),
                        .device_stat = device_stat,
                        .init_path = svc->init_path,
                        .init_default = svc->init_default,
                        .host_devices = container_host_devices_dev,
                        .seccomp_host = &sc_host,
                        .host_caps = container_host_caps_probe(),
                        .volumes = volumes,
                };
                container_seccomp_host_probe(&sc_host);
                r = container_spec_build(&in, &spec, err);
                container_user_done(&user);
                if (r < 0)
                        return r;
        }
        spec_s = xstrdup(json_object_to_json_string_ext(
                spec, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
        r = write_new_file(st->dir, "config.json", spec_s, durable, err);
        if (r < 0)
                return r;

        /* Bind sources of -v that are missing are made, as dockerd does for Binds. */
        {
                cleanup_strv char **binds = strv_of(json_key(hc, "Binds"));
                strv_foreach(b, binds) {
                        cleanup_free char *src = xstrndup(b, strcspn(b, ":"));
                        struct stat sb;
                        if (volume_plan_bind_is_volume(b))
                                continue;
                        if (src[0] == '/' && stat(src, &sb) < 0 && errno == ENOENT) {
                                r = fs_mkdir_p(src, 0755, err);
                                if (r < 0)
                                        return r;
                        }
                }
        }

        full_name = xasprintf("/%s", name[0] == '/' ? name + 1 : name);
        container_config_command(merged, &path, &args);
        doc = json_object_new_object();
        json_object_object_add(doc, "v", json_object_new_int(CONTAINER_RECORD_VERSION));
        json_object_object_add(doc, "Id", json_object_new_string(st->id));
        json_object_object_add(doc, "Created", json_object_new_string(created));
        json_object_object_add(doc, "Path", json_object_new_string(path));
        json_object_object_add(doc, "Args", args);
        json_object_object_add(doc, "State", state_created());
        json_object_object_add(doc, "Image", json_object_new_string(image_id));
        {
                cleanup_free char *rp = xasprintf("%s/resolv.conf", st->dir);
                cleanup_free char *hp = xasprintf("%s/hostname", st->dir);
                cleanup_free char *hsp = xasprintf("%s/hosts", st->dir);
                cleanup_free char *lp = xasprintf("%s/%s-json.log", st->dir, st->id);
                json_object_object_add(doc, "ResolvConfPath", json_object_new_string(rp));
                json_object_object_add(doc, "HostnamePath", json_object_new_string(hp));
                json_object_object_add(doc, "HostsPath", json_object_new_string(hsp));
                json_object_object_add(doc, "LogPath", json_object_new_string(lp));
        }
        json_object_object_add(doc, "Name", json_object_new_string(full_name));
        json_object_object_add(doc, "RestartCount", json_object_new_int(0));
        json_object_object_add(doc, "Driver", json_object_new_string(svc->driver));
        json_object_object_add(doc, "Platform", json_object_new_string("linux"));
        json_object_object_add(doc, "HostConfig", host_config_stored(svc, hc));
        json_object_object_add(doc, "Config", json_object_get(merged));
        if (json_object_array_length(volumes) > 0)
                json_object_object_add(doc, "BerthVolumes", json_object_get(volumes));
        if (json_key(body, "NetworkingConfig"))
                json_object_object_add(doc, "NetworkingConfig",
                                       json_object_get(json_key(body, "NetworkingConfig")));
        if (durable) {
                cleanup_free char *parent = xstrndup(st->dir, strrchr(st->dir, '/') - st->dir);
                if ((r = fs_sync_dir(st->dir, err)) < 0 || (r = fs_sync_dir(parent, err)) < 0)
                        return r;
        }
        return metadata_containers_create(svc->db, doc, err);
}

int
container_service_create(struct container_service *svc, const char *name, struct json_object *body,
                         struct json_object *warnings, char **ret_id, berth_error_t **err)
{
        struct create_state st = {.id = new_id()};
        cleanup_free char *gen = NULL;
        bool generated = name == NULL || name[0] == '\0';
        int r;

        (void) warnings;
        if (!generated && !container_name_valid(name)) {
                free(st.id);
                return berth_error_new(
                        err, EINVAL,
                        "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                        name);
        }
        pthread_mutex_lock(&svc->images->lock);
        pthread_mutex_lock(&svc->lock);
        for (int attempt = 0;; attempt++) {
                if (generated) {
                        free(gen);
                        gen = container_name_generate(st.id);
                        name = gen;
                }
                r = create_locked(svc, name, body, &st, err);
                if (r < 0)
                        create_undo(svc, &st);
                /* A generated name that is taken: another ID picks other words. */
                if (r != -EEXIST || !generated || attempt == 8)
                        break;
                berth_error_free(TAKE_PTR(*err));
                free(st.id);
                free(st.dir);
                st = (struct create_state){.id = new_id()};
        }
        pthread_mutex_unlock(&svc->lock);
        pthread_mutex_unlock(&svc->images->lock);
        free(st.dir);
        strv_free(st.volumes_created);
        if (r < 0) {
                free(st.id);
                return r;
        }
        *ret_id = st.id;
        return 0;
}

int
container_service_get(struct container_service *svc, const char *ref, struct json_object **ret,
                      berth_error_t **err)
{
        cleanup_free char *id = NULL;
        int r;

        r = metadata_containers_resolve(svc->db, ref, &id, err);
        if (r < 0)
                return r;
        return metadata_containers_load(svc->db, id, ret, err);
}

static int
cmp_created(const void *a, const void *b)
{
        struct json_object *x = *(struct json_object *const *) a;
        struct json_object *y = *(struct json_object *const *) b;
        const char *cx = json_key_str(x, "Created"), *cy = json_key_str(y, "Created");
        return strcmp(cx ? cx : "", cy ? cy : "");
}

int
container_service_list(struct container_service *svc, struct json_object **ret, berth_error_t **err)
{
        int r = metadata_containers_list(svc->db, ret, err);

        if (r < 0)
                return r;
        json_object_array_sort(*ret, cmp_created);
        return 0;
}

static bool
is_running(struct json_object *doc)
{
        struct json_object *s = json_key(doc, "State");
        return json_object_get_boolean(json_key(s, "Running"))
               || json_object_get_boolean(json_key(s, "Paused"))
               || json_object_get_boolean(json_key(s, "Restarting"));
}

static int
remove_files(struct container_service *svc, const char *id, berth_error_t **err)
{
        cleanup_free char *dir = dir_of(svc, id);
        int r;

        r = container_bundle_remove(svc, id, err);
        if (r < 0)
                return r;
        r = snapshotter_active_remove(svc->snapshots, id, err);
        if (r < 0)
                return r;
        return fs_remove_tree(AT_FDCWD, dir, err);
}

static int
remove_locked(struct container_service *svc, const char *ref, bool force, bool volumes,
              bool exited, int64_t *ret_size, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        const char *id;
        int r;

        r = container_service_get(svc, ref, &doc, err);
        if (r < 0)
                return r;
        id = json_key_str(doc, "Id");
        if (!exited && is_running(doc)) {
                cleanup_free char *sid = xstrndup(id, 12);
                if (!force)
                        return berth_error_new(
                                err, EBUSY,
                                "You cannot remove a running container %s. Stop the container before attempting removal or force remove",
                                id);
                /* Stopping belongs to the tasks layer (supervisor/tasks/), not here yet. */
                return berth_error_new(err, EOPNOTSUPP,
                                       "could not kill running container %s: not implemented yet",
                                       sid);
        }
        if (ret_size)
                *ret_size += snapshotter_active_size(svc->snapshots, id);
        /* The record goes first, in one transaction: after a crash the files left behind are
         * swept at the next start (container_service_sweep), never a record without them. */
        r = metadata_containers_delete(svc->db, id, err);
        if (r < 0)
                return r;
        r = remove_files(svc, id, err);
        /* rm -v: the anonymous volumes go, named ones stay (moby's removeMountPoints). */
        if (r >= 0 && volumes)
                container_volumes_remove_anonymous(svc, doc);
        return r;
}

int
container_service_remove(struct container_service *svc, const char *ref, bool force, bool volumes,
                         berth_error_t **err)
{
        int r;

        pthread_mutex_lock(&svc->lock);
        r = remove_locked(svc, ref, force, volumes, false, NULL, err);
        pthread_mutex_unlock(&svc->lock);
        return r;
}

int
container_service_remove_exited(struct container_service *svc, const char *id,
                                berth_error_t **err)
{
        int r;

        pthread_mutex_lock(&svc->lock);
        r = remove_locked(svc, id, false, true, true, NULL, err);
        pthread_mutex_unlock(&svc->lock);
        return r;
}

int
container_service_rename(struct container_service *svc, const char *ref, const char *name,
                         berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL;
        const char *old;
        int r;

        if (ref == NULL || ref[0] == '\0' || name == NULL || name[0] == '\0')
                return berth_error_new(err, EINVAL, "Neither old nor new names may be empty");
        if (!container_name_valid(name))
                return berth_error_new(
                        err, EINVAL,
                        "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                        name);
        pthread_mutex_lock(&svc->lock);
        r = container_service_get(svc, ref, &doc, err);
        if (r >= 0) {
                old = json_key_str(doc, "Name");
                if (old && strcmp(old + (old[0] == '/'), name + (name[0] == '/')) == 0)
                        r = berth_error_new(
                                err, EINVAL,
                                "Renaming a container with the same name as its current name");
                else
                        r = metadata_containers_rename(svc->db, json_key_str(doc, "Id"), name, err);
        }
        pthread_mutex_unlock(&svc->lock);
        return r;
}

int
container_service_prune(struct container_service *svc, struct json_object *result,
                        int64_t *ret_reclaimed, berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        int64_t size = 0;
        int r;

        pthread_mutex_lock(&svc->lock);
        r = metadata_containers_list(svc->db, &all, err);
        for (size_t i = 0; r >= 0 && i < json_object_array_length(all); i++) {
                struct json_object *doc = json_object_array_get_idx(all, i);
                const char *id = json_key_str(doc, "Id");
                if (id == NULL || is_running(doc))
                        continue;
                r = remove_locked(svc, id, false, false, false, &size, err);
                if (r >= 0)
                        json_object_array_add(result, json_object_new_string(id));
        }
        pthread_mutex_unlock(&svc->lock);
        *ret_reclaimed = size;
        return r < 0 ? r : 0;
}

char *
container_service_using_image(void *ud, const char *image_id)
{
        struct container_service *svc = ud;
        cleanup_json struct json_object *all = NULL;
        cleanup_error berth_error_t *err = NULL; /* unreadable: nothing known to use it */

        if (metadata_containers_list(svc->db, &all, &err) < 0)
                return NULL;
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                struct json_object *doc = json_object_array_get_idx(all, i);
                const char *img = json_key_str(doc, "Image"), *id = json_key_str(doc, "Id");
                if (img && id && strcmp(img, image_id) == 0)
                        return xstrdup(id);
        }
        return NULL;
}

static bool
in_records(struct json_object *all, const char *id)
{
        for (size_t i = 0; i < json_object_array_length(all); i++) {
                const char *x = json_key_str(json_object_array_get_idx(all, i), "Id");
                if (x && strcmp(x, id) == 0)
                        return true;
        }
        return false;
}

int
container_service_sweep(struct container_service *svc, berth_error_t **err)
{
        cleanup_json struct json_object *all = NULL;
        cleanup_free char *cdir = xasprintf("%s/containers", svc->data_root);
        cleanup_free char *adir =
                xasprintf("%s/" SNAPSHOT_ACTIVE_DIR, snapshotter_root(svc->snapshots));
        const char *dirs[] = {cdir, adir};
        int r, removed = 0;

        r = metadata_containers_list(svc->db, &all, err);
        if (r < 0)
                return r;
        for (size_t k = 0; k < 2; k++) {
                cleanup_dir DIR *d = opendir(dirs[k]);
                struct dirent *de;
                if (d == NULL)
                        continue;
                while ((de = readdir(d)) != NULL) {
                        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                                continue;
                        /* .tmp-* of an interrupted prepare or removal, or an unrecorded ID */
                        if (de->d_name[0] != '.' && in_records(all, de->d_name))
                                continue;
                        if (k == 0) {
                                cleanup_error berth_error_t *e = NULL; /* retried next start */
                                container_bundle_remove(svc, de->d_name, &e);
                        }
                        r = fs_remove_tree(dirfd(d), de->d_name, err);
                        if (r < 0)
                                return r;
                        removed++;
                }
        }
        return removed;
}
