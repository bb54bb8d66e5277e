/* runtime/linux/seccomp_cache.h: compiled seccomp programs kept under the runtime's root.
 *
 * Building a filter with libseccomp and compiling it to BPF costs ~13 ms of CPU for docker's
 * default profile (some 350 syscalls on three architectures) — the largest part of `berth
 * create` and of every `exec`. The program depends only on linux.seccomp, libseccomp's version
 * and the machine, so it is kept in <root>/@seccomp-cache/<key> (crun keeps a cache alike) and read
 * back the next time. The root is the runtime's own state directory (root-only, on /run): a
 * program found there is trusted as state.json is. */
#pragma once

#include "lib/error.h"
#include "runtime/linux/seccomp.h"
#include "runtime/spec/seccomp.h"

/* Under the root: "@" is not allowed in container IDs, so no container can be named so (and
 * `list` passes over a directory without a state.json). */
#define SECCOMP_CACHE_DIR "@seccomp-cache"
#define SECCOMP_CACHE_KEY_LEN 64
/* Pure: the cache key of S under libseccomp VERSION (major.minor.micro) and API level API on
 * MACHINE, 64 hex digits and a NUL in OUT. */
void seccomp_cache_key(const struct spec_seccomp *s, const char *version, unsigned api,
                       const char *machine, char out[SECCOMP_CACHE_KEY_LEN + 1]);
/* The program for S: from ROOT/@seccomp-cache/ when compiled before, else built, compiled and stored
 * there (best effort: a cache that cannot be written changes nothing). ROOT NULL: no cache. */
int seccomp_program_load(const struct spec_seccomp *s, const char *root,
                         struct seccomp_program *ret, berth_error_t **err);
