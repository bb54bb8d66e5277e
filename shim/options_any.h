/* shim/options_any.h: containerd.runc.v1.Options or runtimeoptions.v1.Options (naming a berth
 * shim config file) in a google.protobuf.Any, into struct shim_options. */
#pragma once

#include <stdbool.h>

#include <pb.h>

#include "google/protobuf/any.pb.h"
#include "lib/error.h"

struct shim_options;

/* TYPE_URL names NAME, with or without a "<host>/" prefix. */
bool shim_any_is(const google_protobuf_Any *any, const char *name);
/* Decode ANY's value (nano_decode_bytes) as NAME's message DESC into MSG. */
int shim_any_unpack(google_protobuf_Any *any, const char *name, const pb_msgdesc_t *desc, void *msg,
                    berth_error_t **err);

/* Defaults first, then what ANY says (HAS false or an empty Any: defaults only). ANY's value
 * was decoded with nano_decode_bytes. An unknown type is an error. */
int shim_options_from_any(google_protobuf_Any *any, bool has, struct shim_options *o,
                          berth_error_t **err);
