/* tests/helpers/berth_task_test.c: berth-task-test, a driver of supervisor/tasks for
 * tests/integration/tasks.bats: each subcommand does what berthd will do through the task layer,
 * so a test can kill the driver between steps (live restore) and look at what is left.
 *
 *   berth-task-test [--exec-root DIR] [--ns NS] --shim PATH --runtime PATH [--events SOCK]
 *                   [--address A] CMD ID BUNDLE [ARGS]
 *   create [--stdin P] [--stdout P] [--stderr P] [--tty] [--rootfs-bind DIR]
 *                          create the task (DIR bind-mounted by the shim as its rootfs), print the
 * pid start [EXEC]           print the pid          wait [EXEC]       print and exit with the
 * status exec EXEC [stdio] -- ARGV...  Exec + Start    kill SIG [--all] [--exec EXEC] state [EXEC]
 * "STATUS PID EXIT"      recover           "alive|gone STATUS PID EXIT" teardown               "PID
 * EXIT"             delete-exec EXEC  "PID EXIT" pids | pause | resume | stats | closeio [EXEC] |
 * resize EXEC W H | update JSON run [stdio]            create, start, wait, teardown; exit with the
 * init's status hold [stdio]           create, start, print the pid, then sleep until killed
 *   wait-while-kill        Wait on one thread while another calls State and Kill 9
 *   churn N                N rounds of run in one process with its own events server:
 *                          "fds BEFORE AFTER exits N"
 *   berth-task-test events SOCK    serve Events/Forward, one line per event on stdout
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/xalloc.h"
#include "supervisor/tasks/address.h"
#include "supervisor/tasks/events.h"
#include "supervisor/tasks/task.h"

struct driver {
        struct task_shim_config sc;
        struct task_runtime_options ro;
        const char *exec_root;
        const char *id;
        const char *bundle;
};

static int
fail(berth_error_t *err)
{
        fprintf(stderr, "berth-task-test: %s\n", err ? err->msg : "failed");
        berth_error_free(err);
        return 1;
}

static int
usage(void)
{
        fputs("usage: berth-task-test [--exec-root DIR] [--ns NS] --shim PATH --runtime PATH [--events SOCK] "
              "CMD ID BUNDLE [ARGS]\n",
              stderr);
        return 2;
}

static void
print_event(const struct task_event *ev, void *userdata)
{
        (void) userdata;
        printf("%s ns=%s topic=%s container=%s exec=%s pid=%u status=%u exited=%d\n",
               task_event_kind_name(ev->kind), ev->ns, ev->topic, ev->container_id, ev->exec_id,
               ev->pid, ev->exit_status, ev->has_exited_at);
        fflush(stdout);
}

static int
cmd_events(const char *sock)
{
        struct task_events *ev = NULL;
        berth_error_t *err = NULL;
        sigset_t mask;
        int sig = 0;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        /* Blocked before the events thread starts, so only sigwait sees them. */
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        if (task_events_open(sock, print_event, NULL, &ev, &err) < 0)
                return fail(err);
        printf("listening %s\n", sock);
        fflush(stdout);
        sigwait(&mask, &sig);
        task_events_close(ev);
        return 0;
}

/* Parse --stdin/--stdout/--stderr/--tty (and --rootfs-bind DIR into *BIND) from ARGV[*I...]. */
static void
parse_stdio(int argc, char **argv, int *i, struct task_stdio *io, const char **bind)
{
        while (*i < argc) {
                if (bind && strcmp(argv[*i], "--rootfs-bind") == 0 && *i + 1 < argc) {
                        *bind = argv[*i + 1];
                        *i += 2;
                        continue;
                }
                if (strcmp(argv[*i], "--stdin") == 0 && *i + 1 < argc) {
                        io->in = argv[*i + 1];
                        *i += 2;
                } else if (strcmp(argv[*i], "--stdout") == 0 && *i + 1 < argc) {
                        io->out = argv[*i + 1];
                        *i += 2;
                } else if (strcmp(argv[*i], "--stderr") == 0 && *i + 1 < argc) {
                        io->err = argv[*i + 1];
                        *i += 2;
                } else if (strcmp(argv[*i], "--tty") == 0) {
                        io->terminal = true;
                        (*i)++;
                } else {
                        break;
                }
        }
}

