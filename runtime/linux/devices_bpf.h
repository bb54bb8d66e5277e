/* runtime/linux/devices_bpf.h: cgroup v2 device control, a BPF_PROG_TYPE_CGROUP_DEVICE program
 * built from the same policy the v1 devices.allow / devices.deny lines give (device_policy.h). */
#pragma once

#include <linux/bpf.h>
#include <stddef.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* Pure: the program for RULES (linux.resources.devices) followed by runc's default allowed
 * devices. It reads struct bpf_cgroup_dev_ctx from r1 and returns 1 (allow) or 0 (deny); it uses
 * only 32-bit word loads, 32-bit ALU and/rsh/mov, 64-bit jne (immediate and register), and exit.
 * *ret (*ret_n instructions) is the caller's to free. Errors are device_policy_build()'s. */
int devices_bpf_build(const struct spec_device_rule *rules, size_t n, struct bpf_insn **ret,
                      size_t *ret_n, berth_error_t **err);

/* Load INSNS and attach them to the cgroup2 directory CGROUP_DIR (BPF_CGROUP_DEVICE,
 * BPF_F_ALLOW_MULTI), then take away every device program attached there before, so a second
 * apply (update) replaces the first with no moment where neither is attached. The kernel keeps
 * the program while it is attached, and drops it with the cgroup. */
int devices_bpf_apply(const char *cgroup_dir, const struct bpf_insn *insns, size_t n,
                      berth_error_t **err);
