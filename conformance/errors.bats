#!/usr/bin/env bats
# Invalid configurations and arguments: the runtime must fail (non-zero exit)
# and leave nothing behind. Error wording differs between runtimes, so only
# the exit status and the absence of leftovers are checked.

load helpers

# expect_fails: both `create` and `run` of $BUNDLE must fail, leave no
# container, no process, no cgroup, and an empty --root (runc leaves $ROOT
# empty after a failed create).
expect_fails() {
	local cmd id=$ID
	if (($#)); then id=$1; fi # "" is a valid (bad) id to test
	for cmd in create run; do
		# stdio to a file: should the runtime wrongly succeed, its container
		# must not hold bats' output pipe open
		run rt "$cmd" --bundle "$BUNDLE" "$id" </dev/null >"$T/expect_fails.out" 2>&1
		if [[ $status -eq 0 ]]; then
			echo "'$cmd' of id '$id' unexpectedly succeeded" >&2
			rt delete -f "$id" >/dev/null 2>&1 || true
			return 1
		fi
		assert_no_container "$id"
		if [[ -n $(ls -A "$ROOT") ]]; then
			echo "'$cmd' of id '$id' left state in $ROOT:" >&2
			ls -lA "$ROOT" >&2
			return 1
		fi
	done
}

# bad_json TEXT: write TEXT as config.json and expect failure
bad_json() {
	bundle_new
	printf '%s' "$1" >"$BUNDLE/config.json"
	expect_fails
}

# bad_edit 'jq filter': apply filter to a valid config and expect failure
bad_edit() {
	bundle_new
	set_args true
	spec_edit "$1"
	expect_fails
}

@test "errors: truncated JSON" {
	bad_json '{"ociVersion": "1.0.2", "process": {'
}

@test "errors: empty config.json" {
	bad_json ''
}

@test "errors: missing config.json" {
	bundle_new
	rm "$BUNDLE/config.json"
	expect_fails
}

@test "errors: config is a JSON array, not an object" {
	bad_json '[1, 2, 3]'
}

@test "errors: nonexistent bundle directory" {
	bundle_new
	BUNDLE=$T/no-such-bundle
	expect_fails
}

@test "errors: wrong type: process.args is a string" {
	bad_edit '.process.args = "sh -c true"'
}

@test "errors: wrong type: process.user.uid is a string" {
	bad_edit '.process.user.uid = "0"'
}

@test "errors: wrong type: process.user.uid is negative" {
	bad_edit '.process.user.uid = -1'
}

@test "errors: wrong type: process.env is an object" {
	bad_edit '.process.env = {"A": "b"}'
}

@test "errors: wrong type: root.readonly is a string" {
	bad_edit '.root.readonly = "yes"'
}

@test "errors: wrong type: mounts is an object" {
	bad_edit '.mounts = {}'
}

@test "errors: missing process" {
	bad_edit 'del(.process)'
}

@test "errors: empty process.args" {
	bad_edit '.process.args = []'
}

@test "errors: missing root" {
	bad_edit 'del(.root)'
}

@test "errors: root.path does not exist" {
	bad_edit '.root.path = "no-such-rootfs"'
}

@test "errors: relative process.cwd" {
	bad_edit '.process.cwd = "tmp"'
}

@test "errors: executable not found" {
	# runc resolves args[0] already at create time
	bad_edit '.process.args = ["/no/such/binary"]'
}

@test "errors: unknown namespace type" {
	bad_edit '.linux.namespaces += [{"type": "bogus"}]'
}

@test "errors: duplicate namespace type" {
	bad_edit '.linux.namespaces += [{"type": "pid"}]'
}

@test "errors: namespace path of the wrong namespace type" {
	bad_edit '(.linux.namespaces[] | select(.type == "network")) |= (.path = "/proc/self/ns/uts")'
}

@test "errors: user namespace without uid/gid mappings" {
	bad_edit '.linux.namespaces += [{"type": "user"}]'
}

@test "errors: unknown rlimit type" {
	bad_edit '.process.rlimits = [{"type": "RLIMIT_BOGUS", "soft": 1, "hard": 1}]'
}

@test "errors: rlimit soft > hard" {
	bad_edit '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 2048, "hard": 1024}]'
}

@test "errors: unknown mount type" {
	bad_edit '.mounts += [{"destination": "/x", "type": "conf-no-such-fs", "source": "none"}]'
}

@test "errors: invalid device type" {
	bad_edit '.linux.devices = [{"path": "/dev/x", "type": "z", "major": 1, "minor": 3}]'
}

@test "errors: invalid container ids" {
	bundle_new
	set_args true
	local id
	for id in "../$ID" "a/$ID" "" . .. "sp ace$ID"; do
		expect_fails "$id"
	done
	# nothing was created next to the state dir, no cgroup for any of them
	[[ ! -e $(dirname "$ROOT")/$ID ]]
	assert_no_container "$ID"
}

@test "errors: unknown properties are ignored, not errors" {
	# runtime-spec: implementations MUST ignore unknown properties
	bundle_new
	spec_edit '.conformanceUnknown = {"a": 1} | .process.conformanceUnknown = true | .linux.conformanceUnknown = [1]'
	ctr_run echo accepted
	assert_status 0
	assert_output accepted
}

# The one wording checked here: docker's CLI answers 127 when a failed start says "no such file or
# directory" and 126 for "permission denied" (cli/command/container/run.go, runStartContainerErr),
# case-sensitively, and 125 otherwise; podman matches the same words to pick 127/126. runc has
# them from Go's errno texts.
# shellcheck disable=SC2031 # BUNDLE comes from this test's own bundle_new
@test "errors: a missing or non-executable process.args[0] is reported in Go's lowercase errno words" {
	local arg want
	for arg in /nosuch /etc /noexec; do
		bundle_new
		printf 'x\n' >"$BUNDLE/rootfs/noexec"
		chmod 644 "$BUNDLE/rootfs/noexec"
		set_args "$arg"
		case $arg in
		/nosuch) want="no such file or directory" ;;
		*) want="permission denied" ;;
		esac
		if rt create --bundle "$BUNDLE" "$ID" </dev/null >"$T/create.out" 2>&1; then
			echo "create with args[0] $arg unexpectedly succeeded" >&2
			return 1
		fi
		if ! grep -qF -- "$want" "$T/create.out"; then
			echo "args[0] $arg: expected [$want] in:" >&2
			cat "$T/create.out" >&2
			return 1
		fi
		expect_fails
	done
}
