/* runtime/linux/device_policy.h: what a container's device rules mean. The rules of
 * linux.resources.devices, followed by runc's default allowed devices, are replayed the way the
 * cgroup v1 devices controller takes devices.allow / devices.deny lines, giving a default verdict
 * and a list of exceptions. cgroup v1 hosts get the lines themselves; cgroup v2 hosts get a BPF
 * program built from the result (devices_bpf.h), so both enforce the same thing. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "runtime/spec/spec.h"

/* Access bits, the values of the kernel's BPF_DEVCG_ACC_* (include/uapi/linux/bpf.h). */
enum {
        DEVICE_ACC_MKNOD = 1,
        DEVICE_ACC_READ = 2,
        DEVICE_ACC_WRITE = 4,
        DEVICE_ACC_ALL = 7,
};

struct device_exception {
        char type;            /* 'c' or 'b' */
        int64_t major, minor; /* -1: any */
        unsigned access;      /* DEVICE_ACC_* bits, never 0 */
};

struct device_policy {
        bool default_allow;          /* verdict when no exception matches */
        struct device_exception *ex; /* each one grants !default_allow */
        size_t n;
};

/* runc's AllowedDevices (libcontainer/specconv), appended after the config's rules everywhere. */
extern const struct spec_device_rule device_default_rules[];
extern const size_t device_default_rules_n;

/* "rwm" (any subset, any order) -> DEVICE_ACC_* bits. */
unsigned device_access_bits(const char *access);

/* Pure: replay RULES and then the defaults. A rule of type 'a' resets the policy to its verdict
 * whatever its numbers; a rule agreeing with the default verdict takes access away from the
 * exception with exactly its type and numbers; any other rule adds to that exception. As runc's
 * devices emulator (and unlike the v1 kernel, which ignores it), taking access away that a
 * broader wildcard exception still grants is -EINVAL naming linux.resources.devices[i]. */
int device_policy_build(const struct spec_device_rule *rules, size_t n, struct device_policy *ret,
                        berth_error_t **err);
void device_policy_done(struct device_policy *p);

/* Pure: the verdict for a request of ACCESS bits on device TYPE MAJOR:MINOR, as the v1 kernel
 * decides it: an exception matches when it covers the type, both numbers and each requested bit. */
bool device_policy_allows(const struct device_policy *p, char type, uint32_t major, uint32_t minor,
                          unsigned access);
