/* shim/main.c: containerd-shim-berth-v2: the `start` and `delete` actions containerd runs
 * (interfaces.md §2.3, §2.5), and the long-lived server they lead to (§2.6, §2.7). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "containerd/task/v2/shim.pb.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/loop.h"
#include "lib/xalloc.h"
#include "proto/nano_callbacks.h"
#include "proto/ttrpc/server.h"
#include "shim/address.h"
#include "shim/args.h"
#include "shim/cgroup_warmup.h"
#include "shim/daemon_setup.h"
#include "lib/idle_trim.h"
#include "shim/options_any.h"
#include "shim/publisher.h"
#include "shim/rootfs_mount.h"
#include "shim/runtime_cli.h"
#include "shim/service.h"
#include "shim/task_api.h"

#define SHUTDOWN_FLUSH_MS 5000

static int
fail(berth_error_t *err)
{
        fprintf(stderr, "containerd-shim-berth-v2: %s\n", err->msg);
        berth_error_free(err);
        return 1;
}

static const char *
socket_root(void)
{
        const char *r = getenv("BERTH_SHIM_SOCKET_ROOT");

        return r && *r ? r : SHIM_SOCKET_ROOT_DEFAULT;
}

static int
start_read_options(struct shim_options *o, berth_error_t **err)
{
        google_protobuf_Any any = google_protobuf_Any_init_zero;
        cleanup_free uint8_t *buf = NULL;
        size_t len = 0, cap = 0;
        int r;

        for (;;) {
                if (len == cap) {
                        cap = cap ? 2 * cap : 4096;
                        buf = xrealloc(buf, cap);
                }
                ssize_t n = read(STDIN_FILENO, buf + len, cap - len);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return berth_error_sys(err, errno, "read the options on stdin");
                if (n == 0)
                        break;
                len += (size_t) n;
        }
        any.value.funcs.decode = nano_decode_bytes;
        if (len > 0 && (r = nano_decode(google_protobuf_Any_fields, &any, buf, len, err)) < 0)
                return berth_error_prefix(err, "options on stdin");
        r = shim_options_from_any(&any, len > 0, o, err);
        free(any.value.arg);
        return r;
}

/* start: listen (or find the group's running shim), start the server on that socket, print the
 * address. Nothing but the address may reach stdout or stderr. */
static int
action_start(const struct shim_args *a, char **argv)
{
        cleanup_json struct json_object *cfg = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *addr = NULL, *cwd = getcwd(NULL, 0);
        bool running = false;
        int fd = -1;

        if (!cwd)
                return fail((berth_error_sys(&err, errno, "getcwd"), TAKE_PTR(err)));
        /* stdin: the task's options as a serialized Any, or nothing. */
        __attribute__((cleanup(shim_options_done))) struct shim_options opts = {0};
        if (start_read_options(&opts, &err) < 0)
                return fail(TAKE_PTR(err));
        if (json_parse_file("config.json", &cfg, &err) < 0) {
                berth_error_free(err);
                err = NULL;
        }
        const char *key = shim_group_key(cfg, a->id);
        if (shim_address_build(socket_root(), a->address, a->namespace_, key, &addr, &err) < 0
            || shim_address_listen(addr, &fd, &running, &err) < 0)
                return fail(TAKE_PTR(err));
        /* Before the server starts: it reads the file to know which socket to remove at exit. */
        if (shim_address_save(cwd, addr, &err) < 0)
                return fail(TAKE_PTR(err));
        if (!running) {
                pid_t pid = fork();
                if (pid < 0)
                        return fail((berth_error_sys(&err, errno, "fork"), TAKE_PTR(err)));
                if (pid == 0) {
                        char *args[12];
                        int n = 0;
                        int devnull = open("/dev/null", O_RDWR);
                        setpgid(0, 0);
                        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0
                            || dup2(devnull, 2) < 0
                            || (fd == 3 ? fcntl(3, F_SETFD, 0) : dup2(fd, 3)) < 0)
                                _exit(1);
                        /* Nothing else of containerd's reaches the server (it runs for as long as
                         * its containers: a pipe kept open would hold up its reader). */
                        (void) close_range(4, ~0U, 0);
                        args[n++] = argv[0];
                        args[n++] = "-namespace";
                        args[n++] = (char *) a->namespace_;
                        args[n++] = "-id";
                        args[n++] = (char *) a->id;
                        args[n++] = "-address";
                        args[n++] = (char *) a->address;
                        if (a->debug)
                                args[n++] = "-debug";
                        args[n] = NULL;
                        execv("/proc/self/exe", args);
                        _exit(127);
                }
                close(fd);
                int r = shim_adjust_oom_score(pid, getppid(), &err);
                if (r >= 0 && opts.shim_cgroup)
                        r = shim_join_cgroup(pid, opts.shim_cgroup, &err);
                if (r < 0) {
                        kill(pid, SIGKILL);
                        (void) waitpid(pid, NULL, 0);
                        unlink(shim_address_path(addr));
                        return fail(TAKE_PTR(err));
                }
        }
        fputs(addr, stdout);
        return 0;
}

