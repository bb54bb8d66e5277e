/* shim/service.c: the task service's behaviour (see service.h). The runtime runs synchronously
 * (shim_runtime_run waits for that child only), so a process's start event is always queued
 * before the reaper can see it exit (interfaces.md §4.2's ordering rule) without a lock. */
#include "shim/service.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/log.h"
#include "lib/sock.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "shim/cgroup_warmup.h"
#include "shim/events.h"
#include "shim/io_copy.h"
#include "shim/oom.h"

/* Everything a process's stdio needs while the runtime starts it. */
struct io_setup {
        struct shim_runtime_io rio; /* the runtime's fds 0-2 (-1: /dev/null) */
        char *console_dir;          /* terminal: the console socket's directory */
        char *console_path;
        int console_listen;
        int out_dest; /* terminal: where the pty's output goes */
        int in_src;   /* terminal: the stdin FIFO, copied into the pty master */
        int logger_ready; /* binary://: closed or written by the logger when it is ready */
};

static void
io_setup_done(struct io_setup *io)
{
        if (io->rio.in >= 0)
                close(io->rio.in);
        if (io->rio.out >= 0)
                close(io->rio.out);
        if (io->rio.err >= 0 && io->rio.err != io->rio.out)
                close(io->rio.err);
        if (io->console_listen >= 0)
                close(io->console_listen);
        if (io->console_path)
                unlink(io->console_path);
        if (io->console_dir)
                rmdir(io->console_dir);
        if (io->out_dest >= 0)
                close(io->out_dest);
        if (io->in_src >= 0)
                close(io->in_src);
        if (io->logger_ready >= 0)
                close(io->logger_ready);
        free(io->console_path);
        free(io->console_dir);
        *io = (struct io_setup){.rio = {-1, -1, -1},
                                .console_listen = -1,
                                .out_dest = -1,
                                .in_src = -1,
                                .logger_ready = -1};
}

/* Wait for a binary:// logger to be ready (or dead). Not before the runtime's create or exec
 * has run: the logger starts meanwhile (the process's output waits in the pipe; a created init
 * writes nothing before start). */
static void
io_logger_wait(struct io_setup *io)
{
        char buf[1];

        if (io->logger_ready < 0)
                return;
        while (read(io->logger_ready, buf, sizeof(buf)) < 0 && errno == EINTR)
                ;
        close(io->logger_ready);
        io->logger_ready = -1;
}

static void
proc_free(struct shim_proc *p)
{
        if (!p)
                return;
        for (size_t i = 0; i < 3; i++)
                shim_copy_free(p->copies[i]);
        if (p->console >= 0)
                close(p->console);
        if (p->stdin_keep >= 0)
                close(p->stdin_keep);
        for (size_t i = 0; i < 2; i++)
                if (p->out_keep[i] >= 0)
                        close(p->out_keep[i]);
        if (p->logger > 0)
                kill(p->logger, SIGTERM); /* reaped by the reaper, which ignores unknown pids */
        for (struct shim_waiter *w = p->waiters, *next; w; w = next) {
                next = w->next;
                w->fn(w, NULL);
        }
        free(p->exec_id);
        free(p->stdin_uri);
        free(p->stdout_uri);
        free(p->stderr_uri);
        free(p->spec_json);
        free(p);
}

static struct shim_proc *
proc_new(struct shim_container *ct, const char *exec_id, bool terminal, const char *in,
         const char *out, const char *errs)
{
        struct shim_proc *p = xmalloc(sizeof(*p));

        *p = (struct shim_proc){.ct = ct,
                                .exec_id = exec_id ? xstrdup(exec_id) : NULL,
                                .status = SHIM_STATUS_CREATED,
                                .terminal = terminal,
                                .stdin_uri = xstrdup(in ? in : ""),
                                .stdout_uri = xstrdup(out ? out : ""),
                                .stderr_uri = xstrdup(errs ? errs : ""),
                                .console = -1,
                                .stdin_keep = -1,
                                .out_keep = {-1, -1}};
        return p;
}

static void
container_free(struct shim_service *s, struct shim_container *ct)
{
        if (!ct)
                return;
        for (struct shim_proc *p = ct->execs, *next; p; p = next) {
                next = p->next;
                proc_free(p);
        }
        proc_free(ct->init);
        shim_oom_unwatch(s->loop, ct);
        shim_options_done(&ct->opts);
        free(ct->id);
        free(ct->bundle);
        free(ct->rt_root);
        free(ct->rt_log);
        free(ct);
}

struct shim_container *
shim_service_find(struct shim_service *s, const char *id)
{
        for (struct shim_container *ct = s->containers; ct; ct = ct->next)
                if (strcmp(ct->id, id) == 0)
                        return ct;
        return NULL;
}

int
shim_service_proc(struct shim_service *s, const char *id, const char *exec_id,
                  struct shim_proc **ret, berth_error_t **err)
{
        struct shim_container *ct = shim_service_find(s, id);

