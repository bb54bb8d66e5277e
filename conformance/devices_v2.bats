#!/usr/bin/env bats
# linux.resources.devices on cgroup v2: a BPF device program on the container's cgroup.
#
# Self-contained on any host with cgroup2: every runtime call runs in a private mount namespace
# with the cgroup2 hierarchy mounted on /sys/fs/cgroup (on a hybrid host that is the hierarchy
# also mounted at /sys/fs/cgroup/unified), so the runtime sees a unified host. Nothing of the
# host's own mounts changes. Containers made in such a view are deleted in one, where their
# cgroup paths mean what they meant at create. cgroup_devprog.py reads and attaches device
# programs with bpf(2) directly: no bpftool.

load helpers

DEVPROG="$CONF_DIR/cgroup_devprog.py"

setup() {
	conf_setup
	grep -qw cgroup2 /proc/filesystems || skip "host kernel has no cgroup2 filesystem"
	local why
	why=$(python3 "$DEVPROG" probe 2>&1) || skip "host kernel cannot load cgroup device BPF programs (CONFIG_CGROUP_BPF): $why"
	PRE=
}

teardown() {
	local id
	if [[ -d ${ROOT:-} ]]; then
		for id in $(ls -A "$ROOT"); do
			in_v2 "$RT" --root "$ROOT" delete -f "$id" >/dev/null 2>&1 || true
		done
	fi
	# a cgroup this test made itself (never named *$ID, so bundle_cleanup's leak check is
	# about the runtime's cgroups only)
	if [[ -n ${PRE:-} ]]; then
		in_v2 rmdir "/sys/fs/cgroup/$PRE" 2>/dev/null || true
	fi
	conf_teardown
}

# in_v2 CMD...: CMD in a private mount namespace whose /sys/fs/cgroup is the cgroup2 hierarchy.
# Under CONF_CGROUP_VIEW=v2 the whole run is already in such a view (cgroup2 cannot be mounted
# again on it), so CMD just runs there.
in_v2() {
	if [[ $(stat -fc %T /sys/fs/cgroup) == cgroup2fs ]]; then
		timeout -k 5 "$CONF_RT_TIMEOUT" "$@"
		return
	fi
	timeout -k 5 "$CONF_RT_TIMEOUT" unshare -m --propagation private -- \
		sh -c 'mount -t cgroup2 none /sys/fs/cgroup && exec "$@"' in_v2 "$@"
}

# v2_run [ARG...]: ctr_run, in a v2 view.
v2_run() {
	if (($#)); then set_args "$@"; fi
	run --separate-stderr in_v2 "$RT" --root "$ROOT" run --bundle "$BUNDLE" "$ID" </dev/null
	if [[ $status -ne 0 ]]; then
		echo "# rt run exit status $status; stderr: $stderr" >&2
	fi
}

# dev_bundle: the template bundle plus /probe: "probe MODE PATH..." opens each PATH for
# reading (r), writing (w) or both (rw) and prints "PATH MODE opened|EPERM|error: ...".
dev_bundle() {
	bundle_new
	cat >"$BUNDLE/rootfs/probe" <<'EOF'
#!/bin/sh
mode=$1
shift
for p in "$@"; do
	case $mode in
	r) err=$( (exec 3<"$p") 2>&1 ) ;;
	w) err=$( (exec 3>"$p") 2>&1 ) ;;
	rw) err=$( (exec 3<>"$p") 2>&1 ) ;;
	esac
	if [ $? -eq 0 ]; then
		echo "$p $mode opened"
	else
		case $err in
		*"not permitted"*) echo "$p $mode EPERM" ;;
		*) echo "$p $mode error: $err" ;;
		esac
	fi
done
EOF
	chmod 755 "$BUNDLE/rootfs/probe"
	# nodes the tests use; the runtime makes them, the device rules decide their use
	spec_edit '.linux.devices = [
		{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438},
		{"path": "/dev/loop0", "type": "b", "major": 7, "minor": 0, "fileMode": 438}]'
}

# add_rules JSON: append rules to linux.resources.devices (after the template's deny-all).
add_rules() {
	spec_edit '.linux.resources.devices += $r' --argjson r "$1"
}

@test "devices v2: default rules: null and zero work; nodes the container makes itself cannot be opened" {
	dev_bundle
	spec_edit '.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	# mknod is allowed for every node (runc's "c *:* m", "b *:* m"); using one is not
	v2_run sh -c 'echo x >/dev/null && echo null-ok
		[ "$(head -c 4 /dev/zero | od -An -tx1 | tr -d " ")" = 00000000 ] && echo zero-ok
		mknod /dev/mem c 1 1 && mknod /dev/myloop b 7 0 && echo mknod-ok
		/probe r /dev/mem /dev/myloop /dev/fuse /dev/loop0
		/probe w /dev/mem /dev/null'
	assert_status 0
	assert_output "null-ok
