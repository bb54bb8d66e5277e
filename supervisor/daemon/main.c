/* supervisor/daemon/main.c: berthd: read the settings, open the subsystems in a fixed order,
 * serve the Docker Engine API until SIGTERM or SIGINT, then undo what it made. */
#include <config.h>


#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/xalloc.h"
#include "supervisor/api/http.h"
#include "supervisor/content/store.h"
#include "supervisor/daemon/config.h"
#include "supervisor/daemon/daemon.h"
#include "supervisor/images/service.h"
#include "supervisor/metadata/db.h"
#include "supervisor/snapshots/probe.h"
#include "supervisor/snapshots/snapshotter.h"

static void
usage(FILE *out)
{
        fprintf(out,
                "Usage: berthd [OPTIONS]\n"
                "\n"
                "A self-sufficient runtime for containers: the Docker Engine API over berth.\n"
                "\n"
                "Options:\n"
                "      --config-file string   Daemon configuration file (default \"%s\")\n"
                "      --data-root string     Root directory of persistent state (default \"%s\")\n"
                "  -D, --debug                Enable debug mode\n"
                "      --exec-root string     Root directory for execution state files (default \"%s\")\n"
                "  -H, --host string          Daemon socket to connect to (default \"%s\")\n"
                "      --insecure-registry list      Enable insecure registry communication\n"
                "  -l, --log-level string     Set the logging level (\"debug\"|\"info\"|\"warn\"|\"error\"|\"fatal\") (default \"info\")\n"
                "      --max-concurrent-downloads int   Set the max concurrent downloads (default 3)\n"
                "      --registry-mirror list        Preferred registry mirror\n"
                "  -s, --storage-driver string   Storage driver to use (\"overlay2\"|\"vfs\"; default: overlay2 where it works)\n"
                "  -h, --help                 Print usage\n"
                "  -v, --version              Print version information and quit\n",
                BERTHD_DEFAULT_CONFIG_FILE, BERTHD_DEFAULT_DATA_ROOT, BERTHD_DEFAULT_EXEC_ROOT,
                BERTHD_DEFAULT_HOST);
}

/* One daemon per exec-root: the pid file is flock()ed for the daemon's life, so a second one
 * fails here, before it touches the socket of the first. */
