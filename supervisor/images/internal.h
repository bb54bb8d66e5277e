/* supervisor/images/internal.h: what load (import.c) and pull (pull.c) share: one image's plan
 * (its blobs, already in the content store) and the step that unpacks and records it. */
#pragma once

#include <stdint.h>

#include "lib/error.h"

struct image_service;

/* One image as a docker-archive, an OCI layout or a registry describes it. */
struct image_plan {
        char *manifest_digest; /* NULL: synthesise one (docker-archive) */
        char *config_digest;
        char **layers; /* blob digests */
        int64_t *layer_sizes;
        char **layer_types; /* media types */
        char **names;       /* normalised keys */
};

void image_plan_done(struct image_plan *p);
/* Unpack P's layers into snapshots and write its record; the caller holds svc->lock and
 * collects afterwards (a failure leaves blobs and snapshots that no record holds). */
int image_plan_commit(struct image_service *svc, struct image_plan *p, berth_error_t **err);
