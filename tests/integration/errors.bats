#!/usr/bin/env bats
# Bad config.json values and host refusals: exit 1, berth's exact message naming the JSON path (on
# stderr and as the one JSON line of --log), and nothing left behind: no state, cgroup or process.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

# expect_error MSG [prefix]: `create` and `run` of $BUNDLE both exit 1; stderr is exactly MSG (or
# starts with it when the second argument is "prefix"), the --log file holds exactly one JSON line
# with level "error" and the same message, and the container left nothing behind.
expect_error() {
	local want=$1 mode=${2:-exact} cmd msg
	for cmd in create run; do
		rm -f "$T/log.json"
		brun --log "$T/log.json" --log-format json "$cmd" --bundle "$BUNDLE" "$ID"
		assert_status 1
		if [[ $mode == prefix ]]; then
			assert_eq "${stderr:0:${#want}}" "$want" "$cmd: stderr (prefix)"
			[[ $stderr != *$'\n'* ]] || {
				echo "$cmd: stderr has more than one line: $stderr" >&2
				return 1
			}
		else
			assert_eq "$stderr" "$want" "$cmd: stderr"
		fi
		assert_eq "$(wc -l <"$T/log.json")" 1 "$cmd: lines in --log"
		msg=$(jq -er 'select(.level == "error") | .msg' "$T/log.json") || {
			echo "$cmd: --log holds no error line: $(cat "$T/log.json")" >&2
			return 1
		}
		assert_eq "$msg" "$stderr" "$cmd: msg in --log"
		assert_no_container
		if [[ -n $(ls -A "$ROOT") ]]; then
			echo "$cmd left state in $ROOT: $(ls -A "$ROOT")" >&2
			return 1
		fi
	done
}

@test "errors: unknown rlimit names process.rlimits[0].type" {
	set_args true
	spec_edit '.process.rlimits = [{"type": "RLIMIT_FOO", "hard": 1, "soft": 1}]'
	expect_error 'config.json: process.rlimits[0].type: unknown rlimit "RLIMIT_FOO"'
}

@test "errors: a device rule punching a hole in a wildcard rule names linux.resources.devices[2]" {
	set_args true
	# the v1 kernel would ignore the deny silently; runc refuses it, on v1 and v2 alike
	spec_edit '.linux.resources.devices += [{"allow": true, "type": "c", "access": "rwm"},
		{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "r"}]'
	expect_error 'config.json: linux.resources.devices[2]: deny "c 1:5 r" cannot punch a hole in the earlier wildcard rule "c *:* rwm"'
}

@test "errors: a device rule that runc's default devices would punch a hole in" {
	set_args true
	spec_edit '.linux.resources.devices = [{"allow": true, "access": "rwm"},
		{"allow": false, "type": "c", "access": "rw"}]'
	expect_error 'config.json: linux.resources.devices: runc'"'"'s default rule allow "c 1:3 rwm" cannot punch a hole in the earlier wildcard rule "c *:* rw"'
}

@test "errors: relative process.cwd" {
	set_args true
	spec_edit '.process.cwd = "rel"'
	expect_error 'config.json: process.cwd: "rel" is not an absolute path'
}

@test "errors: unknown namespace type names linux.namespaces[0].type" {
	set_args true
	spec_edit '.linux.namespaces[0].type = "bogus"'
	expect_error 'config.json: linux.namespaces[0].type: unknown namespace "bogus"'
}

@test "errors: invalid JSON gives line and column" {
	printf '{"ociVersion": "1.0.2", x}' >"$BUNDLE/config.json"
	expect_error 'config.json: invalid JSON at line 1 column 25' prefix
}

@test "errors: truncated JSON gives the line and column of the end" {
	printf '{"ociVersion": "1.0.2",\n "process": {' >"$BUNDLE/config.json"
	expect_error 'config.json: invalid JSON at line 2 column 14' prefix
}

@test "errors: hostname without a private UTS namespace" {
	set_args true
	spec_edit '.linux.namespaces |= map(select(.type != "uts")) | .hostname = "x"'
	expect_error 'config.json: hostname: unable to set hostname without a private UTS namespace'
}

@test "errors: unknown capability names process.capabilities.bounding[0]" {
	# runc 1.1.5 only warns ("ignoring unknown or unavailable capabilities") and runs; berth refuses.
	set_args true
	spec_edit '.process.capabilities.bounding = ["CAP_FOO"]'
	expect_error 'config.json: process.capabilities.bounding[0]: unknown capability "CAP_FOO"'
}