        if (!ct)
                return berth_error_new(err, ENOENT, "container %s", id);
        if (!exec_id || !*exec_id) {
                *ret = ct->init;
                return 0;
        }
        for (struct shim_proc *p = ct->execs; p; p = p->next)
                if (strcmp(p->exec_id, exec_id) == 0) {
                        *ret = p;
                        return 0;
                }
        return berth_error_new(err, ENOENT, "process %s", exec_id);
}

/* Open an output FIFO or file for writing without blocking: a FIFO first gets our own reader,
 * which also keeps the writer from EPIPE when the client goes away (interfaces.md §5.2). */
static int
open_output(const char *path, int *keep, berth_error_t **err)
{
        struct stat st;

        if (stat(path, &st) < 0)
                return berth_error_sys(err, errno, "stdio %s", path);
        if (S_ISFIFO(st.st_mode)) {
                *keep = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
                if (*keep < 0)
                        return berth_error_sys(err, errno, "open fifo %s", path);
                int fd = open(path, O_WRONLY | O_CLOEXEC);
                if (fd < 0)
                        return berth_error_sys(err, errno, "open fifo %s", path);
                return fd;
        }
        int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
        if (fd < 0)
                return berth_error_sys(err, errno, "open %s", path);
        return fd;
}

/* The stdin FIFO: a reader for the process (blocking once it is theirs) and our own writer,
 * so the process sees no end of file before CloseIO. */
static int
open_input(struct shim_proc *p, const char *path, berth_error_t **err)
{
        int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

        if (fd < 0)
                return berth_error_sys(err, errno, "open fifo %s", path);
        p->stdin_keep = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (p->stdin_keep < 0) {
                int e = errno;
                close(fd);
                return berth_error_sys(err, e, "open fifo %s", path);
        }
        return fd;
}

static int
fd_set_blocking(int fd)
{
        int fl = fcntl(fd, F_GETFL);

        if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
                return -errno;
        return 0;
}

/* A binary:// logger (interfaces.md §5.3): fds 3 and 4 read the process's stdout and stderr,
 * fd 5 tells us it is ready; its environment is only CONTAINER_ID and CONTAINER_NAMESPACE. */
static int
start_logger(struct shim_service *s, struct shim_proc *p, const struct shim_stdio *st,
             struct io_setup *io, berth_error_t **err)
{
        int outp[2], errp[2], ready[2];
        char env_id[512], env_ns[512];

        if (pipe2(outp, O_CLOEXEC) < 0)
                return berth_error_sys(err, errno, "pipe");
        if (pipe2(errp, O_CLOEXEC) < 0) {
                close(outp[0]);
                close(outp[1]);
                return berth_error_sys(err, errno, "pipe");
        }
        if (pipe2(ready, O_CLOEXEC) < 0) {
                close(outp[0]);
                close(outp[1]);
                close(errp[0]);
                close(errp[1]);
                return berth_error_sys(err, errno, "pipe");
        }
        snprintf(env_id, sizeof(env_id), "CONTAINER_ID=%s", p->ct->id);
        snprintf(env_ns, sizeof(env_ns), "CONTAINER_NAMESPACE=%s", s->ns);
        pid_t pid = fork();
        if (pid == 0) {
                char *envp[] = {env_id, env_ns, NULL};
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, NULL);
                signal(SIGPIPE, SIG_DFL);
                int in = open("/dev/null", O_RDWR);
                if (in < 0 || dup2(in, 0) < 0 || dup2(in, 1) < 0)
                        _exit(127);
                /* fd 2 stays the shim's log. 3, 4, 5 without close-on-exec. */
                if (dup2(outp[0], 3) < 0 || dup2(errp[0], 4) < 0 || dup2(ready[1], 5) < 0)
                        _exit(127);
                execve(st->path, st->argv, envp);
                _exit(127);
        }
        int e = errno;
        close(outp[0]);
        close(errp[0]);
        close(ready[1]);
        if (pid < 0) {
                close(outp[1]);
                close(errp[1]);
                close(ready[0]);
                return berth_error_sys(err, e, "start logger %s", st->path);
        }
        p->logger = pid;
        /* It closes fd 5 (or writes to it) when it is ready, or dies: io_logger_wait. */
        io->logger_ready = ready[0];
        io->rio.out = outp[1];
        io->rio.err = errp[1];
        return 0;
}

