/* supervisor/images/reference.h: docker's image references, normalised as dockerd does
 * (distribution/reference: "busybox" is docker.io/library/busybox:latest). */
#pragma once

#include "lib/error.h"

struct image_ref {
        char *name;   /* "docker.io/library/busybox": domain and path, lowercase */
        char *tag;    /* "latest"; NULL when a digest is given without a tag */
        char *digest; /* "sha256:…" or NULL */
};

/* Parse S; -EINVAL with docker's "invalid reference format" messages. Pure. */
int image_ref_parse(const char *s, struct image_ref *ret, berth_error_t **err);
void image_ref_done(struct image_ref *ref);
/* The key the metadata stores: "NAME:TAG" or "NAME@DIGEST" (the digest wins). Caller frees. */
char *image_ref_key(const struct image_ref *ref);
/* The short form docker shows: "busybox:latest", "quay.io/x/y:1"; from a key. Caller frees. */
char *image_ref_familiar(const char *key);
/* 1 when S could be an image ID or a prefix of one: hex only, optionally "sha256:" first. */
int image_ref_is_id_prefix(const char *s);
