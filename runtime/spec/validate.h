/* runtime/spec/validate.h: checks across sections that runc makes before touching the system
 * (a hostname needs its own UTS namespace, ...). Pure. */
#pragma once

#include "lib/error.h"
#include "runtime/spec/spec.h"

int spec_validate(const struct spec *spec, berth_error_t **err);
