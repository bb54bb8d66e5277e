#!/usr/bin/env bats
# User namespaces: a mapped container with the default mounts, and idmapped bind mounts
# (mounts[].uidMappings, runtime-spec 1.2) that let a mapped root own host-root files without chown.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() {
	bundle_new
	# the mapped root must reach the bundle: bats' temp dirs are 0700
	local d=$BUNDLE
	while [[ $d == "$BATS_RUN_TMPDIR"* || $d == "$BATS_TEST_TMPDIR"* ]]; do
		chmod o+x "$d"
		d=$(dirname "$d")
	done
	mkdir -p "$T/host" "$BUNDLE/rootfs/idm" "$BUNDLE/rootfs/plain"
	chmod 0755 "$T/host"
	touch "$T/host/owned-by-host-root"
}
teardown() { bundle_cleanup; }

userns() {
	spec_edit '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}]'
}

@test "userns: mapped root with proc, sysfs, devices and cgroup mounts" {
	userns
	set_args sh -c 'id -u; cat /proc/self/uid_map; grep -c " /proc proc " /proc/self/mounts; grep -c " /sys sysfs " /proc/self/mounts; echo x > /dev/null && echo devnull-ok; ls /sys/fs/cgroup | grep -c .'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	local lines
	mapfile -t lines <<<"$output"
	assert_eq "${lines[0]}" 0 "uid inside"
	assert_eq "$(echo ${lines[1]})" "0 100000 65536" "uid_map"
	assert_eq "${lines[2]}" 1 "proc mounted"
	assert_eq "${lines[3]}" 1 "sysfs mounted"
	assert_eq "${lines[4]}" devnull-ok "/dev/null usable (bound from the host)"
	((lines[5] > 0))
	assert_no_container
}

# The init cannot write the host's v1 cgroup files from its new user namespace: berth does, for it.
@test "userns: the init and an exec'd process are in the container's cgroup in every hierarchy" {
	userns
	assert_cgroups_of_init_and_exec
}

@test "userns: idmapped bind mount shows host root's files as the container's root, writes as host root" {
	userns
	spec_edit '.root.readonly = false | .mounts += [
		{"destination": "/idm", "type": "bind", "source": $h, "options": ["bind"],
		 "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
		 "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]},
		{"destination": "/plain", "type": "bind", "source": $h, "options": ["bind"]}]' --arg h "$T/host"
	set_args sh -c 'stat -c "%u %g" /idm/owned-by-host-root /plain/owned-by-host-root; touch /idm/made-inside && echo made; touch /plain/denied 2>/dev/null && echo plain-writable; true'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	# through the idmapped mount host root is the container's root; without it, unmapped (65534)
	assert_eq "$output" $'0 0\n65534 65534\nmade' "container view"
	assert_eq "$(stat -c '%u %g' "$T/host/made-inside")" "0 0" "owner on the host"
	[[ ! -e $T/host/denied ]]
	assert_no_container
}

@test "userns: idmapped mount errors name the mount" {
	spec_edit '.mounts += [{"destination": "/idm", "type": "bind", "source": $h, "options": ["bind"],
		 "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}]' --arg h "$T/host"
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'config.json: mounts[7].gidMappings: an idmapped mount needs both uidMappings and gidMappings' "message"
	assert_no_container
	spec_edit '.mounts[7] = {"destination": "/idm", "type": "tmpfs", "source": "tmpfs",
		 "uidMappings": [{"containerID": 0, "hostID": 100000, "size": 1}],
		 "gidMappings": [{"containerID": 0, "hostID": 100000, "size": 1}]}'
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'config.json: mounts[7].uidMappings: id mappings need a bind mount' "message"
	assert_no_container
}
