/* supervisor/tasks/events.h: berthd's end of the shims' event stream: a ttrpc server serving
 * containerd.services.events.ttrpc.v1.Events/Forward (interfaces.md §4.1) on the socket berthd
 * gives its shims as TTRPC_ADDRESS, on a thread of its own, handing each decoded event to one
 * callback. */
#pragma once

#include "lib/error.h"
#include "supervisor/tasks/codec.h"

struct task_events;

/* Runs on the events thread, one event at a time, in the order each shim sent them. EV is
 * borrowed for the call. The shim's Forward is answered after the callback returns, so a slow
 * callback holds up that shim's event queue (not its Task API). */
typedef void (*task_event_fn)(const struct task_event *ev, void *userdata);

/* Listen on PATH (a stale socket there is replaced, any other file is -EEXIST; its directory
 * must exist) and serve Forward from a new thread until task_events_close(). An envelope that
 * does not decode is refused with INVALID_ARGUMENT (the shim drops it after its retries). */
int task_events_open(const char *path, task_event_fn fn, void *userdata, struct task_events **ret,
                     berth_error_t **err);
/* Stop the thread, close the listener and its connections, remove the socket file. After it
 * returns the callback runs no more. NULL is fine. */
void task_events_close(struct task_events *ev);
