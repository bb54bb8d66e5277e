/* supervisor/api/containers_stats.c: see containers_stats.h. A stats object is the shim's
 * Metrics (supervisor/tasks/metrics.h) plus what dockerd adds itself: read/preread, the host's
 * cpu time and cpu count from /proc/stat, precpu_stats (the previous sample's cpu_stats). */
#include <config.h>

#include "supervisor/api/containers_stats.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/api/stream.h"
#include "supervisor/containers/update.h"
#include "supervisor/logger/jsonfile.h"
#include "supervisor/tasks/metrics.h"

#define ZERO_TIME "0001-01-01T00:00:00Z"

static void
fail(struct api_response *resp, const berth_error_t *e)
{
        unsigned status = 500;
        if (e->code == ENOENT)
                status = 404;
        else if (e->code == EINVAL)
                status = 400;
        else if (e->code == EBUSY)
                status = 409;
        api_response_error(resp, status, "%s", e->msg);
}

/* Go's RFC3339Nano, as dockerd's "read". */
static void
now_rfc3339(char *buf, size_t len)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        jsonfile_time_format((int64_t) ts.tv_sec, (int32_t) ts.tv_nsec, buf, len);
}

static uint64_t
machine_memory(void)
{
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        return pages > 0 && size > 0 ? (uint64_t) pages * (uint64_t) size : 0;
}

static void
move(struct json_object *from, struct json_object *to, const char *k)
{
        struct json_object *v = NULL;
        json_object_object_get_ex(from, k, &v);
        json_object_object_add(to, k, json_object_get(v));
}

/* One sample of REF: docker's object with precpu_stats PREV_CPU (a copy; NULL: zeroed) and
 * preread PREV_READ. *RET is the caller's; *RET_RUNNING says whether it ran. */
static int
sample(const struct api_ctx *ctx, const char *ref, struct json_object *prev_cpu,
       const char *prev_read, struct json_object **ret, bool *ret_running, berth_error_t **err)
{
        cleanup_free char *id = NULL, *name = NULL, *type_url = NULL, *proc = NULL;
        cleanup_free uint8_t *data = NULL;
        cleanup_json struct json_object *o = NULL, *m = json_object_new_object();
        size_t len = 0, plen = 0;
        struct json_object *cpu = NULL;
        char read[48];
        int rc;

        rc = container_run_stats(ctx->runner, ref, &id, &name, &type_url, &data, &len, err);
        if (rc < 0)
                return rc;
        if (type_url == NULL) {
                *ret = task_metrics_docker_zero(name, id);
                *ret_running = false;
                return 0;
        }
        rc = task_metrics_to_docker(type_url, data, len, machine_memory(), m, err);
        if (rc < 0)
                return rc;
        json_object_object_get_ex(m, "cpu_stats", &cpu);
        if (cpu && fs_read_file(AT_FDCWD, "/proc/stat", &proc, &plen, NULL) == 0) {
                uint64_t sys = 0;
                uint32_t online = 0;
                if (task_metrics_system_cpu(proc, sysconf(_SC_CLK_TCK), &sys, &online, NULL)
                    == 0) {
                        json_object_object_add(cpu, "system_cpu_usage",
                                               json_object_new_uint64(sys));
                        json_object_object_add(cpu, "online_cpus", json_object_new_uint64(online));
                }
        }
        /* dockerd's key order */
        o = json_object_new_object();
        now_rfc3339(read, sizeof(read));
        json_object_object_add(o, "read", json_object_new_string(read));
        json_object_object_add(o, "preread",
                               json_object_new_string(prev_read ? prev_read : ZERO_TIME));
        move(m, o, "pids_stats");
        move(m, o, "blkio_stats");
        json_object_object_add(o, "num_procs", json_object_new_int(0));
        json_object_object_add(o, "storage_stats", json_object_new_object());
        move(m, o, "cpu_stats");
        if (prev_cpu) {
                struct json_object *copy = NULL;
                json_object_deep_copy(prev_cpu, &copy, NULL);
                json_object_object_add(o, "precpu_stats", copy);
        } else {
                struct json_object *z = task_metrics_docker_zero(NULL, NULL), *pc = NULL;
                json_object_object_get_ex(z, "precpu_stats", &pc);
                json_object_object_add(o, "precpu_stats", json_object_get(pc));
                json_object_put(z);
        }
        move(m, o, "memory_stats");
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "id", json_object_new_string(id));
        *ret_running = true;
        *ret = TAKE_PTR(o);
        return 0;
}

