/* tests/unit/test_state_state.c: state.json round trips, the status rules and runc's views of
 * the state (runtime/state/state.h), in a fresh temporary directory per test. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "runtime/state/state.h"

struct tmp {
        char path[64];
};

static int
tmp_setup(void **state)
{
        struct tmp *t = xzalloc(sizeof(*t));

        strcpy(t->path, "/tmp/berth-test-state.XXXXXX");
        if (!mkdtemp(t->path)) {
                free(t);
                return -1;
        }
        *state = t;
        return 0;
}

static int
tmp_teardown(void **state)
{
        struct tmp *t = *state;
        int r = fs_remove_tree(AT_FDCWD, t->path, NULL);

        free(t);
        return r;
}

/* A state with every field set; free with state_done(). */
static void
sample(struct container_state *s)
{
        cleanup_error berth_error_t *err = NULL;
        static const char hooks[] = "{\"poststop\":[{\"path\":\"/bin/true\",\"args\":[\"true\"]}]}";

        memset(s, 0, sizeof(*s));
        s->id = xstrdup("c1");
        s->pid = 1234;
        s->start_time = 18446744073709551000ull;
        s->bundle = xstrdup("/run/bundles/c1");
        s->rootfs = xstrdup("/run/bundles/c1/rootfs");
        s->created = xstrdup("2024-01-02T03:04:05.123456789Z");
        s->oci_version = xstrdup("1.0.2");
        strv_push(&s->annotations, "org.example/a");
        strv_push(&s->annotations, "1");
        strv_push(&s->annotations, "quote");
        strv_push(&s->annotations, "say \"hi\"");
        strv_push(&s->cgroup_dirs, "/sys/fs/cgroup/memory/c1");
        strv_push(&s->cgroup_dirs, "/sys/fs/cgroup/unified/c1");
        strv_push(&s->stdio, "/dev/null");
        strv_push(&s->stdio, "pipe:[4026]");
        strv_push(&s->stdio, "");
        s->systemd_cgroup = true;
        s->own_pidns = true;
        assert_int_equal(json_parse_buffer(hooks, strlen(hooks), &s->hooks, &err), 0);
}

/* The member names of O, in order, joined by ",". */
static char *
keys(struct json_object *o)
{
        cleanup_strv char **names = NULL;

        json_object_object_foreach(o, k, v) {
                (void) v;
                strv_push(&names, k);
        }
        return strv_join(names, ",");
}

static void
test_write_read_round_trip(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *file = xasprintf("%s/state.json", t->path);
        cleanup_free char *tmpfile = xasprintf("%s/.state.json.tmp", t->path);
        struct container_state in, out;
        struct stat st;

        sample(&in);
        assert_int_equal(state_write(t->path, &in, &err), 0);
        assert_null(err);
        assert_int_equal(stat(file, &st), 0);
        assert_int_equal(st.st_mode & 07777, 0600);
        assert_int_equal(access(tmpfile, F_OK), -1);

        assert_int_equal(state_read(t->path, &out, &err), 0);
        assert_null(err);
        assert_string_equal(out.id, "c1");
        assert_int_equal(out.pid, 1234);
        assert_true(out.start_time == 18446744073709551000ull);
        assert_string_equal(out.bundle, "/run/bundles/c1");
        assert_string_equal(out.rootfs, "/run/bundles/c1/rootfs");
        assert_string_equal(out.created, "2024-01-02T03:04:05.123456789Z");
        assert_string_equal(out.oci_version, "1.0.2");
        assert_int_equal(strv_length(out.annotations), 4);
        assert_string_equal(out.annotations[0], "org.example/a");
        assert_string_equal(out.annotations[1], "1");
        assert_string_equal(out.annotations[2], "quote");
        assert_string_equal(out.annotations[3], "say \"hi\"");
        assert_int_equal(strv_length(out.cgroup_dirs), 2);
        assert_string_equal(out.cgroup_dirs[0], "/sys/fs/cgroup/memory/c1");
        assert_string_equal(out.cgroup_dirs[1], "/sys/fs/cgroup/unified/c1");
        /* what a checkpoint writes to descriptors.json, "" (unreadable) kept in its place */
        assert_int_equal(strv_length(out.stdio), 3);
        assert_string_equal(out.stdio[0], "/dev/null");
        assert_string_equal(out.stdio[1], "pipe:[4026]");
        assert_string_equal(out.stdio[2], "");
        assert_true(out.systemd_cgroup);
        assert_true(out.own_pidns);
        assert_non_null(out.hooks);
        assert_true(json_object_equal(out.hooks, in.hooks));

        /* Rewritten (status changes do that): the new content replaces the old. */
        free(in.created);
        in.created = xstrdup("2025-01-01T00:00:00Z");
        in.pid = 99;
        in.own_pidns = false;
        assert_int_equal(state_write(t->path, &in, &err), 0);
        state_done(&out);
        assert_int_equal(state_read(t->path, &out, &err), 0);
        assert_string_equal(out.created, "2025-01-01T00:00:00Z");
        assert_int_equal(out.pid, 99);
        assert_false(out.own_pidns);
        state_done(&out);
        state_done(&in);
        assert_null(in.id);
}