static int
lock_exec_root(struct berthd *d, berth_error_t **err)
{
        char buf[32];
        int r;

        r = fs_mkdir_p(d->cfg.exec_root, 0700, err);
        if (r < 0)
                return r;
        d->pid_path = xasprintf("%s/berthd.pid", d->cfg.exec_root);
        d->lock_fd = open(d->pid_path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (d->lock_fd < 0)
                return berth_error_sys(err, errno, "open \"%s\"", d->pid_path);
        if (flock(d->lock_fd, LOCK_EX | LOCK_NB) < 0) {
                if (errno == EWOULDBLOCK)
                        return berth_error_new(
                                err, EBUSY,
                                "another berthd is running with exec-root \"%s\" (\"%s\" is locked)",
                                d->cfg.exec_root, d->pid_path);
                return berth_error_sys(err, errno, "lock \"%s\"", d->pid_path);
        }
        snprintf(buf, sizeof(buf), "%d\n", (int) getpid());
        if (ftruncate(d->lock_fd, 0) < 0 || pwrite(d->lock_fd, buf, strlen(buf), 0) < 0)
                return berth_error_sys(err, errno, "write \"%s\"", d->pid_path);
        return 0;
}

/* The OCI runtime: berth beside berthd (an installed pair, or the build tree), else from PATH. */
static char *
find_runtime(void)
{
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        cleanup_free char *cand = NULL;

        if (n > 0) {
                exe[n] = '\0';
                cand = xasprintf("%s/berth", dirname(exe));
                if (access(cand, X_OK) == 0)
                        return TAKE_PTR(cand);
        }
        return xstrdup("berth");
}

/* NAME beside berthd's executable, or NULL. */
static char *
find_beside(const char *name)
{
        char exe[4096];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        cleanup_free char *cand = NULL;

        if (n <= 0)
                return NULL;
        exe[n] = '\0';
        cand = xasprintf("%s/%s", dirname(exe), name);
        return access(cand, X_OK) == 0 ? TAKE_PTR(cand) : NULL;
}

#define SD_LISTEN_FDS_START 3

/* -H fd://: systemd (berthd.socket) made the socket and passes it as fd 3, with LISTEN_PID and
 * LISTEN_FDS saying it is meant for us (sd_listen_fds(3)). The socket file is systemd's: berthd
 * neither replaces nor removes it. */
static int
take_activated_socket(int *ret_fd, berth_error_t **err)
{
        const char *pid = getenv("LISTEN_PID");
        const char *fds = getenv("LISTEN_FDS");
        int listening = 0;
        socklen_t len = sizeof(listening);

        if (pid == NULL || fds == NULL || strtol(pid, NULL, 10) != (long) getpid())
                return berth_error_new(
                        err, EINVAL,
                        "-H fd://: no socket passed by systemd (LISTEN_PID, LISTEN_FDS unset or not for this process)");
        if (strcmp(fds, "1") != 0)
                return berth_error_new(err, EINVAL,
                                       "-H fd://: want exactly one socket, got LISTEN_FDS=%s", fds);
        if (getsockopt(SD_LISTEN_FDS_START, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
                return berth_error_sys(err, errno, "-H fd://: fd %d", SD_LISTEN_FDS_START);
        if (!listening)
                return berth_error_new(err, EINVAL, "-H fd://: fd %d is not a listening socket",
                                       SD_LISTEN_FDS_START);
        /* systemd passes it inheritable; nothing berthd starts may inherit it. */
        if (fcntl(SD_LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "-H fd://: fd %d", SD_LISTEN_FDS_START);
        unsetenv("LISTEN_PID");
        unsetenv("LISTEN_FDS");
        unsetenv("LISTEN_FDNAMES");
        *ret_fd = SD_LISTEN_FDS_START;
        return 0;
}

static int
open_socket(struct berthd *d, int *ret_fd, berth_error_t **err)
{
        cleanup_free char *parent = xstrdup(d->cfg.socket_path);
        cleanup_close int fd = -1;
        struct group *g;
        mode_t old;
        int r;

        r = fs_mkdir_p(dirname(parent), 0755, err);
        if (r < 0)
                return r;
        /* We hold the exec-root lock, so a socket file here is a dead daemon's: replace it. */
        if (unlink(d->cfg.socket_path) < 0 && errno != ENOENT)
                return berth_error_sys(err, errno, "remove stale socket \"%s\"",
                                       d->cfg.socket_path);
        /* Born 0660, never briefly wider; still single-threaded, so the umask is ours alone. */
        old = umask(0117);
        fd = sock_listen_unix(d->cfg.socket_path, 0, 128, err);
        umask(old);
        if (fd < 0)
                return fd;
        d->socket_path = xstrdup(d->cfg.socket_path);
        /* dockerd's rule: the group "docker" when it exists, else root's; ours is "berth". */
        g = getgrnam("berth");
        if (g && chown(d->socket_path, 0, g->gr_gid) < 0)
                return berth_error_sys(err, errno, "chown \"%s\"", d->socket_path);
        if (chmod(d->socket_path, 0660) < 0)
                return berth_error_sys(err, errno, "chmod \"%s\"", d->socket_path);
        *ret_fd = TAKE_FD(fd);
        return 0;
}

/* Open everything in order: exec-root lock, metadata, content, snapshotter, API socket. */
static int
berthd_open(struct berthd *d, berth_error_t **err)
{
        cleanup_free char *meta_dir = NULL, *content_dir = NULL;
        int r, fd = -1;

        /* A missing activation socket is a setup error: report it before making anything. */
        if (d->cfg.socket_path == NULL) {
                r = take_activated_socket(&fd, err);
                if (r < 0)
                        return r;
        }
        r = lock_exec_root(d, err);
        if (r < 0)
                return r;
        r = fs_mkdir_p(d->cfg.data_root, 0711, err);
        if (r < 0)
                return r;
        meta_dir = xasprintf("%s/metadata", d->cfg.data_root);
        r = metadata_db_open(meta_dir, &d->db, err);
        if (r < 0)
                return r;
        r = metadata_db_load_daemon_id(d->db, &d->daemon_id, err);
        if (r < 0)
                return r;
        content_dir = xasprintf("%s/content", d->cfg.data_root);
        r = content_store_open(content_dir, &d->content, err);
        if (r < 0)
                return r;
        /* Nothing writes yet, so every ingest left is from a daemon that died mid-write. */
        r = content_store_gc_ingests(d->content, err);
        if (r < 0)
                return r;
        if (r > 0)
                log_info("content: removed %d stale ingest(s)", r);
        r = snapshots_select_driver(d->cfg.data_root, d->cfg.storage_driver, &d->driver, err);
        if (r < 0)
                return r;
        {
                cleanup_free char *snap_dir = xasprintf("%s/snapshots", d->cfg.data_root);
                r = snapshotter_open(snap_dir, d->driver, &d->snapshots, err);
                if (r < 0)
                        return r;
        }
        image_service_init(&d->images, d->db, d->content, d->snapshots, d->driver);
        d->images.events = &d->events;
        d->images_ready = true;
        container_service_init(&d->containers, d->db, &d->images, d->snapshots, d->cfg.data_root,
                               d->cfg.exec_root, d->driver);
        d->containers.init_default = d->cfg.init;
        d->containers_ready = true;
        /* Volumes: a create or remove cut short by a crash is swept here. */
        r = volume_store_open(&d->volumes, d->db, &d->events, d->cfg.data_root, err);
        if (r < 0)
                return r;
        d->volumes_ready = true;
        d->containers.volumes = &d->volumes;
        d->images.container_using = container_service_using_image;
        d->images.container_using_ud = &d->containers;
        /* A crash mid-create or mid-remove leaves files no container record holds. */
        r = container_service_sweep(&d->containers, err);
        if (r < 0)
                return r;
        if (r > 0)
                log_info("containers: removed %d leftover(s) of unrecorded containers", r);
        /* A crash between a load's blobs and its record leaves blobs and snapshots no record
         * holds: collect them before serving. */
        image_service_collect_locked(&d->images);
        d->runtime_path = find_runtime();
        {
                /* Running containers: the shim beside berthd (build tree) or in bindir. */
                cleanup_free char *shim = find_beside("containerd-shim-berth-v2");
                cleanup_free char *api_sock =
                        d->cfg.socket_path ? xstrdup(d->cfg.socket_path)
                                           : xasprintf("%s/berthd.sock", d->cfg.exec_root);
                struct container_runner_config rc = {
                        .shim_binary = shim ? shim : BERTHD_BINDIR "/containerd-shim-berth-v2",
                        .runtime_binary = d->runtime_path,
                        .api_socket = api_sock,
                        .debug = d->cfg.debug,
                };
                r = container_runner_open(&d->runner, &d->containers, &d->events, &rc, err);
                if (r < 0)
                        return r;
                d->runner_ready = true;
                /* Restored containers use their volumes again: what a dead berthd left mounted
                 * for nobody goes. */
                if (volume_store_sweep_mounts(&d->volumes) > 0)
                        log_info("volumes: unmounted volumes no container uses");
        }
        {
                /* berthd's own credential store: auth.json beside daemon.json (docker's
                 * config.json shape), read at each pull that brings no X-Registry-Auth. */
                const char *cf =
                        d->cfg.config_file ? d->cfg.config_file : BERTHD_DEFAULT_CONFIG_FILE;
                const char *slash = strrchr(cf, '/');
                d->registry_auth_file = slash ? xasprintf("%.*s/auth.json", (int) (slash - cf), cf)
                                              : xstrdup("auth.json");
        }
        d->api = (struct api_ctx){
                .daemon_id = d->daemon_id,
                .data_root = d->cfg.data_root,
                .exec_root = d->cfg.exec_root,
                .driver = d->driver,
                .runtime_path = d->runtime_path,
                .db = d->db,
                .images = &d->images,
                .events = &d->events,
                .containers = &d->containers,
                .runner = &d->runner,
                .insecure_registries = d->cfg.insecure_registries,
                .registry_mirrors = d->cfg.registry_mirrors,
                .registry_auth_file = d->registry_auth_file,
                .max_concurrent_downloads = d->cfg.max_concurrent_downloads,
                .debug = d->cfg.debug,
        };
        if (d->cfg.socket_path != NULL) {
                r = open_socket(d, &fd, err);
                if (r < 0)
                        return r;
        }
        r = api_http_start(&d->api, fd, &d->http, err);
        if (r < 0)
                close(fd); /* the server takes the socket only when it starts */
        return r;
}

static void
berthd_close(struct berthd *d)
{
        /* /events streams wait on the bus, not on a client: wake them so they end now. */
        events_bus_close(&d->events);
        api_http_stop(d->http);
        if (d->socket_path && unlink(d->socket_path) < 0 && errno != ENOENT)
                log_warn("remove \"%s\": %s, ignoring", d->socket_path, strerror(errno));
        free(d->socket_path);
        if (d->runner_ready)
                container_runner_close(&d->runner);
        if (d->containers_ready)
                container_service_done(&d->containers);
        if (d->volumes_ready)
                volume_store_close(&d->volumes);
        if (d->images_ready)
                image_service_done(&d->images);
        snapshotter_close(d->snapshots);
        content_store_close(d->content);
        metadata_db_close(d->db);
        if (d->lock_fd >= 0) {
                /* Unlink before unlocking: a successor that locked the old inode would otherwise
                 * lose its file. */
                unlink(d->pid_path);
                close(d->lock_fd);
        }
        free(d->pid_path);
        free(d->daemon_id);
        free(d->runtime_path);
        free(d->registry_auth_file);
        berthd_config_done(&d->cfg);
        events_bus_done(&d->events);
}

int
main(int argc, char **argv)
{
        struct berthd d = {.lock_fd = -1};
        cleanup_error berth_error_t *err = NULL;
        struct log_config lc = {.fd = -1, .format = LOG_FORMAT_TEXT, .level = LOG_LEVEL_INFO};
        sigset_t mask;
        int r, sig;

        events_bus_init(&d.events);
        if (berthd_config_parse_args(argc, argv, &d.cfg, &err) < 0) {
                fprintf(stderr, "berthd: %s\nSee 'berthd --help'.\n", err->msg);
                berthd_config_done(&d.cfg);
                return 125;
        }
        if (d.cfg.show_help) {
                usage(stdout);
                berthd_config_done(&d.cfg);
                return 0;
        }
        if (d.cfg.show_version) {
                printf("berthd version %s, build %s\n", PACKAGE_VERSION, BERTH_COMMIT);
                berthd_config_done(&d.cfg);
                return 0;
        }
        if (berthd_config_load_file(&d.cfg, &err) < 0) {
                fprintf(stderr, "berthd: %s\n", err->msg);
                berthd_config_done(&d.cfg);
                return 1;
        }
        lc.level = d.cfg.log_level;
        log_setup(&lc);

        /* Signals go to sigwaitinfo() below; blocked before any thread exists so that every
         * thread inherits the mask. */
        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = berthd_open(&d, &err);
        if (r < 0) {
                log_berror(err);
                berthd_close(&d);
                return 1;
        }
        log_info("berthd %s: API listening on \"%s\" (id %s, data-root \"%s\", driver %s)",
                 PACKAGE_VERSION, d.socket_path ? d.socket_path : "fd://", d.daemon_id,
                 d.cfg.data_root, d.driver);
        for (;;) {
                sig = sigwaitinfo(&mask, NULL);
                if (sig < 0 && errno == EINTR)
                        continue;
                if (sig == SIGHUP) {
                        log_info("SIGHUP: configuration reload is not supported, ignoring");
                        continue;
                }
                break;
        }
        log_info("berthd: %s, shutting down", sig > 0 ? strsignal(sig) : "sigwaitinfo failed");
        berthd_close(&d);
        return 0;
}