static int
io_prepare(struct shim_service *s, struct shim_proc *p, struct io_setup *io, berth_error_t **err)
{
        struct shim_stdio st = {0};
        int r;

        *io = (struct io_setup){.rio = {-1, -1, -1},
                                .console_listen = -1,
                                .out_dest = -1,
                                .in_src = -1,
                                .logger_ready = -1};
        r = shim_stdio_parse(p->stdin_uri, p->stdout_uri, p->terminal ? "" : p->stderr_uri, &st,
                             err);
        if (r < 0)
                return r;
        int *out = p->terminal ? &io->out_dest : &io->rio.out;
        int *in = p->terminal ? &io->in_src : &io->rio.in;
        /* Stdin is a FIFO whatever the output is (a file:// or binary:// log included). */
        if (st.stdin_path && (r = *in = open_input(p, st.stdin_path, err)) < 0)
                goto fail;
        switch (st.kind) {
        case SHIM_STDIO_NULL:
                break;
        case SHIM_STDIO_FIFO:
                if (st.stdout_path
                    && (r = *out = open_output(st.stdout_path, &p->out_keep[0], err)) < 0)
                        goto fail;
                if (!p->terminal && st.stderr_path) {
                        if (st.stdout_path && strcmp(st.stdout_path, st.stderr_path) == 0)
                                io->rio.err = io->rio.out;
                        else if ((r = io->rio.err =
                                          open_output(st.stderr_path, &p->out_keep[1], err))
                                 < 0)
                                goto fail;
                }
                break;
        case SHIM_STDIO_FILE: {
                cleanup_free char *dir = xstrdup(st.path);
                char *slash = strrchr(dir, '/');
                if (slash && slash != dir) {
                        *slash = '\0';
                        if ((r = fs_mkdir_p(dir, 0755, err)) < 0)
                                goto fail;
                }
                *out = open(st.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
                if (*out < 0) {
                        r = berth_error_sys(err, errno, "open %s", st.path);
                        goto fail;
                }
                if (!p->terminal)
                        io->rio.err = io->rio.out;
                break;
        }
        case SHIM_STDIO_BINARY:
                if ((r = start_logger(s, p, &st, io, err)) < 0)
                        goto fail;
                if (p->terminal) {
                        io->out_dest = io->rio.out;
                        close(io->rio.err);
                        io->rio.out = io->rio.err = -1;
                }
                break;
        }
        /* The process gets its ends blocking (they were opened without blocking us). */
        if (io->rio.in >= 0)
                (void) fd_set_blocking(io->rio.in);
        if (io->rio.out >= 0)
                (void) fd_set_blocking(io->rio.out);
        if (io->rio.err >= 0)
                (void) fd_set_blocking(io->rio.err);
        if (p->ct->opts.io_uid || p->ct->opts.io_gid)
                for (int *fd = &io->rio.in; fd <= &io->rio.err; fd++)
                        if (*fd >= 0 && !isatty(*fd))
                                (void) fchown(*fd, p->ct->opts.io_uid, p->ct->opts.io_gid);
        if (p->terminal) {
                char tmpl[] = "/tmp/berth-pty.XXXXXX";
                if (!mkdtemp(tmpl)) {
                        r = berth_error_sys(err, errno, "console socket directory");
                        goto fail;
                }
                io->console_dir = xstrdup(tmpl);
                io->console_path = xasprintf("%s/pty.sock", tmpl);
                r = io->console_listen = sock_listen_unix(io->console_path, 0, 1, err);
                if (r < 0)
                        goto fail;
        }
        shim_stdio_done(&st);
        return 0;
fail:
        shim_stdio_done(&st);
        io_setup_done(io);
        return r;
}

static void
copy_done(struct shim_copy *c, void *userdata)
{
        (void) c;
        (void) userdata;
}

/* After the runtime ran: with a terminal, take the pty master it sent and copy through it. */
static int
io_started(struct shim_service *s, struct shim_proc *p, struct io_setup *io, berth_error_t **err)
{
        int r;

        if (!p->terminal)
                goto out;
        int conn = accept4(io->console_listen, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0) {
                r = berth_error_sys(err, errno, "console socket: the runtime sent no terminal");
                goto fail;
        }
        (void) fd_set_blocking(conn);
        r = sock_recv_fd(conn, err);
        close(conn);
        if (r < 0)
                goto fail;
        p->console = r;
        if (io->out_dest >= 0) {
                int master = fcntl(p->console, F_DUPFD_CLOEXEC, 3);
                if (master < 0) {
                        r = berth_error_sys(err, errno, "dup pty master");
                        goto fail;
                }
                r = shim_copy_new(s->loop, master, io->out_dest, true, copy_done, p, &p->copies[1],
                                  err);
                io->out_dest = -1;
                if (r < 0)
                        goto fail;
        }
        if (io->in_src >= 0) {
                int master = fcntl(p->console, F_DUPFD_CLOEXEC, 3);
                if (master < 0) {
                        r = berth_error_sys(err, errno, "dup pty master");
                        goto fail;
                }
                r = shim_copy_new(s->loop, io->in_src, master, false, copy_done, p, &p->copies[0],
                                  err);
                io->in_src = -1;
                if (r < 0)
                        goto fail;
        }
out:
        io_setup_done(io);
        return 0;
fail:
        io_setup_done(io);
        return r;
}

static int
read_pid_file(const char *path, pid_t *ret, berth_error_t **err)
{
        cleanup_free char *text = NULL;
        char *end;
        long v;
        int r;

        r = fs_read_file(AT_FDCWD, path, &text, NULL, err);
        if (r < 0)
                return r;
        errno = 0;
        v = strtol(text, &end, 10);
        if (errno || end == text || v <= 0 || (*end && *end != '\n'))
                return berth_error_new(err, EINVAL, "%s: not a pid: %s", path, text);
        *ret = (pid_t) v;
        return 0;
}

static bool
config_shares_pidns(const char *bundle)
{
        cleanup_free char *path = xasprintf("%s/config.json", bundle);
        cleanup_json struct json_object *cfg = NULL;
        cleanup_error berth_error_t *e = NULL;
        struct json_object *linux_, *nss;

        if (json_parse_file(path, &cfg, &e) < 0)
                return false;
        if (!json_object_object_get_ex(cfg, "linux", &linux_)
            || !json_object_object_get_ex(linux_, "namespaces", &nss)
            || !json_object_is_type(nss, json_type_array))
                return true;
        for (size_t i = 0; i < json_object_array_length(nss); i++) {
                struct json_object *ns = json_object_array_get_idx(nss, i), *t, *path_;
                if (json_object_object_get_ex(ns, "type", &t)
                    && strcmp(json_object_get_string(t), "pid") == 0
                    && (!json_object_object_get_ex(ns, "path", &path_)
                        || !*json_object_get_string(path_)))
                        return false;
        }
        return true;
}

int
shim_service_create(struct shim_service *s, const struct shim_create *req, pid_t *ret_pid,
                    berth_error_t **err)
{
        cleanup_free char *rootfs = NULL, *pid_file = NULL;
        cleanup_strv char **args = NULL;
        struct io_setup io = {.rio = {-1, -1, -1},
                              .console_listen = -1,
                              .out_dest = -1,
                              .in_src = -1,
                              .logger_ready = -1};
        struct shim_container *ct;
        int r;

        if (shim_service_find(s, req->id))
                return berth_error_new(err, EEXIST, "container %s", req->id);
        if (req->checkpoint && *req->checkpoint)
                return berth_error_new(err, EOPNOTSUPP, "create %s: restore from a checkpoint",
                                       req->id);
        ct = xmalloc(sizeof(*ct));
        *ct = (struct shim_container){
                .id = xstrdup(req->id), .bundle = xstrdup(req->bundle), .oom_fd = -1};
        if (req->opts) {
                ct->opts = (struct shim_options){
                        .binary_name = xstrdup(req->opts->binary_name),
                        .root = xstrdup(req->opts->root),
                        .criu_path = req->opts->criu_path ? xstrdup(req->opts->criu_path) : NULL,
                        .systemd_cgroup = req->opts->systemd_cgroup,
                        .no_pivot_root = req->opts->no_pivot_root,
                        .no_new_keyring = req->opts->no_new_keyring,
                        .io_uid = req->opts->io_uid,
                        .io_gid = req->opts->io_gid,
                };
        } else {
                shim_options_defaults(&ct->opts);
        }
        ct->rt_root = xasprintf("%s/%s", ct->opts.root, s->ns);
        ct->rt_log = xasprintf("%s/log.json", ct->bundle);
        ct->rt = (struct shim_runtime){.binary = ct->opts.binary_name,
                                       .root = ct->rt_root,
                                       .log = ct->rt_log,
                                       .criu = ct->opts.criu_path,
                                       .systemd_cgroup = ct->opts.systemd_cgroup};
        /* The runtime moves the init into its cgroups soon (cgroup_warmup.h). */
        if (shim_cgroup_warmup_wanted(ct->rt.binary))
                shim_cgroup_warmup_spawn();
        ct->shared_pidns = config_shares_pidns(ct->bundle);
        ct->init =
                proc_new(ct, NULL, req->terminal, req->stdin_uri, req->stdout_uri, req->stderr_uri);

        r = shim_options_save(ct->bundle, &ct->opts, err);
        if (r < 0)
                goto fail;
        if (req->n_rootfs > 0) {
                rootfs = xasprintf("%s/rootfs", ct->bundle);
                r = shim_rootfs_mount(req->rootfs, req->n_rootfs, rootfs, err);
                if (r < 0)
                        goto fail;
                ct->rootfs_mounted = true;
        }
        r = io_prepare(s, ct->init, &io, err);
        if (r < 0)
                goto fail;
        pid_file = xasprintf("%s/init.pid", ct->bundle);
        strv_push(&args, "create");
        strv_push(&args, "--bundle");
        strv_push(&args, ct->bundle);
        strv_push(&args, "--pid-file");
        strv_push(&args, pid_file);
        if (io.console_path) {
                strv_push(&args, "--console-socket");
                strv_push(&args, io.console_path);
        }
        if (ct->opts.no_pivot_root)
                strv_push(&args, "--no-pivot");
        if (ct->opts.no_new_keyring)
                strv_push(&args, "--no-new-keyring");
        strv_push(&args, ct->id);
        r = shim_runtime_run(&ct->rt, args, &io.rio, err);
        shim_cgroup_warmup_stop();
        io_logger_wait(&io);
        if (r < 0)
                goto fail;
        r = read_pid_file(pid_file, &ct->init->pid, err);
        if (r >= 0)
                r = io_started(s, ct->init, &io, err);
        if (r < 0) {
                char *del[] = {"delete", "--force", ct->id, NULL};
                cleanup_error berth_error_t *e2 = NULL;
                (void) shim_runtime_run(&ct->rt, del, NULL, &e2);
                goto fail;
        }
        shim_oom_watch(s, ct);
        ct->next = s->containers;
        s->containers = ct;
        shim_event_task_create(s->pub, ct->id, ct->bundle, req->rootfs, req->n_rootfs,
                               req->stdin_uri, req->stdout_uri, req->stderr_uri, req->terminal,
                               req->checkpoint, (uint32_t) ct->init->pid);
        *ret_pid = ct->init->pid;
        return 0;
fail:
        io_setup_done(&io);
        if (ct->rootfs_mounted) {
                cleanup_error berth_error_t *e2 = NULL;
                (void) shim_rootfs_unmount(rootfs, &e2);
        }
        container_free(s, ct);
        return berth_error_prefix(err, "create %s", req->id);
}

int
shim_service_start(struct shim_service *s, const char *id, const char *exec_id, pid_t *ret_pid,
                   berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, exec_id, &p, err);
        if (r < 0)
                return r;
        struct shim_container *ct = p->ct;
        if (p->status != SHIM_STATUS_CREATED || p->exited)
                return berth_error_new(err, EBUSY,
                                       "start %s: the process is not in the created state",
                                       p->exec_id ? p->exec_id : id);
        if (p->exec_id && shim_cgroup_warmup_wanted(ct->rt.binary))
                shim_cgroup_warmup_spawn(); /* `exec` moves it into the container's cgroups */
        if (!p->exec_id) {
                char *args[] = {"start", ct->id, NULL};
                r = shim_runtime_run(&ct->rt, args, NULL, err);
                if (r < 0)
                        return berth_error_prefix(err, "start %s", id);
                if (!p->exited)
                        p->status = SHIM_STATUS_RUNNING;
                shim_event_task_start(s->pub, ct->id, (uint32_t) p->pid);
                *ret_pid = p->pid;
                return 0;
        }
        if (ct->init->exited || ct->init->status == SHIM_STATUS_CREATED)
                return berth_error_new(err, EBUSY, "exec %s: the container is not running",
                                       p->exec_id);
        struct io_setup io;
        cleanup_free char *spec = xasprintf("%s/.%s.process.json", ct->bundle, p->exec_id);
        cleanup_free char *pid_file = xasprintf("%s/%s.pid", ct->bundle, p->exec_id);
        cleanup_strv char **args = NULL;
        cleanup_close int dirfd = open(ct->bundle, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
        if (dirfd < 0)
                return berth_error_sys(err, errno, "exec %s: open bundle", p->exec_id);
        r = fs_replace_file(dirfd, strrchr(spec, '/') + 1, p->spec_json, strlen(p->spec_json), 0600,
                            err);
        if (r < 0)
                return berth_error_prefix(err, "exec %s", p->exec_id);
        r = io_prepare(s, p, &io, err);
        if (r < 0) {
                unlink(spec);
                return berth_error_prefix(err, "exec %s", p->exec_id);
        }
        strv_push(&args, "exec");
        strv_push(&args, "--detach");
        strv_push(&args, "--process");
        strv_push(&args, spec);
        strv_push(&args, "--pid-file");
        strv_push(&args, pid_file);
        if (io.console_path) {
                strv_push(&args, "--console-socket");
                strv_push(&args, io.console_path);
        }
        strv_push(&args, ct->id);
        r = shim_runtime_run(&ct->rt, args, &io.rio, err);
        shim_cgroup_warmup_stop();
        io_logger_wait(&io);
        unlink(spec);
        if (r >= 0)
                r = read_pid_file(pid_file, &p->pid, err);
        unlink(pid_file);
        if (r < 0) {
                io_setup_done(&io);
                return berth_error_prefix(err, "exec %s", p->exec_id);
        }
        r = io_started(s, p, &io, err);
        if (r < 0) {
                kill(p->pid, SIGKILL);
                return berth_error_prefix(err, "exec %s", p->exec_id);
        }
        if (!p->exited)
                p->status = SHIM_STATUS_RUNNING;
        shim_event_exec_started(s->pub, ct->id, p->exec_id, (uint32_t) p->pid);
        *ret_pid = p->pid;
        return 0;
}

static void
proc_unlink(struct shim_container *ct, struct shim_proc *p)
{
        for (struct shim_proc **pp = &ct->execs; *pp; pp = &(*pp)->next)
                if (*pp == p) {
                        *pp = p->next;
                        return;
                }
}

static void
container_unlink(struct shim_service *s, struct shim_container *ct)
{
        for (struct shim_container **pp = &s->containers; *pp; pp = &(*pp)->next)
                if (*pp == ct) {
                        *pp = ct->next;
                        return;
                }
}

static void
proc_set_exited(struct shim_proc *p, int wstatus)
{
        p->exited = true;
        p->status = SHIM_STATUS_STOPPED;
        p->exit.pid = p->pid;
        if (WIFEXITED(wstatus))
                p->exit.status = (uint32_t) WEXITSTATUS(wstatus);
        else if (WIFSIGNALED(wstatus))
                p->exit.status = 128 + (uint32_t) WTERMSIG(wstatus);
        else
                p->exit.status = 255;
        clock_gettime(CLOCK_REALTIME, &p->exit.at);
}

int
shim_service_delete(struct shim_service *s, const char *id, const char *exec_id,
                    struct shim_proc_exit *ret, berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, exec_id, &p, err);
        if (r < 0)
                return r;
        struct shim_container *ct = p->ct;
        if (!p->exited && p->status != SHIM_STATUS_CREATED)
                return berth_error_new(err, EBUSY, "delete %s: the process is running",
                                       p->exec_id ? p->exec_id : id);
        if (p->exec_id) {
                *ret = p->exit;
                if (!p->exited)
                        clock_gettime(CLOCK_REALTIME, &ret->at);
                proc_unlink(ct, p);
                proc_free(p);
                return 0;
        }
        char *args[] = {"delete", "--force", ct->id, NULL};
        r = shim_runtime_run(&ct->rt, p->exited ? (char *[]){"delete", ct->id, NULL} : args, NULL,
                             err);
        if (r < 0) {
                /* Already gone from the runtime (a second Delete after a failed one) is fine. */
                cleanup_error berth_error_t *e2 = NULL;
                char *st[] = {"state", ct->id, NULL};
                if (shim_runtime_run(&ct->rt, st, NULL, &e2) == 0)
                        return berth_error_prefix(err, "delete %s", id);
                berth_error_free(*err);
                *err = NULL;
        }
        if (!p->exited && p->pid > 0) {
                /* delete --force killed the never-started init: collect it here. */
                int ws;
                if (waitpid(p->pid, &ws, 0) == p->pid)
                        proc_set_exited(p, ws);
        }
        if (ct->rootfs_mounted) {
                cleanup_free char *rootfs = xasprintf("%s/rootfs", ct->bundle);
                r = shim_rootfs_unmount_deferred(rootfs, err);
                if (r < 0)
                        return berth_error_prefix(err, "delete %s", id);
                ct->rootfs_mounted = false;
        }
        *ret = p->exit;
        if (!p->exited) {
                ret->pid = p->pid;
                clock_gettime(CLOCK_REALTIME, &ret->at);
        }
        shim_event_task_delete(s->pub, ct->id, "", (uint32_t) ret->pid, ret->status, &ret->at);
        container_unlink(s, ct);
        container_free(s, ct);
        return 0;
}