/* delete: containerd cannot reach the shim (or has closed it): remove what is left of ID and
 * say how it ended, on stdout, as a DeleteResponse. */
static int
action_delete(const struct shim_args *a)
{
        cleanup_free char *cwd = getcwd(NULL, 0);
        const char *bundle = a->bundle && *a->bundle ? a->bundle : cwd;
        cleanup_error berth_error_t *err = NULL;
        struct shim_options o;
        int r;

        if (!bundle)
                return 1;
        if (shim_options_load(bundle, &o, &err) < 0) {
                berth_error_free(err);
                err = NULL;
                shim_options_defaults(&o);
        }
        cleanup_free char *root = xasprintf("%s/%s", o.root, a->namespace_);
        cleanup_free char *log = xasprintf("%s/log.json", bundle);
        struct shim_runtime rt = {.binary = o.binary_name,
                                  .root = root,
                                  .log = log,
                                  .systemd_cgroup = o.systemd_cgroup};
        char *args[] = {"delete", "--force", (char *) a->id, NULL};
        /* After a normal teardown the runtime has nothing left for ID (its state directory
         * <root>/<id> is gone, for berth and runc alike): no need to run it. */
        cleanup_free char *state_dir = xasprintf("%s/%s", root, a->id);
        if (access(state_dir, F_OK) == 0 && shim_runtime_run(&rt, args, NULL, &err) < 0) {
                if (!strstr(err->msg, "does not exist") && !strstr(err->msg, "not exist"))
                        fprintf(stderr, "delete %s: %s\n", a->id, err->msg);
                berth_error_free(err);
                err = NULL;
        }
        cleanup_free char *rootfs = xasprintf("%s/rootfs", bundle);
        if (shim_rootfs_unmount(rootfs, &err) < 0) {
                fprintf(stderr, "unmount %s: %s\n", rootfs, err->msg);
                berth_error_free(err);
                err = NULL;
        }
        /* A killed shim could not remove its socket: the bundle's address file names it (the
         * start action wrote it), so no hashing (and no libcrypto) is needed here. */
        {
                cleanup_free char *addr_path = xasprintf("%s/address", bundle), *addr = NULL;
                if (fs_read_file(AT_FDCWD, addr_path, &addr, NULL, NULL) >= 0) {
                        addr[strcspn(addr, "\n")] = '\0';
                        shim_address_remove_stale(addr);
                }
        }
        uint32_t pid = UINT32_MAX;
        cleanup_free char *pid_path = xasprintf("%s/init.pid", bundle), *text = NULL;
        if (fs_read_file(AT_FDCWD, pid_path, &text, NULL, NULL) >= 0)
                pid = (uint32_t) strtoul(text, NULL, 10);
        shim_options_done(&o);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        containerd_task_v2_DeleteResponse resp = {
                .pid = pid,
                .exit_status = 128 + SIGKILL,
                .has_exited_at = true,
                .exited_at = {.seconds = now.tv_sec, .nanos = (int32_t) now.tv_nsec},
        };
        cleanup_free uint8_t *buf = NULL;
        size_t len;
        r = nano_encode(containerd_task_v2_DeleteResponse_fields, &resp, &buf, &len, &err);
        if (r < 0)
                return fail(TAKE_PTR(err));
        if (fs_write_all(STDOUT_FILENO, buf, len) < 0)
                return 1;
        return 0;
}

struct server {
        struct loop *loop;
        struct shim_service *svc;
        int sigfd;
        bool quit;
};

static void
server_signal(int fd, uint32_t events, void *userdata)
{
        struct server *srv = userdata;
        struct signalfd_siginfo si;

        (void) events;
        while (read(fd, &si, sizeof(si)) == sizeof(si)) {
                if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
                        srv->quit = true;
        }
        for (;;) {
                int ws;
                pid_t pid = waitpid(-1, &ws, WNOHANG);
                if (pid <= 0)
                        break;
                if (!shim_cgroup_warmup_reaped(pid))
                        shim_service_reaped(srv->svc, pid, ws);
        }
}

