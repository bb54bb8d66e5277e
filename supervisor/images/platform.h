/* supervisor/images/platform.h: image platforms ("linux/arm/v7") as containerd's platforms
 * package spells and normalises them, and the choice of a manifest from an index. Pure. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

struct image_platform {
        char *os;
        char *arch;
        char *variant; /* "" when none */
};

void image_platform_done(struct image_platform *p);
/* Normalise ARCH and VARIANT in place as containerd does: x86_64 and x86-64 → amd64, i386 → 386,
 * aarch64 → arm64 (variant v8 dropped), armhf → arm/v7, armel → arm/v6, arm with no variant →
 * arm/v7, a variant "7" → "v7"; OS lowercased ("macos" → "darwin"). */
void image_platform_normalize(struct image_platform *p);
/* Parse "os[/arch[/variant]]" or "arch" (the host's OS then) and normalise it; -EINVAL with
 * containerd's wording for an empty part or too many. */
int image_platform_parse(const char *s, struct image_platform *ret, berth_error_t **err);
/* This host's platform (linux/<uname arch>, normalised). */
void image_platform_host(struct image_platform *ret);
/* "os/arch" or "os/arch/variant"; caller frees. */
char *image_platform_format(const struct image_platform *p);
/* Whether an index entry's platform (OS, ARCH, VARIANT: as the index has them, NULL when
 * absent) is WANT: equal after normalising both, a missing variant matching any. */
bool image_platform_match(const struct image_platform *want, const char *os, const char *arch,
                          const char *variant);