int
shim_service_exec(struct shim_service *s, const char *id, const char *exec_id, bool terminal,
                  const char *in, const char *out, const char *errs, const char *spec_json,
                  berth_error_t **err)
{
        struct shim_container *ct = shim_service_find(s, id);
        struct shim_proc *p = NULL;
        cleanup_json struct json_object *spec = NULL;
        int r;

        if (!ct)
                return berth_error_new(err, ENOENT, "container %s", id);
        if (!exec_id || !*exec_id)
                return berth_error_new(err, EINVAL, "exec: an exec id is required");
        /* It names files in the bundle: containerd's identifier rules keep it a plain name. */
        if (exec_id[0] == '.' || strchr(exec_id, '/'))
                return berth_error_new(err, EINVAL, "exec: invalid exec id \"%s\"", exec_id);
        if (shim_service_proc(s, id, exec_id, &p, NULL) == 0 && p)
                return berth_error_new(err, EEXIST, "id %s", exec_id);
        if (ct->init->exited)
                return berth_error_new(err, EBUSY, "exec %s: container %s is not running", exec_id,
                                       id);
        r = json_parse_buffer(spec_json, strlen(spec_json), &spec, err);
        if (r < 0 || !json_object_is_type(spec, json_type_object)) {
                if (r >= 0)
                        r = berth_error_new(err, EINVAL, "the process spec is not a JSON object");
                return berth_error_prefix(err, "exec %s: spec", exec_id);
        }
        /* The runtime takes the terminal from the process JSON (interfaces.md §5.4). */
        json_object_object_add(spec, "terminal", json_object_new_boolean(terminal));
        p = proc_new(ct, exec_id, terminal, in, out, errs);
        p->spec_json = xstrdup(json_object_to_json_string_ext(spec, JSON_C_TO_STRING_PLAIN));
        p->next = ct->execs;
        ct->execs = p;
        shim_event_exec_added(s->pub, id, exec_id);
        return 0;
}

