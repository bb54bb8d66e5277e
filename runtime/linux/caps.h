/* runtime/linux/caps.h: process.capabilities: names to bit sets (libcap), the bounding set
 * dropped before the uid changes, the other sets applied after it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

struct caps_sets {
        bool present; /* false only for a zeroed struct: leave the process's sets alone */
        uint64_t bounding, effective, inheritable, permitted, ambient;
};

/* Unknown names are errors naming "process.capabilities.<set>[i]"; names the running kernel
 * does not know (above cap_last_cap) are skipped with a warning, as runc does. */
int caps_parse(const struct spec_capabilities *c, unsigned last_cap, struct caps_sets *ret,
               berth_error_t **err);
/* The kernel's highest capability number. */
unsigned caps_last_cap(void);
/* Before setuid: drop what is not in the bounding set and keep the rest across the uid change. */
int caps_prepare(const struct caps_sets *s, unsigned last_cap, berth_error_t **err);
/* After setuid: effective, permitted, inheritable, then ambient. */
int caps_apply(const struct caps_sets *s, unsigned last_cap, berth_error_t **err);