zero-ok
mknod-ok
/dev/mem r EPERM
/dev/myloop r EPERM
/dev/fuse r EPERM
/dev/loop0 r EPERM
/dev/mem w EPERM
/dev/null w opened"
}

@test "devices v2: an allow rule lets the device be opened, with the access it names" {
	dev_bundle
	add_rules '[{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"},
		{"allow": true, "type": "b", "major": 7, "minor": 0, "access": "r"}]'
	v2_run sh -c '/probe rw /dev/fuse; /probe r /dev/loop0; /probe w /dev/loop0'
	assert_status 0
	assert_output "/dev/fuse rw opened
/dev/loop0 r opened
/dev/loop0 w EPERM"
}

@test "devices v2: a wildcard minor allows the whole major" {
	dev_bundle
	add_rules '[{"allow": true, "type": "b", "major": 7, "access": "rw"}]'
	v2_run sh -c '/probe rw /dev/loop0; /probe rw /dev/fuse'
	assert_status 0
	assert_output "/dev/loop0 rw opened
/dev/fuse rw EPERM"
}

@test "devices v2: a write-only rule blocks reads" {
	dev_bundle
	add_rules '[{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "w"}]'
	v2_run sh -c '/probe w /dev/fuse; /probe r /dev/fuse; /probe rw /dev/fuse'
	assert_status 0
	assert_output "/dev/fuse w opened
/dev/fuse r EPERM
/dev/fuse rw EPERM"
}

@test "devices v2: deny rules after allow-all; the default devices stay allowed" {
	dev_bundle
	# access "rw", not "rwm": a deny of mknod would stop the runtime making /dev/fuse at all
	spec_edit '.linux.resources.devices = [{"allow": true, "access": "rwm"},
		{"allow": false, "type": "c", "major": 10, "minor": 229, "access": "rw"},
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "rw"}]'
	# runc's default allowed devices come after the config's rules and allow /dev/zero again
	# (runc's emulator and the v1 kernel agree), so only /dev/fuse is denied
	v2_run sh -c '/probe rw /dev/fuse /dev/loop0 /dev/zero'
	assert_status 0
	assert_output "/dev/fuse rw EPERM
/dev/loop0 rw opened
/dev/zero rw opened"
}

@test "devices v2: a later deny takes access back from an earlier allow" {
	dev_bundle
	add_rules '[{"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rwm"},
		{"allow": false, "type": "c", "major": 10, "minor": 229, "access": "r"}]'
	v2_run sh -c '/probe w /dev/fuse; /probe r /dev/fuse'
	assert_status 0
	assert_output "/dev/fuse w opened
/dev/fuse r EPERM"
}

@test "devices v2: one program on the container's cgroup, replacing any there before; gone with the cgroup" {
	dev_bundle
	set_args sleep 100
	PRE=berth-conf-pre-$CONF_RUN-$BATS_TEST_NUMBER
	spec_edit '.linux.cgroupsPath = $p' --arg p "/$PRE"
	# a program that refuses everything; left attached, it would deny /dev/null too
	in_v2 sh -c 'mkdir "/sys/fs/cgroup/$1" && python3 "$2" deny-all "/sys/fs/cgroup/$1"' x "$PRE" "$DEVPROG"
	run in_v2 python3 "$DEVPROG" count "/sys/fs/cgroup/$PRE"
	assert_output 1

	in_v2 "$RT" --root "$ROOT" create --bundle "$BUNDLE" "$ID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	run in_v2 python3 "$DEVPROG" count "/sys/fs/cgroup/$PRE"
	assert_output 1
	in_v2 "$RT" --root "$ROOT" start "$ID"
	run in_v2 "$RT" --root "$ROOT" exec "$ID" sh -c 'echo x >/dev/null && echo null-ok; /probe r /dev/fuse'
	assert_status 0
	assert_output "null-ok
/dev/fuse r EPERM"

	run in_v2 "$RT" --root "$ROOT" delete -f "$ID"
	assert_status 0
	run in_v2 test -e "/sys/fs/cgroup/$PRE"
	assert_status 1
	PRE=
}

@test "devices v2: a rule that would punch a hole in a wildcard rule is refused; nothing is left" {
	dev_bundle
	add_rules '[{"allow": true, "type": "c", "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "r"}]'
	v2_run true
	assert_fail
	run in_v2 sh -c 'ls -A "$1"; find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$2"' x "$ROOT" "$ID"
	assert_output ""
}

@test "devices v2: a container that fails after its program is attached leaves no cgroup" {
	dev_bundle
	v2_run /no-such-binary
	assert_fail
	run in_v2 sh -c 'ls -A "$1"; find /sys/fs/cgroup -mindepth 1 -maxdepth 8 -type d -name "*$2"' x "$ROOT" "$ID"
	assert_output ""
}