int
shim_service_kill(struct shim_service *s, const char *id, const char *exec_id, uint32_t signal,
                  bool all, berth_error_t **err)
{
        struct shim_proc *p = NULL;
        char sig[16];
        int r;

        r = shim_service_proc(s, id, exec_id, &p, err);
        if (r < 0)
                return r;
        if (p->exited)
                return berth_error_new(err, ENOENT, "process already finished");
        if (p->exec_id) {
                if (p->pid <= 0)
                        return berth_error_new(err, EBUSY, "process %s has not been started",
                                               p->exec_id);
                if (kill(p->pid, (int) signal) < 0)
                        return berth_error_sys(err, errno, "kill %s", p->exec_id);
                return 0;
        }
        snprintf(sig, sizeof(sig), "%u", signal);
        cleanup_strv char **argv = NULL;
        strv_push(&argv, "kill");
        if (all)
                strv_push(&argv, "--all");
        strv_push(&argv, id);
        strv_push(&argv, sig);
        r = shim_runtime_run(&p->ct->rt, argv, NULL, err);
        if (r < 0) {
                if (p->exited)
                        return berth_error_new(err, ENOENT, "process already finished");
                return berth_error_prefix(err, "kill %s", id);
        }
        return 0;
}

int
shim_service_pause(struct shim_service *s, const char *id, bool pause, berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, NULL, &p, err);
        if (r < 0)
                return r;
        char *args[] = {pause ? "pause" : "resume", (char *) id, NULL};
        r = shim_runtime_run(&p->ct->rt, args, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "%s %s", args[0], id);
        if (!p->exited)
                p->status = pause ? SHIM_STATUS_PAUSED : SHIM_STATUS_RUNNING;
        shim_event_paused(s->pub, id, pause);
        return 0;
}

