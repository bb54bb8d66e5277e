/* runtime/linux/idmap.h: idmapped bind mounts (mounts[].uidMappings): the mount tree is cloned and
 * idmapped by `create` in the host's namespaces, where the host ids in the mappings mean what
 * they say, then attached by the init inside the container's mount namespace. */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* Write M (N entries) to /proc/PID/FILE ("uid_map" or "gid_map"). */
int idmap_write_map(pid_t pid, const char *file, const struct spec_idmap *m, size_t n,
                    berth_error_t **err);
/* A user namespace holding the given maps, as an fd (made by a short-lived child). */
int idmap_userns_fd(const struct spec_idmap *uid, size_t nu, const struct spec_idmap *gid,
                    size_t ng, berth_error_t **err);
/* For every idmapped bind mount of SPEC, a detached, idmapped clone of its source (fds[i]; -1 for
 * other mounts), made here in the host's user namespace where the kernel allows it; *RET_FDS has
 * spec->n_mounts entries, or is NULL when there are none. */
int idmap_prepare_mounts(const struct spec *spec, const char *bundle, int **ret_fds,
                         berth_error_t **err);
void idmap_close_mounts(int *fds, size_t n);
/* In the init: attach the detached TREE on the directory or file TARGET_FD (O_PATH). */
int idmap_attach(int tree, int target_fd, berth_error_t **err);
