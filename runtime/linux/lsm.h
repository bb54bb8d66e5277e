/* runtime/linux/lsm.h: AppArmor profiles and SELinux labels: a clear error when the host has no
 * such LSM (as runc), the exec label written just before the process is exec'd. */
#pragma once

#include <stdbool.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

bool lsm_apparmor_enabled(void);
bool lsm_selinux_enabled(void);
/* Before anything is made: refuse what the host cannot apply. */
int lsm_check(const struct spec *spec, berth_error_t **err);
/* In init, last thing before exec: the label the next exec takes. */
int lsm_set_exec_label(const struct spec_process *p, berth_error_t **err);