static void
test_stdio_targets(void **state)
{
        cleanup_strv char **v = NULL;
        int p[2];
        (void) state;

        /* fd 0 a pipe for the length of the test, as conmon gives a container */
        int saved = dup(0);
        assert_true(saved >= 0);
        assert_int_equal(pipe(p), 0);
        assert_int_equal(dup2(p[0], 0), 0);
        v = state_stdio_targets(getpid());
        assert_int_equal(dup2(saved, 0), 0);
        close(saved);
        close(p[0]);
        close(p[1]);
        assert_int_equal(strv_length(v), 3);
        assert_true(strncmp(v[0], "pipe:[", 6) == 0);
        strv_free(v);
        /* a pid that does not exist: three empty strings, not an error */
        v = state_stdio_targets(0x3fffffff);
        assert_int_equal(strv_length(v), 3);
        assert_string_equal(v[0], "");
        assert_string_equal(v[2], "");
}

static void
test_round_trip_minimal(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        struct container_state in = {0}, out;

        in.id = xstrdup("x");
        in.bundle = xstrdup("/b");
        in.rootfs = xstrdup("/b/r");
        in.created = xstrdup("2024-01-01T00:00:00Z");
        in.oci_version = xstrdup("1.2.0");
        assert_int_equal(state_write(t->path, &in, &err), 0);
        assert_int_equal(state_read(t->path, &out, &err), 0);
        assert_null(err);
        assert_null(out.annotations);
        assert_non_null(out.cgroup_dirs);
        assert_int_equal(strv_length(out.cgroup_dirs), 0);
        assert_null(out.hooks);
        assert_int_equal(out.pid, 0);
        assert_false(out.systemd_cgroup);
        state_done(&out);
        state_done(&in);
}

static void
test_read_missing(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *want =
                xasprintf("open \"%s/state.json\": No such file or directory", t->path);
        struct container_state s;

        assert_int_equal(state_read(t->path, &s, &err), -ENOENT);
        assert_int_equal(err->code, ENOENT);
        assert_string_equal(err->msg, want);
        assert_null(s.id);
}

static void
test_read_corrupt(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *file = xasprintf("%s/state.json", t->path);
        cleanup_free char *want =
                xasprintf("%s: invalid JSON at line 1 column 14: unexpected end of data", file);
        struct container_state s;

        /* A torn write (which the atomic rename prevents) or a disk error. */
        assert_int_equal(fs_write_atomic(AT_FDCWD, file, "{\"id\": \"c1\", ", 13, 0600, &err), 0);
        assert_int_equal(state_read(t->path, &s, &err), -EINVAL);
        assert_int_equal(err->code, EINVAL);
        assert_string_equal(err->msg, want);
        assert_null(s.id);
}

static void
test_read_wrong_type(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *file = xasprintf("%s/state.json", t->path);
        cleanup_free char *want = xasprintf("%s: pid: -5 out of range [0, 2147483647]", file);
        static const char text[] = "{\"id\": \"c1\", \"pid\": -5}";
        struct container_state s;

        assert_int_equal(fs_write_atomic(AT_FDCWD, file, text, strlen(text), 0600, &err), 0);
        assert_int_equal(state_read(t->path, &s, &err), -EINVAL);
        assert_string_equal(err->json_path, "pid");
        assert_string_equal(err->msg, want);
        /* What was read before the bad member is released, not left half-filled. */
        assert_null(s.id);
}

