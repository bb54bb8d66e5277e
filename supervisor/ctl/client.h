/* supervisor/ctl/client.h: berthctl's HTTP/1.1 client for berthd's UNIX socket. */
#pragma once

#include <stddef.h>
#include <stdio.h>

struct json_object;

#define CTL_CLIENT_API "1.41"

struct ctl_reply {
        long status;
        char *body; /* NUL-terminated; NULL when DOWNLOAD took it */
        size_t len;
};

/* METHOD /v1.41PATH at HOST. UPLOAD (may be NULL) is sent as an application/x-tar body;
 * a 2xx body goes to DOWNLOAD when given, else into ret->body. Returns 0, or -1 after printing
 * why the daemon could not be reached. */
int ctl_request(const char *host, const char *method, const char *path, FILE *upload,
                FILE *download, struct ctl_reply *ret);
/* The same with extra HEADERS ("Name: value" strings, NULL-terminated; may be NULL) and, when
 * JSON_BODY is given, that body as application/json. */
int ctl_request_ex(const char *host, const char *method, const char *path, char *const *headers,
                   const char *json_body, FILE *upload, FILE *download, struct ctl_reply *ret);
/* ctl_request_ex with just JSON (may be NULL) as an application/json body. */
int ctl_request_json(const char *host, const char *method, const char *path, const char *json,
                     struct ctl_reply *ret);
/* A chunk of a streamed 2xx body, as it arrives. */
typedef void (*ctl_body_fn)(const char *data, size_t len, void *arg);
/* The same as ctl_request_ex without a body, a 2xx body handed to FN as it arrives (ret->body
 * then stays NULL); another status's body is collected in ret->body. */
int ctl_request_stream(const char *host, const char *method, const char *path, char *const *headers,
                       ctl_body_fn fn, void *arg, struct ctl_reply *ret);
/* The same with READY(ARG) called as soon as the final response's headers have arrived (before
 * its body: a wait registered by the server, say). */
int ctl_request_stream_ready(const char *host, const char *method, const char *path,
                             ctl_body_fn fn, void (*ready)(void *arg), void *arg,
                             struct ctl_reply *ret);
/* A socket connected to HOST (unix:///path), or -1 after printing why. */
int ctl_connect(const char *host);
void ctl_reply_done(struct ctl_reply *r);
/* Print "Error response from daemon: <message>" for a non-2xx reply; returns 1. */
int ctl_print_error(const struct ctl_reply *r);
/* GET PATH and parse it: NULL after printing why. */
struct json_object *ctl_get_json(const char *host, const char *path);
/* A query value, escaped; caller frees. */
char *ctl_escape(const char *s);
