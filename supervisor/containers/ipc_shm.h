/* supervisor/containers/ipc_shm.h: the /dev/shm of a shareable IPC container: a tmpfs berthd
 * mounts on the host at <exec-root>/containers/<id>/shm when it starts, bound into it and into
 * every container that joins its IPC namespace, unmounted with the bundle (dockerd's ShmPath). */
#pragma once

#include <stdint.h>

#include "lib/error.h"

/* <EXEC_ROOT>/containers/<ID>/shm; the caller frees. */
char *container_ipc_shm_path(const char *exec_root, const char *id);
/* Mount a tmpfs of SIZE bytes (dockerd's options: nosuid, nodev, noexec, mode 1777) on PATH,
 * made when missing; nothing when one is mounted there already (a restart). */
int container_ipc_shm_mount(const char *path, int64_t size, berth_error_t **err);
/* Unmount PATH when something is mounted there; fine when it is not. */
int container_ipc_shm_unmount(const char *path, berth_error_t **err);
