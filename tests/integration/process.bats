#!/usr/bin/env bats
# runtime-spec 1.2 process settings runc 1.1.5 does not have: linux.personality,
# process.ioPriority and process.scheduler; each checked in the kernel's view, each bad value an
# error naming its JSON path.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

@test "process: linux.personality LINUX32 makes uname -m report a 32-bit machine" {
	spec_edit '.linux.personality = {"domain": "LINUX32"}'
	set_args uname -m
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" i686 "uname -m"
	spec_edit '.linux.personality = {"domain": "LINUX"}'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$(uname -m)" "uname -m with LINUX"
}

@test "process: ioPriority class and level reach the kernel" {
	spec_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	set_args ionice
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "best-effort: prio 6" "ionice"
}

@test "process: scheduler policy and nice reach the kernel" {
	spec_edit '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	# /proc/self/stat: field 19 is nice, field 41 the policy (3 = SCHED_BATCH)
	set_args sh -c 'cut -d" " -f19,41 /proc/self/stat'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "7 3" "nice and policy"
}

@test "process: bad personality, ioPriority and scheduler values name their path" {
	spec_edit '.linux.personality = {"domain": "LINUX64"}'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'config.json: linux.personality.domain: unknown domain "LINUX64" (expected LINUX or LINUX32)' "personality"
	assert_no_container
	spec_edit 'del(.linux.personality) | .process.ioPriority = {"class": "IOPRIO_CLASS_FOO"}'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'config.json: process.ioPriority.class: unknown class "IOPRIO_CLASS_FOO"' "ioPriority"
	spec_edit '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 8}'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'config.json: process.ioPriority.priority: 8 out of range [0, 7]' "ioPriority level"
	spec_edit 'del(.process.ioPriority) | .process.scheduler = {"policy": "SCHED_FOO"}'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'config.json: process.scheduler.policy: unknown policy "SCHED_FOO"' "scheduler"
	assert_no_container
}
