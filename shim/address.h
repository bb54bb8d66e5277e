/* shim/address.h: where a shim listens (interfaces.md §2.3): the grouping key from the bundle's
 * config.json, the socket address containerd expects, the listening socket (reusing a running
 * shim of the same group), and the bundle's `address` file. */
#pragma once

#include <stdbool.h>

#include <json-c/json.h>

#include "lib/error.h"

/* containerd 1.6's socket directory parent (defaults.DefaultStateDir); the sockets are in
 * <root>/s. berthd passes its own with the BERTH_SHIM_SOCKET_ROOT environment variable. */
#define SHIM_SOCKET_ROOT_DEFAULT "/run/containerd"
/* sockaddr_un.sun_path less the terminating NUL and the margin Go's net package keeps. */
#define SHIM_SOCKET_PATH_MAX 106

/* Pure: the id of the shim that serves ID: the value of annotation io.containerd.runc.v2.group
 * or io.kubernetes.cri.sandbox-id in CONFIG (a parsed config.json; may be NULL), else ID. The
 * returned string is borrowed from CONFIG or is ID. */
const char *shim_group_key(struct json_object *config, const char *id);

/* Pure: "unix://<root>/s/<hex sha256 of "<address>/<ns>/<key>" (cleaned as Go's filepath.Join)>".
 * -ENAMETOOLONG when the path does not fit a UNIX socket address. */
int shim_address_build(const char *socket_root, const char *address, const char *ns,
                       const char *key, char **ret, berth_error_t **err);

/* "unix:///path" -> "/path"; any other form is an abstract name: "@name" -> "\0name" is not
 * representable in a C string, so abstract names are returned with a leading '@'. */
const char *shim_address_path(const char *addr);

/* Listen on ADDR (mode 0600, its directory made 0700). When the socket is taken and something
 * answers on it, that is the group's running shim: *RET_RUNNING is set and no fd returned;
 * a stale socket file is replaced. */
int shim_address_listen(const char *addr, int *ret_fd, bool *ret_running, berth_error_t **err);

/* <BUNDLE>/address, written atomically (.address then rename), as containerd reads it after its
 * own restart. */
int shim_address_save(const char *bundle, const char *addr, berth_error_t **err);

/* Remove ADDR's socket file when nothing answers on it any more (its shim was killed); a
 * running shim (of the same group) keeps its socket. */
void shim_address_remove_stale(const char *addr);