@test "errors: missing executable is found at create time" {
	# runc: `exec: "nosuchbinary": executable file not found in $PATH`, also at create time.
	set_args nosuchbinary
	expect_error 'exec: "nosuchbinary": executable file not found in $PATH'
}

@test "errors: missing or non-executable args[0] in runc's lowercase words, which docker and podman parse" {
	set_args /nosuch
	expect_error 'exec: "/nosuch": stat /nosuch: no such file or directory'
	set_args /etc
	expect_error 'exec: "/etc": is a directory: permission denied'
	printf 'x\n' >"$BUNDLE/rootfs/noexec"
	chmod 644 "$BUNDLE/rootfs/noexec"
	set_args /noexec
	expect_error 'exec: "/noexec": permission denied'
}

@test "errors: a file the kernel cannot execute: exec PATH: exec format error, status 127" {
	# passes the create-time checks (a regular file with x bits); execve fails in the waiter
	printf '\177ELFgarbage' >"$BUNDLE/rootfs/bad"
	chmod 755 "$BUNDLE/rootfs/bad"
	set_args /bad
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 127
	assert_eq "$stderr" "exec /bad: exec format error" "the process's stderr"
}

@test "errors: RLIMIT_NOFILE hard limit above the host's needs CAP_SYS_RESOURCE" {
	local host want
	host=$(ulimit -Hn)
	want=$((host + 10000))
	set_args sh -c 'ulimit -Hn'
	spec_edit '.process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": $h, "soft": 1024}]' --argjson h "$want"
	if (ulimit -Hn "$want") 2>/dev/null; then
		# This host lets us raise it (CAP_SYS_RESOURCE): then berth must simply apply it.
		brun run --bundle "$BUNDLE" "$ID"
		assert_status 0
		assert_eq "$output" "$want" "hard nofile in the container"
		return
	fi
	for cmd in create run; do
		brun "$cmd" --bundle "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$(errmsg)" "process.rlimits[0]: RLIMIT_NOFILE hard limit $want is above the host's hard limit $host"
		assert_contains "$(errmsg)" "CAP_SYS_RESOURCE"
		assert_no_container
		[[ -z $(ls -A "$ROOT") ]]
	done
}

@test "errors: oomScoreAdj below what this process may set" {
	local cur want=-1000
	cur=$(cat /proc/self/oom_score_adj)
	set_args cat /proc/self/oom_score_adj
	spec_edit '.process.oomScoreAdj = $v' --argjson v "$want"
	# The kernel checks against the lowest value a privileged ancestor set, not the current value:
	# probe it. If -1000 is allowed here, berth must apply it instead.
	if (echo "$want" >/proc/self/oom_score_adj) 2>/dev/null; then
		brun run --bundle "$BUNDLE" "$ID"
		assert_status 0
		assert_eq "$output" "$want" "oom_score_adj in the container"
		return
	fi
	for cmd in create run; do
		brun "$cmd" --bundle "$BUNDLE" "$ID"
		assert_status 1
		assert_contains "$(errmsg)" "process.oomScoreAdj: cannot lower oom_score_adj"
		assert_contains "$(errmsg)" "from $cur to $want"
		assert_no_container
		[[ -z $(ls -A "$ROOT") ]]
	done
}

@test "errors: oomScoreAdj above the current value is applied" {
	local cur want
	cur=$(cat /proc/self/oom_score_adj)
	want=$((cur + 10 > 1000 ? 1000 : cur + 10))
	set_args cat /proc/self/oom_score_adj
	spec_edit '.process.oomScoreAdj = $v' --argjson v "$want"
	brun run --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$want" "oom_score_adj in the container"
}

@test "errors: oomScoreAdj between the allowed minimum and the current value is applied" {
	# Raise our own value first (always allowed); going back down to the old one is allowed too,
	# so berth must not refuse merely because the value is lower than its current one.
	local cur
	cur=$(cat /proc/self/oom_score_adj)
	((cur <= 990)) || cur=990
	set_args cat /proc/self/oom_score_adj
	spec_edit '.process.oomScoreAdj = $v' --argjson v "$cur"
	it_capture timeout -k 5 "$IT_TIMEOUT" sh -c 'echo $(($2 + 10)) >/proc/self/oom_score_adj && exec "$0" --root "$1" run --bundle "$3" "$4"' \
		"$BERTH" "$ROOT" "$cur" "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$output" "$cur" "oom_score_adj in the container"
}
