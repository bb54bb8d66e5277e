/* runtime/linux/lsm.c: AppArmor and SELinux through /proc/thread-self/attr. */
#include <config.h>

#include "runtime/linux/lsm.h"

#include <fcntl.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "lib/fs.h"
#include "lib/json.h"
#include "lib/xalloc.h"

#define SELINUX_MAGIC 0xf97cff8c

bool
lsm_apparmor_enabled(void)
{
        cleanup_free char *buf = NULL;

        if (fs_read_file(AT_FDCWD, "/sys/module/apparmor/parameters/enabled", &buf, NULL, NULL) < 0)
                return false;
        return buf[0] == 'Y';
}

bool
lsm_selinux_enabled(void)
{
        struct statfs st;

        return statfs("/sys/fs/selinux", &st) == 0 && (unsigned long) st.f_type == SELINUX_MAGIC;
}

int
lsm_check(const struct spec *spec, berth_error_t **err)
{
        const struct jpath *proc = JPATH_KEY(NULL, "process");

        if (spec->process.apparmor_profile && !lsm_apparmor_enabled())
                return json_error(err, JPATH_KEY(proc, "apparmorProfile"),
                                  "profile \"%s\" given, but AppArmor is not enabled on this host",
                                  spec->process.apparmor_profile);
        if (spec->process.selinux_label && !lsm_selinux_enabled())
                return json_error(err, JPATH_KEY(proc, "selinuxLabel"),
                                  "label given, but SELinux is not enabled on this host");
        if (spec->linux.mount_label && !lsm_selinux_enabled())
                return json_error(err, JPATH_KEY(JPATH_KEY(NULL, "linux"), "mountLabel"),
                                  "label given, but SELinux is not enabled on this host");
        return 0;
}

static int
write_attr(const char *lsm_path, const char *generic_path, const char *value, berth_error_t **err)
{
        int r = fs_write_file(AT_FDCWD, lsm_path, value, strlen(value), NULL);

        if (r == -ENOENT && generic_path)
                r = fs_write_file(AT_FDCWD, generic_path, value, strlen(value), NULL);
        if (r < 0)
                return berth_error_sys(err, -r, "write \"%s\"", value);
        return 0;
}

int
lsm_set_exec_label(const struct spec_process *p, berth_error_t **err)
{
        int r;

        if (p->apparmor_profile) {
                cleanup_free char *v = xasprintf("exec %s", p->apparmor_profile);
                r = write_attr("/proc/thread-self/attr/apparmor/exec", "/proc/thread-self/attr/exec", v, err);
                if (r < 0)
                        return berth_error_prefix(err, "process.apparmorProfile");
        }
        if (p->selinux_label) {
                r = write_attr("/proc/thread-self/attr/exec", NULL, p->selinux_label, err);
                if (r < 0)
                        return berth_error_prefix(err, "process.selinuxLabel");
        }
        return 0;
}
