#!/usr/bin/env bats
# linux.sysctl: applied inside the container's namespaces only.

load helpers

@test "sysctl: net.ipv4.ip_forward in a new network namespace" {
	bundle_new
	local host_before
	host_before=$(cat /proc/sys/net/ipv4/ip_forward)
	local want=$((1 - host_before))
	spec_edit '.linux.sysctl = {"net.ipv4.ip_forward": $v, "net.core.somaxconn": "1234"}' --arg v "$want"
	ctr_run sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/core/somaxconn'
	assert_status 0
	assert_output "$want"$'\n'1234
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_before" "host ip_forward"
}

@test "sysctl: kernel.shm_rmid_forced in a new ipc namespace" {
	bundle_new
	local host_before
	host_before=$(cat /proc/sys/kernel/shm_rmid_forced)
	local want=$((1 - host_before))
	spec_edit '.linux.sysctl = {"kernel.shm_rmid_forced": $v}' --arg v "$want"
	ctr_run cat /proc/sys/kernel/shm_rmid_forced
	assert_status 0
	assert_output "$want"
	assert_eq "$(cat /proc/sys/kernel/shm_rmid_forced)" "$host_before" "host shm_rmid_forced"
}

@test "sysctl: net.* without a network namespace is rejected" {
	bundle_new
	spec_edit '.linux.namespaces |= map(select(.type != "network"))
		| .linux.sysctl = {"net.ipv4.ip_forward": "1"}'
	set_args true
	# the runtime itself runs in a throw-away netns: a runtime that wrongly
	# applies the sysctl cannot change the host
	run rt_ns --net run --bundle "$BUNDLE" "$ID" </dev/null
	assert_fail
	assert_no_container
}

@test "sysctl: kernel.shm_* without an ipc namespace is rejected" {
	bundle_new
	spec_edit '.linux.namespaces |= map(select(.type != "ipc"))
		| .linux.sysctl = {"kernel.shm_rmid_forced": "1"}'
	set_args true
	run rt_ns --ipc run --bundle "$BUNDLE" "$ID" </dev/null
	assert_fail
	assert_no_container
}

@test "sysctl: unknown / non-namespaced sysctl is rejected" {
	bundle_new
	spec_edit '.linux.sysctl = {"kernel.conf_no_such_sysctl": "1"}'
	set_args true
	run rt run --bundle "$BUNDLE" "$ID" </dev/null
	assert_fail
	assert_no_container
}
