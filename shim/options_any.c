/* shim/options_any.c: the options containerd sends (interfaces.md §3.6): the Any on the start
 * action's stdin and in CreateTaskRequest.options. */
#include "shim/options_any.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "containerd/runc/v1/options.pb.h"
#include "lib/xalloc.h"
#include "proto/nano_callbacks.h"
#include "runtimeoptions/v1/options.pb.h"
#include "shim/service.h"

/* "containerd.runc.v1.Options" with or without a "<host>/" prefix. */
bool
shim_any_is(const google_protobuf_Any *any, const char *name)
{
        const char *slash = strrchr(any->type_url, '/');

        return strcmp(slash ? slash + 1 : any->type_url, name) == 0;
}

int
shim_any_unpack(google_protobuf_Any *any, const char *name, const pb_msgdesc_t *desc, void *msg,
                berth_error_t **err)
{
        google_protobuf_Any copy = *any;

        strncpy(copy.type_url, name, sizeof(copy.type_url) - 1);
        return nano_unpack_any(&copy, name, desc, msg, err);
}

/* The runtime options of a Create: containerd.runc.v1.Options, or runtimeoptions.v1.Options
 * naming a berth shim config file, or none. */
int
shim_options_from_any(google_protobuf_Any *any, bool has, struct shim_options *o,
                      berth_error_t **err)
{
        int r;

        shim_options_defaults(o);
        if (!has || !any->type_url[0])
                return 0;
        if (shim_any_is(any, "containerd.runc.v1.Options")) {
                containerd_runc_v1_Options *ro = xmalloc(sizeof(*ro));
                *ro = (containerd_runc_v1_Options) containerd_runc_v1_Options_init_zero;
                r = shim_any_unpack(any, "containerd.runc.v1.Options",
                                    containerd_runc_v1_Options_fields, ro, err);
                if (r >= 0) {
                        if (ro->binary_name[0]) {
                                free(o->binary_name);
                                o->binary_name = xstrdup(ro->binary_name);
                        }
                        if (ro->root[0]) {
                                free(o->root);
                                o->root = xstrdup(ro->root);
                        }
                        if (ro->criu_path[0])
                                o->criu_path = xstrdup(ro->criu_path);
                        o->systemd_cgroup = ro->systemd_cgroup;
                        o->no_pivot_root = ro->no_pivot_root;
                        o->no_new_keyring = ro->no_new_keyring;
                        o->io_uid = ro->io_uid;
                        o->io_gid = ro->io_gid;
                        if (ro->shim_cgroup[0])
                                o->shim_cgroup = xstrdup(ro->shim_cgroup);
                }
                free(ro);
                return r;
        }
        if (shim_any_is(any, "runtimeoptions.v1.Options")) {
                runtimeoptions_v1_Options *ro = xmalloc(sizeof(*ro));
                *ro = (runtimeoptions_v1_Options) runtimeoptions_v1_Options_init_zero;
                r = shim_any_unpack(any, "runtimeoptions.v1.Options",
                                    runtimeoptions_v1_Options_fields, ro, err);
                if (r >= 0 && ro->config_path[0])
                        r = shim_options_read_config(ro->config_path, o, err);
                free(ro);
                return r;
        }
        return berth_error_new(err, EINVAL, "options: unknown type %s", any->type_url);
}
