/* supervisor/containers/bundle.c: the OCI bundle the start path hands to the shim:
 * <exec-root>/containers/<id>/{config.json, rootfs/} with the container's snapshot mounted. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cleanup.h"
#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"
#include "supervisor/containers/ipc_shm.h"
#include "supervisor/containers/service.h"
#include "supervisor/metadata/containers.h"
#include "supervisor/snapshots/active.h"

/* mkdir -p CWD inside ROOTFS, resolved there: a child chroots first, so no symlink in the image
 * can lead the directories outside (docker makes the working directory at start the same way,
 * through its container-rooted path resolution). */
static int
make_workdir(const char *rootfs, const char *cwd, berth_error_t **err)
{
        pid_t parent = getpid(), pid;
        int status = 0;

        pid = fork();
        if (pid < 0)
                return berth_error_sys(err, errno, "fork");
        if (pid == 0) {
                cleanup_error berth_error_t *e = NULL; /* the exit status reports it */
                if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
                        _exit(127);
                if (chroot(rootfs) < 0 || chdir("/") < 0)
                        _exit(1);
                _exit(fs_mkdir_p(cwd, 0755, &e) < 0 ? 1 : 0);
        }
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return berth_error_new(err, EIO, "cannot create working directory \"%s\"", cwd);
        return 0;
}

/* Whether ID is removed when it exits (--rm): its rootfs need not survive a crash. */
static bool
auto_remove(struct container_service *svc, const char *id)
{
        cleanup_json struct json_object *doc = NULL;
        cleanup_error berth_error_t *err = NULL;
        struct json_object *hc = NULL, *ar = NULL;

        if (svc->db == NULL || metadata_containers_load(svc->db, id, &doc, &err) < 0)
                return false;
        return json_object_object_get_ex(doc, "HostConfig", &hc)
               && json_object_object_get_ex(hc, "AutoRemove", &ar) && json_object_get_boolean(ar);
}

int
container_bundle_prepare(struct container_service *svc, const char *id, char **ret_dir,
                         berth_error_t **err)
{
        cleanup_free char *bundle = xasprintf("%s/containers/%s", svc->exec_root, id);
        cleanup_free char *rootfs = xasprintf("%s/rootfs", bundle);
        cleanup_free char *src = xasprintf("%s/containers/%s/config.json", svc->data_root, id);
        cleanup_free char *dst = xasprintf("%s/config.json", bundle);
        cleanup_free char *buf = NULL;
        cleanup_json struct json_object *spec = NULL;
        struct json_object *process = NULL, *cwd = NULL;
        size_t len = 0;
        int r;

        r = fs_read_file(AT_FDCWD, src, &buf, &len, err);
        if (r < 0)
                return r;
        r = fs_mkdir_p(rootfs, 0755, err);
        if (r < 0)
                return r;
        /* The exec-root is state for this boot only (/run): no fsync. */
        r = fs_replace_file(AT_FDCWD, dst, buf, len, 0600, err);
        if (r < 0)
                return r;
        if (!fs_is_mount_point(rootfs)) {
                r = auto_remove(svc, id)
                            ? snapshotter_active_mount_volatile(svc->snapshots, id, rootfs, err)
                            : snapshotter_active_mount(svc->snapshots, id, rootfs, err);
                if (r < 0)
                        return r;
        }
        r = json_parse_buffer(buf, len, &spec, err);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(spec, "process", &process)
            && json_object_object_get_ex(process, "cwd", &cwd)
            && strcmp(json_object_get_string(cwd), "/") != 0) {
                r = make_workdir(rootfs, json_object_get_string(cwd), err);
                if (r < 0)
                        return r;
        }
        *ret_dir = TAKE_PTR(bundle);
        return 0;
}

int
container_bundle_remove(struct container_service *svc, const char *id, berth_error_t **err)
{
        cleanup_free char *bundle = xasprintf("%s/containers/%s", svc->exec_root, id);
        cleanup_free char *rootfs = xasprintf("%s/rootfs", bundle);
        int r;

        if (access(bundle, F_OK) < 0)
                return 0;
        {
                cleanup_free char *shm = container_ipc_shm_path(svc->exec_root, id);
                r = container_ipc_shm_unmount(shm, err);
                if (r < 0)
                        return r;
        }
        if (fs_is_mount_point(rootfs)) {
                r = snapshotter_active_unmount(rootfs, err);
                if (r < 0)
                        return r;
                /* Never remove files through a mount still in place: they are the
                 * container's. */
                if (fs_is_mount_point(rootfs))
                        return berth_error_new(err, EBUSY, "bundle rootfs \"%s\" still mounted",
                                               rootfs);
        }
        return fs_remove_tree(AT_FDCWD, bundle, err);
}
