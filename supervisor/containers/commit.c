/* supervisor/containers/commit.c: docker commit (commit.h). */
#include <config.h>

#include "supervisor/containers/commit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "lib/xalloc.h"
#include "supervisor/containers/archive.h"
#include "supervisor/containers/run.h"
#include "supervisor/containers/service.h"
#include "supervisor/images/changes.h"
#include "supervisor/images/commit.h"
#include "supervisor/snapshots/active.h"
#include "supervisor/snapshots/snapshotter.h"

int
container_commit_config(struct json_object *container_config, struct json_object *override,
                        char *const *changes, struct json_object **ret, berth_error_t **err)
{
        cleanup_json struct json_object *c = NULL;
        int r;

        if (container_config == NULL)
                c = json_object_new_object();
        else if (json_object_deep_copy(container_config, &c, NULL) < 0 || c == NULL)
                return berth_error_new(err, ENOMEM, "commit: copy config");
        if (override && json_object_is_type(override, json_type_object)) {
                json_object_object_foreach(override, k, v)
                {
                        if (v == NULL)
                                continue;
                        json_object_object_del(c, k);
                        json_object_object_add(c, k, json_object_get(v));
                }
        }
        r = image_changes_apply(c, changes, err);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(c);
        return 0;
}

static char *
created_by(struct json_object *doc)
{
        struct json_object *args = json_key(doc, "Args");
        const char *path = json_object_get_string(json_key(doc, "Path"));
        char *s = xstrdup(path ? path : "");

        for (size_t i = 0; args && i < json_object_array_length(args); i++) {
                char *n = xasprintf("%s %s", s,
                                    json_object_get_string(json_object_array_get_idx(args, i)));
                free(s);
                s = n;
        }
        return s;
}

int
container_commit(struct container_service *svc, struct container_runner *runner, const char *ref,
                 const struct container_commit_request *req, char **ret_id, berth_error_t **err)
{
        cleanup_json struct json_object *doc = NULL, *config = NULL;
        cleanup_free char *upper = NULL, *name = NULL, *by = NULL, *dir = NULL;
        cleanup_close int fd = -1;
        struct json_object *state;
        struct image_commit_options o = {0};
        bool paused = false;
        const char *id;
        int r;

        r = container_service_get(svc, ref, &doc, err);
        if (r < 0)
                return r;
        id = json_object_get_string(json_key(doc, "Id"));
        r = container_commit_config(json_key(doc, "Config"), req->config, req->changes, &config,
                                    err);
        if (r < 0)
                return r;
        if (req->repo && req->repo[0])
                name = req->tag && req->tag[0] ? xasprintf("%s:%s", req->repo, req->tag)
                                               : xstrdup(req->repo);
        state = json_key(doc, "State");
        if (req->pause && runner && json_object_get_boolean(json_key(state, "Running"))
            && !json_object_get_boolean(json_key(state, "Paused"))) {
                r = container_run_pause(runner, id, true, err);
                if (r < 0)
                        return r;
                paused = true;
        }
        dir = xasprintf("%s", svc->exec_root);
        fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
        if (fd < 0) {
                r = berth_error_sys(err, errno, "commit: temporary file in \"%s\"", dir);
        } else {
                cleanup_strv char **skip = container_mount_points(svc, id);
                if (snapshotter_is_overlay(svc->snapshots)) {
                        upper = snapshotter_active_upper(svc->snapshots, id);
                        r = container_layer_write(upper, skip, fd, err);
                } else {
                        r = container_vfs_layer_write(svc, id, skip, fd, err);
                }
        }
        if (paused) {
                cleanup_error berth_error_t *e = NULL; /* the layer is written; an unpause
                                                          failure leaves it paused, as
                                                          docker's would */
                container_run_pause(runner, id, false, &e);
        }
        if (r < 0)
                return berth_error_prefix(err, "commit");
        if (lseek(fd, 0, SEEK_SET) < 0)
                return berth_error_sys(err, errno, "commit: seek");
        by = created_by(doc);
        o.parent_id = json_object_get_string(json_key(doc, "Image"));
        o.name = name;
        o.comment = req->comment;
        o.author = req->author;
        o.container_id = id;
        o.created_by = by;
        o.config = config;
        o.container_config = json_key(doc, "Config");
        r = image_service_commit(svc->images, fd, &o, ret_id, err);
        if (r < 0)
                return r;
        {
                /* dockerd's commit event, after the image's tag event (daemon/commit.go):
                 * imageRef is the name as tagged, "" without one. */
                char *extra[] = {(char *) "comment",
                                 (char *) (req->comment ? req->comment : ""),
                                 (char *) "imageID",
                                 *ret_id,
                                 (char *) "imageRef",
                                 name ? name : (char *) "",
                                 NULL};
                container_run_event_attrs(runner, id, "commit", extra);
        }
        return 0;
}
