/* shim/task_api.h: containerd.task.v2.Task's methods registered on a ttrpc server. */
#pragma once

#include "lib/error.h"

struct ttrpc_server;
struct shim_service;

int shim_task_api_register(struct ttrpc_server *srv, struct shim_service *s, berth_error_t **err);
