/* runtime/linux/hooks.h: running OCI hooks with the state on stdin. */
#pragma once

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* Run every hook of KIND in order; the first failure stops and is returned with the hook's
 * output. STATE_JSON is written to each hook's stdin. */
int hooks_run(const struct spec_hooks *hooks, enum spec_hook_kind kind, const char *state_json,
              berth_error_t **err);
