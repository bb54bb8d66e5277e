/* supervisor/containers/host_devices.h: the host's device nodes, as --privileged gives them to a
 * container (moby: every device under /dev, as runc's devices.HostDevices finds them). */
#pragma once

#include "lib/error.h"

struct json_object;

/* Walk DIR ("/dev") and return OCI linux.devices entries (path, type, major, minor, fileMode,
 * uid, gid) for its character and block devices, skipping what docker skips: the pts, shm, fd,
 * mqueue, .lxc, .lxd-mounts and .udev directories, "console", symlinks, fifos and other
 * non-devices. A node that vanishes meanwhile is skipped. *RET is the caller's. */
int container_host_devices_list(const char *dir, struct json_object **ret, berth_error_t **err);

/* container_host_devices_list("/dev"), as container_spec_input's host_devices. */
int container_host_devices_dev(struct json_object **ret, berth_error_t **err);