static void
print_exit(const char *prefix, const struct task_exit *e)
{
        printf("%s%u %u\n", prefix, e->pid, e->exit_status);
}

/* The init's process object from config.json with ARGV as its args (containerd's exec takes the
 * container's spec.Process and changes what it is told to). */
static int
exec_process_json(const char *bundle, char **args, int n, bool terminal, char **ret,
                  berth_error_t **err)
{
        cleanup_free char *path = xasprintf("%s/config.json", bundle);
        struct json_object *cfg = json_object_from_file(path), *proc = NULL;

        if (!cfg)
                return berth_error_new(err, EINVAL, "cannot read \"%s\"", path);
        if (!json_object_object_get_ex(cfg, "process", &proc)) {
                json_object_put(cfg);
                return berth_error_new(err, EINVAL, "%s: no process", path);
        }
        struct json_object *a = json_object_new_array();
        for (int i = 0; i < n; i++)
                json_object_array_add(a, json_object_new_string(args[i]));
        json_object_object_add(proc, "args", a);
        json_object_object_add(proc, "terminal", json_object_new_boolean(terminal));
        *ret = xstrdup(json_object_to_json_string_ext(proc, JSON_C_TO_STRING_PLAIN));
        json_object_put(cfg);
        return 0;
}

static int
count_fds(void)
{
        cleanup_dir DIR *d = opendir("/proc/self/fd");
        int n = 0;

        if (!d)
                return -1;
        while (readdir(d))
                n++;
        return n;
}

struct churn {
        pthread_mutex_t lock;
        int exits;
};

static void
count_exit(const struct task_event *ev, void *userdata)
{
        struct churn *c = userdata;

        if (ev->kind == TASK_EVENT_EXIT) {
                pthread_mutex_lock(&c->lock);
                c->exits++;
                pthread_mutex_unlock(&c->lock);
        }
}

/* N rounds of run in this one process, with an events server of its own, as a long-lived berthd
 * would do them: no fd may be left behind ("fds BEFORE AFTER exits N"). */
static int
cmd_churn(struct driver *d, int n)
{
        struct churn c = {.lock = PTHREAD_MUTEX_INITIALIZER};
        cleanup_free char *sock = xasprintf("%s/churn-events.sock", d->exec_root);
        struct task_events *ev = NULL;
        berth_error_t *err = NULL;
        int before, after, r = 0;

        if (task_events_open(sock, count_exit, &c, &ev, &err) < 0)
                return fail(err);
        d->sc.events_address = sock;
        before = count_fds();
        for (int i = 0; i < n && r == 0; i++) {
                cleanup_task struct task *t = NULL;
                struct task_exit ex;
                if (task_create(&d->sc, &d->ro, d->id, d->bundle, NULL, NULL, 0, &t, NULL, &err) < 0
                    || task_start(t, NULL, NULL, &err) < 0 || task_wait(t, NULL, &ex, &err) < 0
                    || task_teardown(&d->sc, t, NULL, &err) < 0)
                        r = fail(err);
        }
        after = count_fds();
        /* the last exit may still be on its way */
        for (int i = 0; i < 50; i++) {
                pthread_mutex_lock(&c.lock);
                int seen = c.exits;
                pthread_mutex_unlock(&c.lock);
                if (seen >= n)
                        break;
                usleep(100 * 1000);
        }
        task_events_close(ev);
        printf("fds %d %d exits %d\n", before, after, c.exits);
        return r;
}

struct waiter {
        struct task *t;
        struct task_exit ex;
        int r;
        berth_error_t *err;
};

static void *
wait_thread(void *arg)
{
        struct waiter *w = arg;

        w->r = task_wait(w->t, NULL, &w->ex, &w->err);
        return NULL;
}