static int
action_serve(const struct shim_args *a)
{
        cleanup_error berth_error_t *err = NULL;
        struct loop *l = NULL;
        struct ttrpc_server *ts = NULL;
        struct shim_publisher *pub = NULL;
        struct shim_service svc = {.ns = a->namespace_};
        struct server srv = {.svc = &svc, .sigfd = -1};
        cleanup_free char *socket_path = NULL;
        sigset_t mask;
        int r = 1;

        /* containerd's log fifo becomes our stderr. */
        int logfd = open("log", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (logfd >= 0) {
                dup2(logfd, STDERR_FILENO);
                close(logfd);
        }
        struct log_config lc = {.fd = -1,
                                .format = LOG_FORMAT_TEXT,
                                .level = a->debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_WARN};
        log_setup(&lc);
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                log_warn("cannot become a child subreaper: %s", strerror(errno));
        signal(SIGPIPE, SIG_IGN);
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        srv.sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (srv.sigfd < 0) {
                berth_error_sys(&err, errno, "signalfd");
                goto out;
        }
        if (loop_new(&l, &err) < 0
            || loop_add_fd(l, srv.sigfd, EPOLLIN, server_signal, &srv, &err) < 0)
                goto out;
        srv.loop = l;
        svc.loop = l;
        if (shim_publisher_new(l, getenv("TTRPC_ADDRESS"), a->namespace_, &pub, &err) < 0)
                goto out;
        svc.pub = pub;
        if (ttrpc_server_new(l, &ts, &err) < 0 || shim_task_api_register(ts, &svc, &err) < 0)
                goto out;
        if (a->socket) {
                socket_path = xstrdup(a->socket);
                if (ttrpc_server_listen_unix(ts, socket_path, false, &err) < 0)
                        goto out;
        } else {
                /* Inherited without close-on-exec: no runtime or container may get it. */
                (void) fcntl(3, F_SETFD, FD_CLOEXEC);
                if (ttrpc_server_add_listener(ts, 3, &err) < 0)
                        goto out;
                cleanup_free char *addr = NULL;
                if (fs_read_file(AT_FDCWD, "address", &addr, NULL, NULL) >= 0)
                        socket_path = xstrdup(shim_address_path(addr));
        }
        /* Idle for IDLE_TRIM_MS after some work: give memory back once, then sleep. */
        bool trimmed = false;
        while (!srv.quit && !svc.shutdown_requested) {
                int n = loop_run_once(l, trimmed ? -1 : IDLE_TRIM_MS, &err);
                if (n < 0)
                        goto out;
                if (n > 0) {
                        trimmed = false;
                } else if (!trimmed) {
                        idle_trim_apply();
                        trimmed = true;
                }
        }
        /* Going away: no new calls; let queued events out (up to 5 s). */
        ttrpc_server_close_listeners(ts);
        if (socket_path)
                unlink(socket_path);
        for (int waited = 0; !shim_publisher_idle(pub) && waited < SHUTDOWN_FLUSH_MS; waited += 100)
                if (loop_run_once(l, 100, &err) < 0)
                        break;
        r = 0;
out:
        if (err)
                log_berror(err);
        shim_cgroup_warmup_stop(); /* a failed start must not leave its warm-up child behind */
        shim_service_done(&svc);
        ttrpc_server_free(ts);
        shim_publisher_free(pub);
        if (srv.sigfd >= 0)
                close(srv.sigfd);
        loop_free(l);
        return r;
}

int
main(int argc, char **argv)
{
        cleanup_error berth_error_t *err = NULL;
        struct shim_args a;

        if (shim_args_parse(argc, argv, &a, &err) < 0)
                return fail(TAKE_PTR(err));
        if (a.version) {
                printf("containerd-shim-berth-v2:\n  Version: %s\n", PACKAGE_VERSION);
                return 0;
        }
        /* containerd 1.7 and later also say these in the environment. */
        if ((!a.namespace_ || !*a.namespace_) && getenv("NAMESPACE"))
                a.namespace_ = getenv("NAMESPACE");
        if ((!a.address || !*a.address) && getenv("GRPC_ADDRESS"))
                a.address = getenv("GRPC_ADDRESS");
        if (!a.namespace_ || !*a.namespace_)
                a.namespace_ = "default";
        if (!a.action)
                return action_serve(&a);
        if (!a.id || !*a.id)
                return fail((berth_error_new(&err, EINVAL, "shim id is required"), TAKE_PTR(err)));
        if (strcmp(a.action, "start") == 0) {
                if (!a.address || !*a.address)
                        return fail((berth_error_new(&err, EINVAL, "-address is required"),
                                     TAKE_PTR(err)));
                return action_start(&a, argv);
        }
        if (strcmp(a.action, "delete") == 0)
                return action_delete(&a);
        return fail((berth_error_new(&err, EINVAL, "unknown action %s", a.action), TAKE_PTR(err)));
}
