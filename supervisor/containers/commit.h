/* supervisor/containers/commit.h: docker commit's container side: pause, the overlay upper dir
 * as a layer tar, the new image's Config (the container's, or the request's members over it,
 * then the --change instructions), handed to image_service_commit. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct container_service;
struct container_runner;
struct json_object;

struct container_commit_request {
        const char *repo;     /* may be NULL */
        const char *tag;      /* may be NULL */
        const char *comment;  /* may be NULL */
        const char *author;   /* may be NULL */
        char *const *changes; /* Dockerfile instructions; may be NULL */
        bool pause;           /* pause a running container while its layer is written */
        struct json_object *config; /* the request body (a container Config), may be NULL */
};

/* Pure: the new image's Config: CONTAINER_CONFIG copied, every non-null member of OVERRIDE
 * over it, CHANGES applied. *ret is the caller's. */
int container_commit_config(struct json_object *container_config, struct json_object *override,
                            char *const *changes, struct json_object **ret, berth_error_t **err);

int container_commit(struct container_service *svc, struct container_runner *runner,
                     const char *ref, const struct container_commit_request *req, char **ret_id,
                     berth_error_t **err);