static int
task_cmd(struct driver *d, const char *cmd, int argc, char **argv, int i)
{
        cleanup_task struct task *t = NULL;
        berth_error_t *err = NULL;
        struct task_stdio io = {0};
        struct task_exit ex;
        struct task_state st;
        uint32_t pid = 0;

        if (strcmp(cmd, "create") == 0 || strcmp(cmd, "run") == 0 || strcmp(cmd, "hold") == 0) {
                const char *bind = NULL;
                static char *const bind_options[] = {"rbind", NULL};
                parse_stdio(argc, argv, &i, &io, &bind);
                struct task_mount m = {.type = "bind", .source = bind, .options = bind_options};
                if (task_create(&d->sc, &d->ro, d->id, d->bundle, &io, bind ? &m : NULL,
                                bind ? 1 : 0, &t, &pid, &err)
                    < 0)
                        return fail(err);
                if (strcmp(cmd, "create") == 0) {
                        printf("%u\n", pid);
                        return 0;
                }
                if (task_start(t, NULL, &pid, &err) < 0)
                        return fail(err);
                if (strcmp(cmd, "hold") == 0) {
                        printf("%u\n", pid);
                        fflush(stdout);
                        for (;;)
                                pause();
                }
                if (task_wait(t, NULL, &ex, &err) < 0)
                        return fail(err);
                if (task_teardown(&d->sc, t, NULL, &err) < 0)
                        return fail(err);
                return (int) ex.exit_status;
        }
        if (strcmp(cmd, "churn") == 0)
                return i < argc ? cmd_churn(d, atoi(argv[i])) : usage();
        if (strcmp(cmd, "recover") == 0) {
                if (task_recover(&d->sc, d->id, d->bundle, &t, &st, &err) < 0)
                        return fail(err);
                printf("%s %s %u %u\n", t ? "alive" : "gone", task_status_name(st.status), st.pid,
                       st.exit.exit_status);
                return 0;
        }
        if (task_open(d->sc.ns, d->id, d->bundle, &t, &err) < 0)
                return fail(err);
        const char *arg = i < argc ? argv[i] : NULL;
        int r = 0;
        if (strcmp(cmd, "start") == 0) {
                r = task_start(t, arg, &pid, &err);
                if (r >= 0)
                        printf("%u\n", pid);
        } else if (strcmp(cmd, "wait") == 0) {
                r = task_wait(t, arg, &ex, &err);
                if (r >= 0) {
                        printf("%u\n", ex.exit_status);
                        return (int) ex.exit_status;
                }
        } else if (strcmp(cmd, "exec") == 0) {
                if (!arg)
                        return usage();
                i++;
                parse_stdio(argc, argv, &i, &io, NULL);
                if (i < argc && strcmp(argv[i], "--") == 0)
                        i++;
                cleanup_free char *spec = NULL;
                r = exec_process_json(d->bundle, argv + i, argc - i, io.terminal, &spec, &err);
                if (r >= 0)
                        r = task_exec(t, arg, &io, spec, &err);
                if (r >= 0)
                        r = task_start(t, arg, &pid, &err);
                if (r >= 0)
                        printf("%u\n", pid);
        } else if (strcmp(cmd, "kill") == 0) {
                if (!arg)
                        return usage();
                bool all = false;
                const char *eid = NULL;
                for (int k = i + 1; k < argc; k++) {
                        if (strcmp(argv[k], "--all") == 0)
                                all = true;
                        else if (strcmp(argv[k], "--exec") == 0 && k + 1 < argc)
                                eid = argv[++k];
                }
                r = task_kill(t, eid, (uint32_t) atoi(arg), all, &err);
        } else if (strcmp(cmd, "state") == 0) {
                r = task_get_state(t, arg, &st, &err);
                if (r >= 0)
                        printf("%s %u %u\n", task_status_name(st.status), st.pid,
                               st.exit.exit_status);
        } else if (strcmp(cmd, "teardown") == 0) {
                r = task_teardown(&d->sc, t, &ex, &err);
                if (r >= 0)
                        print_exit("", &ex);
        } else if (strcmp(cmd, "delete-exec") == 0) {
                if (!arg)
                        return usage();
                r = task_delete(t, arg, &ex, &err);
                if (r >= 0)
                        print_exit("", &ex);
        } else if (strcmp(cmd, "pids") == 0) {
                cleanup_free uint32_t *pids = NULL;
                size_t n = 0;
                r = task_pids(t, &pids, &n, &err);
                for (size_t k = 0; r >= 0 && k < n; k++)
                        printf("%u\n", pids[k]);
        } else if (strcmp(cmd, "pause") == 0) {
                r = task_pause(t, &err);
        } else if (strcmp(cmd, "resume") == 0) {
                r = task_resume(t, &err);
        } else if (strcmp(cmd, "stats") == 0) {
                cleanup_free char *url = NULL;
                cleanup_free uint8_t *data = NULL;
                size_t n = 0;
                r = task_stats(t, &url, &data, &n, &err);
                if (r >= 0)
                        printf("%s %zu\n", url, n);
        } else if (strcmp(cmd, "closeio") == 0) {
                r = task_close_stdin(t, arg, &err);
        } else if (strcmp(cmd, "resize") == 0) {
                if (i + 2 >= argc)
                        return usage();
                r = task_resize_pty(t, arg, (uint32_t) atoi(argv[i + 1]),
                                    (uint32_t) atoi(argv[i + 2]), &err);
        } else if (strcmp(cmd, "update") == 0) {
                if (!arg)
                        return usage();
                r = task_update(t, arg, &err);
        } else if (strcmp(cmd, "wait-while-kill") == 0) {
                struct waiter w = {.t = t};
                pthread_t th;
                pthread_create(&th, NULL, wait_thread, &w);
                /* The Wait is pending on its own connection: State and Kill still go through. */
                usleep(200 * 1000);
                r = task_get_state(t, NULL, &st, &err);
                if (r >= 0)
                        printf("state %s\n", task_status_name(st.status));
                if (r >= 0)
                        r = task_kill(t, NULL, SIGKILL, false, &err);
                pthread_join(th, NULL);
                if (r >= 0 && w.r < 0) {
                        r = w.r;
                        err = w.err;
                } else {
                        berth_error_free(w.err);
                }
                if (r >= 0)
                        printf("waited %u\n", w.ex.exit_status);
        } else {
                return usage();
        }
        if (r < 0)
                return fail(err);
        return 0;
}