int
shim_service_resize(struct shim_service *s, const char *id, const char *exec_id, uint32_t width,
                    uint32_t height, berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, exec_id, &p, err);
        if (r < 0)
                return r;
        if (p->console < 0)
                return 0;
        struct winsize ws = {.ws_col = (unsigned short) width, .ws_row = (unsigned short) height};
        if (ioctl(p->console, TIOCSWINSZ, &ws) < 0)
                return berth_error_sys(err, errno, "resize the terminal of %s",
                                       p->exec_id ? p->exec_id : id);
        return 0;
}

int
shim_service_close_io(struct shim_service *s, const char *id, const char *exec_id,
                      berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, exec_id, &p, err);
        if (r < 0)
                return r;
        if (p->stdin_keep >= 0) {
                close(p->stdin_keep);
                p->stdin_keep = -1;
        }
        return 0;
}

/* Run the runtime with ARGS, feeding IN (may be NULL) and returning what it printed. */
static int
runtime_capture(const struct shim_runtime *rt, char *const *args, const char *in, char **ret,
                berth_error_t **err)
{
        cleanup_close int infd = -1, outfd = -1;
        int r;

        if (in) {
                infd = memfd_create("berth-shim-in", MFD_CLOEXEC);
                if (infd < 0 || fs_write_all(infd, in, strlen(in)) < 0
                    || lseek(infd, 0, SEEK_SET) < 0)
                        return berth_error_sys(err, errno, "runtime input");
        }
        if (ret) {
                outfd = memfd_create("berth-shim-out", MFD_CLOEXEC);
                if (outfd < 0)
                        return berth_error_sys(err, errno, "runtime output");
        }
        struct shim_runtime_io io = {.in = infd, .out = outfd, .err = -1};
        r = shim_runtime_run(rt, args, &io, err);
        if (r < 0)
                return r;
        if (!ret)
                return 0;
        if (lseek(outfd, 0, SEEK_SET) < 0)
                return berth_error_sys(err, errno, "runtime output");
        cleanup_free char *proc = xasprintf("/proc/self/fd/%d", outfd);
        return fs_read_file(AT_FDCWD, proc, ret, NULL, err);
}

