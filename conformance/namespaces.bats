#!/usr/bin/env bats
# linux.namespaces: new, shared with the host, joined by path; hostname.

load helpers

# Prints "TYPE INODE" for each namespace of the container process.
NS_SCRIPT='for n in pid net ipc uts mnt cgroup user; do echo "$n $(stat -L -c %i /proc/self/ns/$n)"; done'

ns_of() { # ns_of TYPE: inode printed by NS_SCRIPT in $output
	awk -v t="$1" '$1 == t { print $2 }' <<<"$output"
}

@test "namespaces: every requested new namespace differs from the host's" {
	# (user: separate test below; time: not supported by runc 1.1.5)
	bundle_new
	spec_edit '.linux.namespaces = [{"type":"pid"},{"type":"network"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},{"type":"cgroup"}]'
	ctr_run sh -c "$NS_SCRIPT"
	assert_status 0
	local n
	for n in pid net ipc uts mnt cgroup; do
		[[ -n $(ns_of $n) ]] || {
			echo "no inode for $n" >&2
			false
		}
		if [[ $(ns_of $n) == "$(host_ns $n)" ]]; then
			echo "namespace $n was not unshared" >&2
			false
		fi
	done
	# no user namespace requested: shared with the host
	assert_eq "$(ns_of user)" "$(host_ns user)" "user ns"
}

@test "namespaces: types not listed are shared with the host" {
	bundle_new
	spec_edit '.linux.namespaces = [{"type":"mount"}] | del(.hostname)'
	# without a pid ns we must not be pid 1; without net/ipc/uts/cgroup ns
	# we see the host's
	ctr_run sh -c "$NS_SCRIPT"
	assert_status 0
	local n
	for n in pid net ipc uts cgroup user; do
		assert_eq "$(ns_of $n)" "$(host_ns $n)" "$n ns"
	done
	[[ $(ns_of mnt) != "$(host_ns mnt)" ]]
}

@test "namespaces: cgroup namespace makes /proc/self/cgroup paths root-relative" {
	bundle_new
	spec_edit '.linux.namespaces += [{"type":"cgroup"}]'
	ctr_run cat /proc/self/cgroup
	assert_status 0
	[[ -n $output ]]
	# every line ends in ":/"
	refute_line ':/.+$'
	assert_line ':/$'
	# the container's cgroup2 cgroup is the root of its namespace
	if [[ -n $(cgv_mounts | awk -F '\t' '$2 == ""') ]]; then
		assert_line '^0::/$'
	fi
}

@test "namespaces: user namespace with uid/gid mappings" {
	bundle_new
	# the mapped root must be able to reach the rootfs: bats' temp dirs are 0700
	local d=$BUNDLE
	while [[ $d == "$BATS_RUN_TMPDIR"* ]]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	spec_edit '.linux.namespaces += [{"type":"user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]'
	ctr_run sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -L -c %i /proc/self/ns/user; stat -c "%u %g" /bin/busybox'
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" 0 "uid inside"
	assert_eq "${lines[1]}" 0 "gid inside"
	assert_eq "$(echo ${lines[2]})" "0 100000 65536" "uid_map"
	assert_eq "$(echo ${lines[3]})" "0 200000 65536" "gid_map"
	[[ ${lines[4]} != "$(host_ns user)" ]]
	# host root is unmapped inside: files owned by it show as the overflow id
	assert_eq "${lines[5]}" "65534 65534" "owner of an unmapped file"
}

@test "namespaces: join a network namespace by path (persistent nsfs mount)" {
	bundle_new
	touch "$T/netns"
	unshare --net="$T/netns" true
	record_mount "$T/netns"
	local want
	want=$(stat -L -c %i "$T/netns")
	[[ $want != "$(host_ns net)" ]]
	spec_edit '(.linux.namespaces[] | select(.type == "network")) |= (.path = $p)' --arg p "$T/netns"
	ctr_run sh -c "$NS_SCRIPT"
	assert_status 0
	assert_eq "$(ns_of net)" "$want" "joined net ns"
}

@test "namespaces: join uts and ipc namespaces of a running process" {
	bundle_new
	unshare --uts --ipc sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	local pid=$!
	record_pid "$pid"
	# wait until the helper has actually unshared
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(stat -L -c %i /proc/$pid/ns/uts 2>/dev/null) != "$(host_ns uts)" ]] && break
		sleep 0.02
	done
	local want_uts want_ipc
	want_uts=$(stat -L -c %i /proc/$pid/ns/uts)
	want_ipc=$(stat -L -c %i /proc/$pid/ns/ipc)
	[[ $want_uts != "$(host_ns uts)" && $want_ipc != "$(host_ns ipc)" ]]

	# joining (not creating) a uts ns: leave the hostname alone
	spec_edit 'del(.hostname)
		| (.linux.namespaces[] | select(.type == "uts")) |= (.path = $u)
		| (.linux.namespaces[] | select(.type == "ipc")) |= (.path = $i)' \
		--arg u "/proc/$pid/ns/uts" --arg i "/proc/$pid/ns/ipc"
	ctr_run sh -c "$NS_SCRIPT"
	assert_status 0
	assert_eq "$(ns_of uts)" "$want_uts" "joined uts ns"
	assert_eq "$(ns_of ipc)" "$want_ipc" "joined ipc ns"
	# the others are still new
	[[ $(ns_of net) != "$(host_ns net)" ]]
	[[ $(ns_of pid) != "$(host_ns pid)" ]]
}

@test "namespaces: joining a path that is not a namespace fails" {
	bundle_new
	spec_edit '(.linux.namespaces[] | select(.type == "network")) |= (.path = "/nonexistent/netns")'
	ctr_run true
	assert_fail
	assert_no_container
}

@test "hostname: set in a new uts namespace, host untouched" {
	bundle_new
	spec_edit '.hostname = "conf-host.example"'
	ctr_run sh -c 'hostname; cat /proc/sys/kernel/hostname'
	assert_status 0
	assert_output $'conf-host.example\nconf-host.example'
	assert_eq "$(hostname)" "$CONF_HOST_HOSTNAME" "host hostname"
}

@test "hostname: without hostname the new uts ns inherits the host's name" {
	bundle_new
	spec_edit 'del(.hostname)'
	ctr_run hostname
	assert_status 0
	assert_output "$(hostname)"
}

@test "domainname: accepted (runc 1.1.5 ignores it)" {
	# runtime-spec 1.0.2 has "domainname"; runc 1.1.5 accepts the field but
	# does not set it (support arrived in runc 1.2). Only acceptance is tested.
	bundle_new
	spec_edit '.domainname = "conf.example"'
	ctr_run hostname
	assert_status 0
	assert_output runc
}

@test "hostname: without a new uts namespace is an error" {
	bundle_new
	spec_edit '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "must-not-be-set"'
	# the runtime runs in a throw-away uts ns so a buggy runtime cannot
	# rename the host
	set_args true
	run rt_ns --uts run --bundle "$BUNDLE" "$ID" </dev/null
	assert_fail
	assert_no_container
	assert_eq "$(hostname)" "$CONF_HOST_HOSTNAME" "host hostname"
}
