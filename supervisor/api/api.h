/* supervisor/api/api.h: what the Docker Engine API handlers share: the daemon's settled facts and
 * its subsystems, and the request/response pair a handler works on (no HTTP library inside). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct metadata_db;
struct image_service;
struct api_stream;
struct event_bus;
struct container_service;
struct container_runner;

/* The API level berthd speaks (docker 20.10's) and the oldest a client may ask for (dockerd 25's
 * floor: older clients predate the shapes berthd implements). */
#define API_VERSION_MAX "1.41"
#define API_VERSION_MIN "1.24"

/* Set up by main() before the server starts; read-only afterwards, so any thread may read it. */
struct api_ctx {
        const char *daemon_id;
        const char *data_root;
        const char *exec_root;
        const char *driver;       /* the snapshotter chosen at start: "overlay2" or "vfs" (dockerd's names) */
        const char *runtime_path; /* the OCI runtime berthd runs ("berth") */
        struct metadata_db *db;
        struct image_service *images; /* thread-safe: it locks itself */
        struct event_bus *events;     /* thread-safe: it locks itself */
        struct container_service *containers; /* thread-safe: it locks itself */
        struct container_runner *runner;      /* running containers; thread-safe */
        char *const *insecure_registries;
        char *const *registry_mirrors;
        const char *registry_auth_file; /* berthd's own credentials: auth.json beside daemon.json */
        int64_t max_concurrent_downloads;
        bool debug;
};

struct api_request {
        const char *method;
        const char *path;    /* without the /v1.NN prefix */
        const char *version; /* "1.41": the prefix's, or API_VERSION_MAX without one */
        const char *body;
        size_t body_len;
        int body_fd;        /* a streamed upload (POST /images/load), at offset 0; else -1 */
        char *const *query; /* key, value, key, value, …, NULL: the decoded query arguments */
        const char *param;  /* the {name} of a pattern route, e.g. "busybox:latest" */
        const char *registry_auth; /* the X-Registry-Auth header, or NULL */
};

/* The value of the first query argument KEY, or NULL. */
const char *api_query_get(const struct api_request *req, const char *key);
/* dockerd's boolean query values: "1", "true", "True" are true; absent is DEFAULT. */
bool api_query_bool(const struct api_request *req, const char *key, bool dflt);

#define API_MAX_HEADERS 12

struct api_response {
        unsigned status;
        char *body; /* owned */
        size_t body_len;
        int body_fd_plus1; /* when > 0: send the file BODY_FD_PLUS1 - 1 (owned) as the body */
        const char *content_type;
        struct {
                const char *name;
                char *value; /* owned */
        } headers[API_MAX_HEADERS];
        size_t n_headers;
        /* A streamed body (stream.h: api_response_stream): run STREAM_FN(STREAM_ARG) on a thread
         * of its own and send what it writes as it comes. */
        void (*stream_fn)(struct api_stream *s, void *arg);
        void *stream_arg;
        void (*stream_free)(void *arg);
        bool hijack; /* STREAM_FN runs a hijacked connection (hijack.h) */
};

void api_response_add_header(struct api_response *resp, const char *name, const char *value);
/* Body = the JSON text of OBJ plus "\n" (Go's json.Encoder ends with one; clients do not care,
 * byte-for-byte comparisons with dockerd do). Takes OBJ. */
struct json_object;
void api_response_json(struct api_response *resp, unsigned status, struct json_object *obj);
/* docker's error body: {"message": "..."} */
void api_response_error(struct api_response *resp, unsigned status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
/* E as docker's error body, its status from E's code: ENOENT 404, EBUSY/EEXIST 409, EINVAL 400,
 * EOPNOTSUPP 501, anything else 500 (dockerd's errdefs for the container and volume endpoints). */
void api_response_berror(struct api_response *resp, const berth_error_t *e);
void api_response_done(struct api_response *resp);