int
shim_service_update(struct shim_service *s, const char *id, const char *resources_json,
                    berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, NULL, &p, err);
        if (r < 0)
                return r;
        char *args[] = {"update", "--resources", "-", (char *) id, NULL};
        r = runtime_capture(&p->ct->rt, args, resources_json, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "update %s", id);
        return 0;
}

int
shim_service_pids(struct shim_service *s, const char *id, pid_t **ret, size_t *ret_n,
                  berth_error_t **err)
{
        cleanup_free char *out = NULL;
        cleanup_json struct json_object *j = NULL;
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, NULL, &p, err);
        if (r < 0)
                return r;
        char *args[] = {"ps", "--format", "json", (char *) id, NULL};
        r = runtime_capture(&p->ct->rt, args, NULL, &out, err);
        if (r < 0)
                return berth_error_prefix(err, "pids %s", id);
        r = json_parse_buffer(out, strlen(out), &j, err);
        if (r < 0)
                return berth_error_prefix(err, "pids %s: ps output", id);
        if (json_object_is_type(j, json_type_null)) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (!json_object_is_type(j, json_type_array))
                return berth_error_new(err, EIO, "pids %s: ps output is not a JSON array", id);
        size_t n = json_object_array_length(j);
        pid_t *v = xmalloc((n ? n : 1) * sizeof(*v));
        for (size_t i = 0; i < n; i++)
                v[i] = (pid_t) json_object_get_int(json_object_array_get_idx(j, i));
        *ret = v;
        *ret_n = n;
        return 0;
}

