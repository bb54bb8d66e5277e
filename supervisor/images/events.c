/* supervisor/images/events.c: the image service's events, in dockerd's shape (moby
 * daemon/images/image_events.go: the actor is the image, its config's labels and "name" are the
 * attributes). */
#include <config.h>

#include <string.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/error.h"
#include "lib/json.h"
#include "lib/strv.h"
#include "supervisor/events/bus.h"
#include "supervisor/images/service.h"

void
image_service_log_event(struct image_service *svc, const char *actor_id, const char *name,
                        const char *id_for_labels, const char *action)
{
        cleanup_error berth_error_t *err = NULL; /* an unreadable config: no labels, as dockerd */
        cleanup_json struct json_object *config = NULL;
        cleanup_strv char **attrs = NULL;
        struct json_object *cfg = NULL, *labels = NULL;

        cleanup_free char *id = NULL;

        if (svc->events == NULL)
                return;
        /* A reference (pull, push) names the image through the store. */
        if (id_for_labels && strncmp(id_for_labels, "sha256:", 7) != 0
            && image_service_resolve(svc, id_for_labels, &id, NULL, &err) == 0)
                id_for_labels = id;
        if (id_for_labels && image_service_load_config(svc, id_for_labels, &config, &err) == 0
            && json_object_object_get_ex(config, "config", &cfg)
            && json_object_object_get_ex(cfg, "Labels", &labels)
            && json_object_is_type(labels, json_type_object)) {
                json_object_object_foreach(labels, k, v) {
                        if (!json_object_is_type(v, json_type_string) || strcmp(k, "name") == 0)
                                continue;
                        strv_push(&attrs, k);
                        strv_push(&attrs, json_object_get_string(v));
                }
        }
        if (name) {
                strv_push(&attrs, "name");
                strv_push(&attrs, name);
        }
        events_publish(svc->events, "image", action, actor_id, attrs);
}
