/* proto/ttrpc/server.h: a ttrpc server driven by the caller's lib/loop.h event loop, one thread.
 * Each request becomes a struct ttrpc_call that its handler answers now or later, so one
 * connection carries many calls at once (containerd keeps a Wait pending for the life of a process
 * while State, Kill, ... go through: interfaces.md §1.1) and answers go out in any order. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/error.h"
#include "proto/ttrpc/wire.h"

struct loop;
struct ttrpc_server;
struct ttrpc_call;

/* Runs from the loop for each request to a registered "service/method". The call is the
 * handler's until it is answered with one of ttrpc_call_reply*(), now or from a later callback. */
typedef void (*ttrpc_handler_fn)(struct ttrpc_call *call, void *userdata);
/* Runs when the peer of a pending call goes away (or the server is freed). The call is still the
 * handler's: answer it (nothing is sent; this frees it) and forget the pointer. */
typedef void (*ttrpc_cancel_fn)(struct ttrpc_call *call, void *userdata);

/* LOOP is borrowed and must outlive the server. */
int ttrpc_server_new(struct loop *loop, struct ttrpc_server **ret, berth_error_t **err);
/* Closes listeners and connections; pending calls see their cancel callback. NULL is fine. Not
 * from a handler or a cancel callback: quit the loop, and free the server once loop_run returns. */
void ttrpc_server_free(struct ttrpc_server *s);
DEFINE_CLEANUP(struct ttrpc_server *, ttrpc_server_free)
#define cleanup_ttrpc_server __attribute__((cleanup(ttrpc_server_freep)))

/* Peers must have this effective uid and gid (SO_PEERCRED), or their connection is closed at
 * once. The default is our own euid and egid, as Go ttrpc's UnixSocketRequireSameUser(). */
void ttrpc_server_set_peer_ids(struct ttrpc_server *s, uid_t uid, gid_t gid);

/* Route SERVICE/METHOD (e.g. "containerd.task.v2.Task", "Create") to FN. EEXIST if taken. */
int ttrpc_server_register(struct ttrpc_server *s, const char *service, const char *method,
                          ttrpc_handler_fn fn, void *userdata, berth_error_t **err);

/* Listen on PATH (ABSTRACT: on the abstract name PATH); making room at PATH is the caller's. */
int ttrpc_server_listen_unix(struct ttrpc_server *s, const char *path, bool abstract,
                             berth_error_t **err);
/* Serve the listening socket FD (e.g. the shim's inherited fd 3). Takes FD, even on failure. */
int ttrpc_server_add_listener(struct ttrpc_server *s, int fd, berth_error_t **err);
/* Serve the connected socket FD (one end of a socketpair, say); its peer is checked as an
 * accepted one's (EPERM). Takes FD, even on failure. */
int ttrpc_server_add_connection(struct ttrpc_server *s, int fd, berth_error_t **err);
/* Stop accepting; connections stay. The socket files are the caller's to remove. */
void ttrpc_server_close_listeners(struct ttrpc_server *s);
size_t ttrpc_server_count_connections(const struct ttrpc_server *s);

/* The request, valid until the call is answered: service, method, payload, metadata. */
const struct ttrpc_request *ttrpc_call_request(const struct ttrpc_call *call);
/* The first metadata value for KEY (keys are lower-case), or NULL. */
const char *ttrpc_call_metadata(const struct ttrpc_call *call, const char *key);
/* The client's deadline from timeout_nano as CLOCK_MONOTONIC nanoseconds, or 0 for none.
 * Advisory, as in Go ttrpc: the server never answers on the handler's behalf. */
int64_t ttrpc_call_deadline(const struct ttrpc_call *call);
/* True once the peer has gone: an answer would go nowhere. */
bool ttrpc_call_is_cancelled(const struct ttrpc_call *call);
/* Set (or with FN NULL, clear) the call's cancel callback. */
void ttrpc_call_on_cancel(struct ttrpc_call *call, ttrpc_cancel_fn fn, void *userdata);

/* Answer and free CALL. Success carries PAYLOAD (LEN bytes, copied); an answer larger than a
 * frame becomes RESOURCE_EXHAUSTED instead, as no Go peer would take it. */
void ttrpc_call_reply(struct ttrpc_call *call, const void *payload, size_t len);
/* Fail CALL with E's class and "<message>: <class text>" (status.h), and free it. */
void ttrpc_call_reply_error(struct ttrpc_call *call, const berth_error_t *e);
/* The payload did not decode with the handler's codec: INTERNAL "ttrpc: error unmarshalling
 * payload: <DETAIL>", the Go server's answer (services.go). Frees CALL. */
void ttrpc_call_reply_bad_payload(struct ttrpc_call *call, const char *detail);
/* Fail CALL with an explicit gRPC CODE and message, and free it. */
void ttrpc_call_reply_status(struct ttrpc_call *call, int32_t code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
