/* proto/ttrpc/client.h: a ttrpc client on one connection: calls get odd, increasing stream ids
 * (1, 3, 5, ... as the Go client) and answers are matched by id, so any number of calls may be
 * pending at once (berthd keeps a Wait pending while it makes other calls). One thread owns a
 * client; it is driven either by ttrpc_client_call() itself, by the caller's poll on
 * ttrpc_client_fd() and ttrpc_client_process(), or by a lib/loop.h loop (ttrpc_client_attach()). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "proto/ttrpc/wire.h"

struct loop;
struct ttrpc_client;

/* The outcome of an asynchronous call, run exactly once unless the call is cancelled: ERR NULL
 * and the answer's PAYLOAD (LEN bytes, NULL when empty), or ERR set: a failed status (its errno
 * class from status.h and its message), or the connection's end. Both are borrowed for the
 * duration of the callback. The callback may make further calls but must not free the client. */
typedef void (*ttrpc_reply_fn)(const uint8_t *payload, size_t len, const berth_error_t *err,
                               void *userdata);
/* Runs once when the connection ends (peer closed, read or write error), after every pending
 * call has been failed. Must not free the client. */
typedef void (*ttrpc_close_fn)(struct ttrpc_client *c, void *userdata);

struct ttrpc_client_request {
        const char *service; /* "containerd.task.v2.Task" */
        const char *method;  /* "Create" */
        const void *payload; /* the serialized request message */
        size_t payload_len;
        /* Sent as timeout_nano (0: none). ttrpc_client_call() also gives up after it, with
         * ETIMEDOUT; an asynchronous call only tells the server. */
        int64_t timeout_ns;
        const struct ttrpc_kv *metadata; /* lower-case keys; e.g. containerd-namespace-ttrpc */
        size_t n_metadata;
};

/* Connect to PATH, or with ABSTRACT to the abstract socket name PATH (no leading NUL). */
int ttrpc_client_connect_unix(const char *path, bool abstract, struct ttrpc_client **ret,
                              berth_error_t **err);
/* A client on the connected stream socket FD. Takes FD, even on failure. */
int ttrpc_client_new(int fd, struct ttrpc_client **ret, berth_error_t **err);
/* Closes the connection; pending calls are dropped without their callbacks. NULL is fine. */
void ttrpc_client_free(struct ttrpc_client *c);
DEFINE_CLEANUP(struct ttrpc_client *, ttrpc_client_free)
#define cleanup_ttrpc_client __attribute__((cleanup(ttrpc_client_freep)))

void ttrpc_client_on_close(struct ttrpc_client *c, ttrpc_close_fn fn, void *userdata);
/* Let LOOP (borrowed, must outlive the client or be detached by freeing it) read answers as they
 * come, so asynchronous calls complete while no synchronous call runs. */
int ttrpc_client_attach(struct ttrpc_client *c, struct loop *loop, berth_error_t **err);

/* Call and wait. On success *RET_PAYLOAD (the caller's; NULL when empty) and *RET_LEN hold the
 * answer. A failed status becomes *err with the errno class of its code and its message;
 * ETIMEDOUT after REQ->timeout_ns; ECONNRESET "ttrpc: closed" when the connection ends. Other
 * calls' callbacks may run meanwhile. */
int ttrpc_client_call(struct ttrpc_client *c, const struct ttrpc_client_request *req,
                      uint8_t **ret_payload, size_t *ret_len, berth_error_t **err);
/* Send a call; FN runs when it completes. On failure (closed connection, request larger than a
 * frame: ENOBUFS) FN is never run. *RET_STREAM_ID (optional) names it for ttrpc_client_cancel(). */
int ttrpc_client_call_async(struct ttrpc_client *c, const struct ttrpc_client_request *req,
                            ttrpc_reply_fn fn, void *userdata, uint32_t *ret_stream_id,
                            berth_error_t **err);
/* Forget a pending call: its callback will not run; a late answer is dropped. */
void ttrpc_client_cancel(struct ttrpc_client *c, uint32_t stream_id);

/* For callers with their own poll: the socket (-1 once closed), whether bytes wait to be
 * written (poll for POLLOUT too), and the work to do when it is ready. ttrpc_client_process()
 * returns 0, or -ECONNRESET once the connection has ended. */
int ttrpc_client_fd(const struct ttrpc_client *c);
bool ttrpc_client_wants_write(const struct ttrpc_client *c);
int ttrpc_client_process(struct ttrpc_client *c, berth_error_t **err);
size_t ttrpc_client_count_pending(const struct ttrpc_client *c);
