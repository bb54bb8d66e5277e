/* supervisor/daemon/daemon.h: the berthd context main() builds and passes down. */
#pragma once

#include "supervisor/api/api.h"
#include "supervisor/containers/run.h"
#include "supervisor/containers/service.h"
#include "supervisor/daemon/config.h"
#include "supervisor/events/bus.h"
#include "supervisor/images/service.h"
#include "supervisor/volumes/store.h"

struct content_store;
struct api_http;
struct snapshotter;

struct berthd {
        struct berthd_config cfg;
        int lock_fd; /* <exec-root>/berthd.pid, flock()ed while this daemon lives */
        char *pid_path;
        char *daemon_id;
        char *runtime_path;
        char *registry_auth_file; /* auth.json in daemon.json's directory */
        const char *driver;
        struct metadata_db *db;
        struct content_store *content;
        struct snapshotter *snapshots;
        struct event_bus events; /* initialised first, done last */
        struct image_service images;
        bool images_ready; /* images was initialised (its lock exists) */
        struct container_service containers;
        bool containers_ready;
        struct volume_store volumes; /* <data-root>/volumes */
        bool volumes_ready;
        struct container_runner runner; /* running containers (tasks through shims) */
        bool runner_ready;
        struct api_ctx api;
        struct api_http *http;
        char *socket_path; /* set once the socket exists: removed at exit */
};