struct stats_stream {
        const struct api_ctx *ctx;
        char *ref;
};

static void
stats_stream_free(void *p)
{
        struct stats_stream *a = p;
        free(a->ref);
        free(a);
}

static void
stats_stream_run(struct api_stream *s, void *arg)
{
        struct stats_stream *a = arg;
        cleanup_json struct json_object *prev_cpu = NULL;
        cleanup_free char *prev_read = NULL;

        for (;;) {
                cleanup_error berth_error_t *err = NULL;
                cleanup_json struct json_object *o = NULL;
                struct json_object *cpu = NULL, *rd = NULL;
                bool running = false;

                if (sample(a->ctx, a->ref, prev_cpu, prev_read, &o, &running, &err) < 0)
                        return; /* removed meanwhile */
                if (api_stream_write_json(s, o) < 0)
                        return;
                json_object_put(prev_cpu);
                prev_cpu = NULL;
                free(prev_read);
                prev_read = NULL;
                if (running && json_object_object_get_ex(o, "cpu_stats", &cpu))
                        prev_cpu = json_object_get(cpu);
                if (running && json_object_object_get_ex(o, "read", &rd))
                        prev_read = xstrdup(json_object_get_string(rd));
                if (api_stream_closed(s, 1000))
                        return;
        }
}

void
api_containers_stats(const struct api_ctx *ctx, const struct api_request *req,
                     struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *first = NULL, *second = NULL;
        bool stream = api_query_bool(req, "stream", true);
        bool one_shot = api_query_bool(req, "one-shot", false);
        bool running = false;
        struct json_object *cpu = NULL, *rd = NULL;

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "running containers is not available in this berthd");
                return;
        }
        if (one_shot && stream) {
                api_response_error(resp, 400, "cannot have stream=true and one-shot=true");
                return;
        }
        /* The first sample answers 404 for an unknown container before any body is sent. */
        if (sample(ctx, req->param, NULL, NULL, &first, &running, &err) < 0) {
                fail(resp, err);
                return;
        }
        if (stream) {
                struct stats_stream *a = xmalloc(sizeof(*a));
                a->ctx = ctx;
                a->ref = xstrdup(req->param);
                api_response_stream(resp, 200, "application/json", stats_stream_run, a,
                                    stats_stream_free);
                return;
        }
        if (!running || one_shot) {
                api_response_json(resp, 200, TAKE_PTR(first));
                return;
        }
        /* stream=false: dockerd waits for a second sample so that precpu_stats is filled. */
        sleep(1);
        json_object_object_get_ex(first, "cpu_stats", &cpu);
        json_object_object_get_ex(first, "read", &rd);
        if (sample(ctx, req->param, cpu, json_object_get_string(rd), &second, &running, &err)
            < 0) {
                fail(resp, err);
                return;
        }
        api_response_json(resp, 200, TAKE_PTR(second));
}

void
api_containers_update(const struct api_ctx *ctx, const struct api_request *req,
                      struct api_response *resp)
{
        cleanup_error berth_error_t *err = NULL;
        cleanup_json struct json_object *body = NULL;
        struct json_object *o;

        if (ctx->runner == NULL) {
                api_response_error(resp, 501, "running containers is not available in this berthd");
                return;
        }
        if (req->body == NULL || req->body_len == 0
            || json_parse_buffer(req->body, req->body_len, &body, &err) < 0
            || !json_object_is_type(body, json_type_object)) {
                api_response_error(resp, 400, "invalid JSON body for update: %s",
                                   err ? err->msg : "empty");
                return;
        }
        if (container_run_update(ctx->runner, req->param, body, &err) < 0) {
                fail(resp, err);
                return;
        }
        o = json_object_new_object();
        json_object_object_add(o, "Warnings", json_object_new_array());
        api_response_json(resp, 200, o);
}
