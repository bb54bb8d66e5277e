#!/usr/bin/env bats
# linux.resources.devices on a unified host, berth's side: which layout gets a BPF device program
# and which gets v1 lists, and the exact error when the kernel refuses the program. Behaviour
# shared with runc is in conformance/devices_v2.bats.
#
# The host is hybrid (the devices controller on v1). A "v2 view" is a private mount namespace
# with the cgroup2 hierarchy (the one at /sys/fs/cgroup/unified) mounted on /sys/fs/cgroup, where
# berth sees a unified host; the host's own mounts never change.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() {
	grep -qw cgroup2 /proc/filesystems || skip "host kernel has no cgroup2 filesystem"
	bundle_new
}

teardown() {
	local id
	# containers made in a v2 view are deleted in one, where their cgroup paths mean what they
	# meant at create
	if [[ -d ${ROOT:-} ]]; then
		for id in $(ls -A "$ROOT"); do
			in_v2 "$BERTH" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	bundle_cleanup
}

# in_v2 CMD...: CMD in a private mount namespace whose /sys/fs/cgroup is the cgroup2 hierarchy.
in_v2() {
	timeout -k 5 "$IT_TIMEOUT" unshare -m --propagation private -- \
		sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' in_v2 "$@"
}

@test "devices v2: a device program the kernel refuses: exit 1, the message names linux.resources.devices, nothing left" {
	command -v capsh >/dev/null || skip "capsh (libcap2-bin) is not installed"
	set_args true
	local cmd msg
	for cmd in create run; do
		rm -f "$T/log.json"
		# without CAP_SYS_ADMIN and CAP_BPF, bpf(BPF_PROG_LOAD) of a cgroup device program is
		# EPERM; nothing before it in create needs either capability
		it_capture in_v2 capsh --drop=cap_sys_admin,cap_bpf -- -c \
			'exec "$0" --root "$1" --log "$2" --log-format json "$3" --bundle "$4" "$5"' \
			"$BERTH" "$ROOT" "$T/log.json" "$cmd" "$BUNDLE" "$ID"
		assert_status 1
		assert_eq "$stderr" "linux.resources.devices: load cgroup device program: Operation not permitted" "$cmd: stderr"
		msg=$(jq -er 'select(.level == "error") | .msg' "$T/log.json")
		assert_eq "$msg" "$stderr" "$cmd: msg in --log"
		assert_eq "$(ls -A "$ROOT")" "" "$cmd: state left in --root"
		assert_no_cgroup
	done
}

@test "devices v2: the same verdicts as the v1 lists: read-only allow, and a node no rule allows" {
	spec_edit '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
	spec_edit '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	set_args sh -c 'mknod /dev/mem c 1 1 && mknod /dev/fuse2 c 10 229 || exit 9
		for d in /dev/mem /dev/fuse2; do
			for m in r w; do
				if [ $m = r ]; then e=$( (exec 3<"$d") 2>&1 ); else e=$( (exec 3>"$d") 2>&1 ); fi
				case $? in 0) echo "$d $m opened" ;; *) case $e in
					*"not permitted"*) echo "$d $m EPERM" ;; *) echo "$d $m $e" ;; esac ;; esac
			done
		done'
	local want="/dev/mem r EPERM
/dev/mem w EPERM
/dev/fuse2 r opened
/dev/fuse2 w EPERM"
	# v2 view: the BPF program; host view (hybrid, devices on v1): the v1 lists
	it_capture in_v2 "$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$want" "v2 view"
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$want" "host view"
}