int
shim_service_stats_json(struct shim_service *s, const char *id, char **ret, berth_error_t **err)
{
        struct shim_proc *p = NULL;
        int r;

        r = shim_service_proc(s, id, NULL, &p, err);
        if (r < 0)
                return r;
        char *args[] = {"events", "--stats", (char *) id, NULL};
        r = runtime_capture(&p->ct->rt, args, NULL, ret, err);
        if (r < 0)
                return berth_error_prefix(err, "stats %s", id);
        return 0;
}

int
shim_service_checkpoint(struct shim_service *s, const char *id, const char *path,
                        bool leave_running, berth_error_t **err)
{
        struct shim_proc *p = NULL;
        cleanup_strv char **args = NULL;
        int r;

        r = shim_service_proc(s, id, NULL, &p, err);
        if (r < 0)
                return r;
        cleanup_free char *work = xasprintf("%s/work", p->ct->bundle);
        strv_push(&args, "checkpoint");
        strv_push(&args, "--image-path");
        strv_push(&args, path);
        strv_push(&args, "--work-path");
        strv_push(&args, work);
        if (leave_running)
                strv_push(&args, "--leave-running");
        strv_push(&args, id);
        r = shim_runtime_run(&p->ct->rt, args, NULL, err);
        if (r < 0)
                return berth_error_prefix(err, "checkpoint %s", id);
        shim_event_checkpointed(s->pub, id);
        return 0;
}

static struct shim_proc *
service_find_pid(struct shim_service *s, pid_t pid)
{
        for (struct shim_container *ct = s->containers; ct; ct = ct->next) {
                if (ct->init->pid == pid && !ct->init->exited)
                        return ct->init;
                for (struct shim_proc *p = ct->execs; p; p = p->next)
                        if (p->pid == pid && !p->exited)
                                return p;
        }
        return NULL;
}

/* The pty's last output, before the exit is told (ctr run -t prints it, then exits). */
static void
proc_drain_console(struct shim_proc *p)
{
        if (p->copies[1])
                shim_copy_drain(p->copies[1]);
}

void
shim_service_reaped(struct shim_service *s, pid_t pid, int wstatus)
{
        struct shim_proc *p = service_find_pid(s, pid);

        if (!p) {
                for (struct shim_container *ct = s->containers; ct; ct = ct->next)
                        for (struct shim_proc *q = ct->init; q;
                             q = q == ct->init ? ct->execs : q->next)
                                if (q->logger == pid)
                                        q->logger = 0;
                return;
        }
        struct shim_container *ct = p->ct;
        if (!p->exec_id && ct->shared_pidns) {
                /* No pid namespace of its own: nothing else would end the rest (§2.6). */
                char *args[] = {"kill", "--all", ct->id, "9", NULL};
                cleanup_error berth_error_t *e = NULL;
                if (shim_runtime_run(&ct->rt, args, NULL, &e) < 0)
                        log_debug("kill --all %s after its init exited: %s", ct->id, e->msg);
        }
        proc_set_exited(p, wstatus);
        proc_drain_console(p);
        if (!p->exec_id)
                shim_oom_check(s, ct);
        shim_event_task_exit(s->pub, ct->id, p->exec_id ? p->exec_id : ct->id, (uint32_t) p->pid,
                             p->exit.status, &p->exit.at);
        for (struct shim_waiter *w = p->waiters, *next; w; w = next) {
                next = w->next;
                w->fn(w, &p->exit);
        }
        p->waiters = NULL;
}

void
shim_service_done(struct shim_service *s)
{
        for (struct shim_container *ct = s->containers, *next; ct; ct = next) {
                next = ct->next;
                container_free(s, ct);
        }
        s->containers = NULL;
}