static void
test_status_from_truth_table(void **state)
{
        (void) state;
        for (int fifo = 0; fifo < 2; fifo++) {
                for (int frozen = 0; frozen < 2; frozen++)
                        assert_int_equal(state_status_from(false, fifo, frozen), STATUS_STOPPED);
        }
        assert_int_equal(state_status_from(true, true, false), STATUS_CREATED);
        assert_int_equal(state_status_from(true, true, true), STATUS_CREATED);
        assert_int_equal(state_status_from(true, false, true), STATUS_PAUSED);
        assert_int_equal(state_status_from(true, false, false), STATUS_RUNNING);
        assert_string_equal(state_status_name(STATUS_CREATING), "creating");
        assert_string_equal(state_status_name(STATUS_CREATED), "created");
        assert_string_equal(state_status_name(STATUS_RUNNING), "running");
        assert_string_equal(state_status_name(STATUS_PAUSED), "paused");
        assert_string_equal(state_status_name(STATUS_STOPPED), "stopped");
}

static void
test_runc_json(void **state)
{
        struct container_state s;
        cleanup_json struct json_object *running = NULL;
        cleanup_json struct json_object *stopped = NULL;
        cleanup_free char *running_keys = NULL;
        (void) state;

        sample(&s);
        running = state_to_runc_json(&s, STATUS_RUNNING);
        running_keys = keys(running);
        assert_string_equal(running_keys,
                            "ociVersion,id,pid,status,bundle,rootfs,created,annotations,owner");
        assert_string_equal(
                json_object_to_json_string_ext(running, JSON_C_TO_STRING_PLAIN
                                                                | JSON_C_TO_STRING_NOSLASHESCAPE),
                "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"pid\":1234,\"status\":\"running\","
                "\"bundle\":\"/run/bundles/c1\",\"rootfs\":\"/run/bundles/c1/rootfs\","
                "\"created\":\"2024-01-02T03:04:05.123456789Z\","
                "\"annotations\":{\"org.example/a\":\"1\",\"quote\":\"say \\\"hi\\\"\"},"
                "\"owner\":\"\"}");
        /* runc reports pid 0 for a stopped container: its init pid may be anyone's now. */
        stopped = state_to_runc_json(&s, STATUS_STOPPED);
        assert_int_equal(json_object_get_int(json_object_object_get(stopped, "pid")), 0);
        assert_string_equal(json_object_get_string(json_object_object_get(stopped, "status")),
                            "stopped");
        state_done(&s);
}

static void
test_runc_json_without_annotations(void **state)
{
        struct container_state s;
        cleanup_json struct json_object *o = NULL;
        cleanup_free char *k = NULL;
        (void) state;

        sample(&s);
        strv_free(s.annotations);
        s.annotations = NULL;
        o = state_to_runc_json(&s, STATUS_CREATED);
        k = keys(o);
        assert_string_equal(k, "ociVersion,id,pid,status,bundle,rootfs,created,owner");
        assert_int_equal(json_object_get_int(json_object_object_get(o, "pid")), 1234);
        state_done(&s);
}

static void
test_hook_json(void **state)
{
        struct container_state s;
        cleanup_free char *text = NULL;
        cleanup_free char *bare = NULL;
        cleanup_json struct json_object *o = NULL;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *k = NULL;
        (void) state;

        sample(&s);
        text = state_hook_json(&s, "running");
        assert_int_equal(json_parse_buffer(text, strlen(text), &o, &err), 0);
        k = keys(o);
        assert_string_equal(k, "ociVersion,id,status,pid,bundle,annotations");
        assert_string_equal(
                text, "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"running\","
                      "\"pid\":1234,\"bundle\":\"/run/bundles/c1\","
                      "\"annotations\":{\"org.example/a\":\"1\",\"quote\":\"say \\\"hi\\\"\"}}");
        strv_free(s.annotations);
        s.annotations = NULL;
        bare = state_hook_json(&s, "creating");
        assert_string_equal(bare,
                            "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"creating\","
                            "\"pid\":1234,\"bundle\":\"/run/bundles/c1\",\"annotations\":{}}");
        free(bare);
        /* After the process is gone there is no pid to give (runc omits it for poststop). */
        bare = state_hook_json(&s, "stopped");
        assert_string_equal(bare,
                            "{\"ociVersion\":\"1.0.2\",\"id\":\"c1\",\"status\":\"stopped\","
                            "\"bundle\":\"/run/bundles/c1\",\"annotations\":{}}");
        state_done(&s);
}