int
main(int argc, char **argv)
{
        static const struct option longopts[] = {
                {"exec-root", required_argument, NULL, 'e'},
                {"ns", required_argument, NULL, 'n'},
                {"shim", required_argument, NULL, 's'},
                {"runtime", required_argument, NULL, 'r'},
                {"events", required_argument, NULL, 'E'},
                {"address", required_argument, NULL, 'a'},
                {"debug", no_argument, NULL, 'd'},
                {NULL, 0, NULL, 0},
        };
        struct driver d = {.exec_root = "/run/berth"};
        cleanup_free char *runtime_root = NULL, *address = NULL, *self = NULL;
        int c;

        d.sc.ns = "berth";
        while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
                switch (c) {
                case 'e':
                        d.exec_root = optarg;
                        break;
                case 'n':
                        d.sc.ns = optarg;
                        break;
                case 's':
                        d.sc.shim_binary = optarg;
                        break;
                case 'r':
                        d.ro.binary_name = optarg;
                        break;
                case 'E':
                        d.sc.events_address = optarg;
                        break;
                case 'a':
                        d.sc.address = optarg;
                        break;
                case 'd':
                        d.sc.debug = true;
                        break;
                default:
                        return usage();
                }
        }
        if (optind >= argc)
                return usage();
        const char *cmd = argv[optind++];
        if (strcmp(cmd, "events") == 0)
                return optind < argc ? cmd_events(argv[optind]) : usage();
        if (optind + 2 > argc || !d.sc.shim_binary)
                return usage();
        d.id = argv[optind++];
        d.bundle = argv[optind++];
        runtime_root = task_runtime_root_build(d.exec_root);
        d.ro.root = runtime_root;
        if (!d.sc.address)
                d.sc.address = address = xasprintf("%s/berth.sock", d.exec_root);
        d.sc.socket_root = d.exec_root;
        /* The publish fallback names the program itself, as berthd names berthd (docs/berthd.md).
         */
        self = realpath("/proc/self/exe", NULL);
        d.sc.publish_binary = self ? self : argv[0];
        signal(SIGPIPE, SIG_IGN);
        return task_cmd(&d, cmd, argc, argv, optind);
}
