/* shim/publisher.h: events forwarded to the supervisor over ttrpc (interfaces.md §4.1): one
 * queue, in order, one Forward in flight, `containerd-namespace-ttrpc` metadata; a failed event
 * is retried after 1 s, 2 s, ... on a fresh connection, up to five times, then dropped. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"

struct loop;
struct shim_publisher;

/* ADDRESS: TTRPC_ADDRESS (a path, `unix://` optional); NULL or "": events are dropped. */
int shim_publisher_new(struct loop *l, const char *address, const char *ns,
                       struct shim_publisher **ret, berth_error_t **err);
void shim_publisher_free(struct shim_publisher *p);
/* Queue EVENT (LEN bytes of the message TYPE_URL, copied) on TOPIC; NULL P is fine. */
void shim_publisher_send(struct shim_publisher *p, const char *topic, const char *type_url,
                         const uint8_t *event, size_t len);
/* Nothing queued or in flight. */
bool shim_publisher_idle(const struct shim_publisher *p);