static void
test_pid_alive(void **state)
{
        unsigned long long me = state_pid_start_time(getpid());
        int status;
        pid_t child;
        (void) state;

        assert_true(me > 0);
        assert_true(state_pid_alive(getpid(), me));
        assert_true(state_pid_alive(getpid(), 0));
        /* Same pid, another start: the pid was reused by someone else. */
        assert_false(state_pid_alive(getpid(), me + 1));
        assert_false(state_pid_alive(0, 0));
        assert_false(state_pid_alive(-1, 0));

        child = fork();
        assert_true(child >= 0);
        if (child == 0)
                _exit(0);
        /* Exited, not yet reaped: a zombie is not alive. */
        for (int i = 0; i < 1000 && state_pid_alive(child, 0); i++)
                usleep(1000);
        assert_false(state_pid_alive(child, 0));
        assert_int_equal(waitpid(child, &status, 0), child);
        /* Reaped: gone. */
        assert_false(state_pid_alive(child, 0));
        assert_int_equal(state_pid_start_time(child), 0);
}

static void
test_pid_start_time_with_odd_comm(void **state)
{
        unsigned long long start;
        int p[2], status;
        char c;
        pid_t child;
        (void) state;

        /* comm may hold spaces and ")": fields are counted from the last ")". */
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        child = fork();
        assert_true(child >= 0);
        if (child == 0) {
                close(p[1]);
                prctl(PR_SET_NAME, "a) b ) c", 0, 0, 0);
                (void) !read(p[0], &c, 1);
                _exit(0);
        }
        close(p[0]);
        for (int i = 0; i < 1000; i++) {
                char path[64], buf[256] = {0};
                cleanup_close int fd = -1;
                snprintf(path, sizeof(path), "/proc/%d/comm", (int) child);
                fd = open(path, O_RDONLY | O_CLOEXEC);
                if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0
                    && strncmp(buf, "a) b ) c", 8) == 0)
                        break;
                usleep(1000);
        }
        start = state_pid_start_time(child);
        /* Field 22 and not a neighbour: started after this process, within seconds of it. */
        assert_true(start >= state_pid_start_time(getpid()));
        assert_true(start <= state_pid_start_time(getpid())
                                     + 100 * (unsigned long long) sysconf(_SC_CLK_TCK));
        assert_true(state_pid_alive(child, start));
        close(p[1]);
        assert_int_equal(waitpid(child, &status, 0), child);
}

static void
test_status_from_directory(void **state)
{
        struct tmp *t = *state;
        cleanup_error berth_error_t *err = NULL;
        cleanup_free char *fifo = xasprintf("%s/exec.fifo", t->path);
        cleanup_free char *cg = xasprintf("%s/freezer", t->path);
        cleanup_free char *freezer = xasprintf("%s/freezer/freezer.state", t->path);
        struct container_state s = {0};
        int status;
        pid_t child;

        s.pid = getpid();
        s.start_time = state_pid_start_time(getpid());
        assert_int_equal(mkfifo(fifo, 0600), 0);
        assert_int_equal(state_status(t->path, &s), STATUS_CREATED);
        assert_int_equal(unlink(fifo), 0);
        assert_int_equal(state_status(t->path, &s), STATUS_RUNNING);
        /* A v1 freezer that says FROZEN. */
        assert_int_equal(fs_mkdir_p(cg, 0755, &err), 0);
        assert_int_equal(fs_write_atomic(AT_FDCWD, freezer, "FROZEN\n", 7, 0644, &err), 0);
        strv_push(&s.cgroup_dirs, cg);
        assert_int_equal(state_status(t->path, &s), STATUS_PAUSED);
        assert_int_equal(fs_write_atomic(AT_FDCWD, freezer, "THAWED\n", 7, 0644, &err), 0);
        assert_int_equal(state_status(t->path, &s), STATUS_RUNNING);

        child = fork();
        assert_true(child >= 0);
        if (child == 0)
                _exit(0);
        assert_int_equal(waitpid(child, &status, 0), child);
        s.pid = child;
        s.start_time = 0;
        assert_int_equal(state_status(t->path, &s), STATUS_STOPPED);
        strv_free(s.cgroup_dirs);
}

int
main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_write_read_round_trip, tmp_setup,
                                                tmp_teardown),
                cmocka_unit_test_setup_teardown(test_round_trip_minimal, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_read_missing, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_read_corrupt, tmp_setup, tmp_teardown),
                cmocka_unit_test_setup_teardown(test_read_wrong_type, tmp_setup, tmp_teardown),
                cmocka_unit_test(test_status_from_truth_table),
                cmocka_unit_test(test_runc_json),
                cmocka_unit_test(test_runc_json_without_annotations),
                cmocka_unit_test(test_hook_json),
                cmocka_unit_test(test_stdio_targets),
                cmocka_unit_test(test_pid_alive),
                cmocka_unit_test(test_pid_start_time_with_odd_comm),
                cmocka_unit_test_setup_teardown(test_status_from_directory, tmp_setup,
                                                tmp_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
