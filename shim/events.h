/* shim/events.h: the task events of interfaces.md §4.2, encoded (nanopb) and handed to the
 * publisher with their topics. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct shim_publisher;
struct shim_mount;

void shim_event_task_create(struct shim_publisher *p, const char *id, const char *bundle,
                            const struct shim_mount *rootfs, size_t n_rootfs, const char *in,
                            const char *out, const char *err, bool terminal, const char *checkpoint,
                            uint32_t pid);
void shim_event_task_start(struct shim_publisher *p, const char *id, uint32_t pid);
void shim_event_task_exit(struct shim_publisher *p, const char *id, const char *proc_id,
                          uint32_t pid, uint32_t status, const struct timespec *at);
void shim_event_task_delete(struct shim_publisher *p, const char *id, const char *exec_id,
                            uint32_t pid, uint32_t status, const struct timespec *at);
void shim_event_exec_added(struct shim_publisher *p, const char *id, const char *exec_id);
void shim_event_exec_started(struct shim_publisher *p, const char *id, const char *exec_id,
                             uint32_t pid);
void shim_event_paused(struct shim_publisher *p, const char *id, bool paused);
void shim_event_oom(struct shim_publisher *p, const char *id);
/* After a Checkpoint (containerd 1.6 publishes none itself; the runc shim sends none). */
void shim_event_checkpointed(struct shim_publisher *p, const char *id);
