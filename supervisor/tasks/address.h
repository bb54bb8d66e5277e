/* supervisor/tasks/address.h: the pure part of finding a shim: task ids, where a task's files
 * live under berthd's exec-root, and the socket address a shim prints and keeps in its bundle's
 * `address` file (interfaces.md §2.3). */
#pragma once

#include <stdbool.h>

#include "lib/error.h"

/* containerd's identifier rule (namespaces and ids alike): [A-Za-z0-9]+([._-][A-Za-z0-9]+)*,
 * at most 76 characters. -EINVAL naming WHAT ("task id", "namespace") otherwise. */
int task_id_validate(const char *what, const char *id, berth_error_t **err);

/* "<exec-root>/tasks/<ns>/<id>": where berthd keeps the bundle of task ID (a suggestion for the
 * caller, which prepares bundles; nothing here requires it). */
char *task_bundle_path_build(const char *exec_root, const char *ns, const char *id);
/* "<exec-root>/runtime": the runtime state root given to the shim (it adds "/<ns>"). */
char *task_runtime_root_build(const char *exec_root);

/* Parse what a shim printed or wrote into <bundle>/address: surrounding whitespace is trimmed;
 * "unix:///path" is the socket file /path; a bare name is an abstract socket name (containerd's
 * dialer adds the leading NUL), "@name" too. *RET_PATH is the caller's. -EINVAL when empty or
 * too long for a socket address. */
int task_address_parse(const char *text, char **ret_path, bool *ret_abstract, berth_error_t **err);
