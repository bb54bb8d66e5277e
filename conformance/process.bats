#!/usr/bin/env bats
# process: args, env, cwd, user, umask, rlimits, capabilities,
# noNewPrivileges, terminal, oomScoreAdj.

load helpers

@test "process: args are passed verbatim (argv boundaries, argv0)" {
	bundle_new
	ctr_run sh -c 'printf "[%s]\n" "$0" "$@"' zero 'a b' '' "c'd" '$HOME' '-c'
	assert_status 0
	assert_output "$(printf '[%s]\n' zero 'a b' '' "c'd" '$HOME' '-c')"
	# args[0] is argv[0]: busybox dispatches on it
	ctr_run /bin/busybox echo via-argv0
	assert_status 0
	assert_output via-argv0
	spec_edit '.process.args = ["/bin/busybox"]'
	set_args basename /x/y/z
	ctr_run
	assert_status 0
	assert_output z
}

@test "process: args[0] is looked up in PATH from process.env" {
	bundle_new
	ctr_run uname -s
	assert_status 0
	assert_output Linux
	# an executable that exists nowhere fails the run
	ctr_run no-such-binary-xyz
	assert_fail
}

@test "process: env is exactly process.env (+HOME from /etc/passwd)" {
	bundle_new
	spec_edit '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY=", "EQ=a=b"]'
	# `env` from a non-shell process, so no shell adds PWD/SHLVL
	ctr_run /bin/env
	assert_status 0
	# runc adds HOME (from the user's /etc/passwd entry) when env lacks it
	assert_eq "$(sort <<<"$output")" "$(printf '%s\n' EMPTY= EQ=a=b 'FOO=bar baz' HOME=/root PATH=/bin | sort)" "environment"
}

@test "process: HOME from process.env is kept; HOME for a non-root user comes from passwd" {
	bundle_new
	spec_edit '.process.env = ["PATH=/bin", "HOME=/custom"]'
	ctr_run /bin/env
	assert_status 0
	assert_line '^HOME=/custom$'
	refute_line '^HOME=/root$'
	spec_edit '.process.env = ["PATH=/bin"] | .process.user = {"uid": 1000, "gid": 1000}'
	ctr_run /bin/env
	assert_status 0
	assert_line '^HOME=/tmp$' # the berth user in the busybox bundle's /etc/passwd
}

@test "process: cwd is honoured" {
	bundle_new
	spec_edit '.process.cwd = "/etc"'
	ctr_run /bin/pwd
	assert_status 0
	assert_output /etc
}

@test "process: missing cwd is created (runc), even with a read-only root" {
	bundle_new
	spec_edit '.process.cwd = "/does/not/exist"'
	ctr_run /bin/pwd
	assert_status 0
	assert_output /does/not/exist
	[[ -d $BUNDLE/rootfs/does/not/exist ]]
}

@test "process: user uid/gid/additionalGids" {
	bundle_new
	spec_edit '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 65534]}'
	ctr_run sh -c 'id; grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	assert_status 0
	assert_line '^uid=1000\(berth\) gid=1000\(berth\) groups=10,65534\(nogroup\)$'
	assert_line $'^Uid:\t1000\t1000\t1000\t1000$'
	assert_line $'^Gid:\t1000\t1000\t1000\t1000$'
	assert_line $'^Groups:\t10 65534 ?$'
}

@test "process: user without additionalGids has no supplementary groups" {
	bundle_new
	spec_edit '.process.user = {"uid": 65534, "gid": 65534}'
	ctr_run sh -c 'grep -E "^(Uid|Gid|Groups):" /proc/self/status'
	assert_status 0
	assert_line $'^Uid:\t65534\t65534\t65534\t65534$'
	assert_line $'^Gid:\t65534\t65534\t65534\t65534$'
	assert_line $'^Groups:\t? ?$'
}

@test "process: uid 0 by default; uid not in /etc/passwd works" {
	bundle_new
	ctr_run /bin/id -u
	assert_status 0
	assert_output 0
	spec_edit '.process.user = {"uid": 4242, "gid": 4343}'
	ctr_run sh -c 'id -u; id -g'
	assert_status 0
	assert_output $'4242\n4343'
}

@test "process: umask" {
	bundle_new
	spec_edit '.process.user.umask = 63' # 0077
	ctr_run sh -c umask
	assert_status 0
	assert_output 0077
	# runc's default umask is 0022
	spec_edit 'del(.process.user.umask)'
	ctr_run sh -c umask
	assert_status 0
	assert_output 0022
}

@test "process: rlimits (RLIMIT_NOFILE soft/hard)" {
	# Only values below the host's hard limit are used: raising a hard limit
	# needs CAP_SYS_RESOURCE, which the runtime may not have (on the
	# reference host: hard nofile 20000, no CAP_SYS_RESOURCE).
	bundle_new
	# default config: RLIMIT_NOFILE 1024/1024
	ctr_run sh -c 'ulimit -n; ulimit -Hn'
	assert_status 0
	assert_output $'1024\n1024'
	spec_edit '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768}]'
	ctr_run sh -c 'ulimit -n; ulimit -Hn; grep "^Max open files" /proc/self/limits'
	assert_status 0
	assert_line '^512$'
	assert_line '^768$'
	assert_line '^Max open files +512 +768 +files'
}

@test "process: other rlimits (RLIMIT_CORE, RLIMIT_NPROC, RLIMIT_STACK)" {
	bundle_new
	spec_edit '.process.rlimits = [
		{"type": "RLIMIT_CORE", "soft": 0, "hard": 4096},
		{"type": "RLIMIT_NPROC", "soft": 300, "hard": 400},
		{"type": "RLIMIT_STACK", "soft": 4194304, "hard": 8388608}]'
	ctr_run cat /proc/self/limits
	assert_status 0
	assert_line '^Max core file size +0 +4096 +bytes'
	assert_line '^Max processes +300 +400 +processes'
	assert_line '^Max stack size +4194304 +8388608 +bytes'
}

@test "process: noNewPrivileges true/false visible in /proc/self/status" {
	bundle_new
	ctr_run grep NoNewPrivs /proc/self/status
	assert_status 0
	assert_output $'NoNewPrivs:\t1'
	spec_edit '.process.noNewPrivileges = false'
	ctr_run grep NoNewPrivs /proc/self/status
	assert_status 0
	assert_output $'NoNewPrivs:\t0'
}

@test "process: capabilities sets (default config: AUDIT_WRITE, KILL, NET_BIND_SERVICE)" {
	bundle_new
	ctr_run grep ^Cap /proc/self/status
	assert_status 0
	# bits 5 (KILL), 10 (NET_BIND_SERVICE), 29 (AUDIT_WRITE)
	assert_line $'^CapPrm:\t0000000020000420$'
	assert_line $'^CapEff:\t0000000020000420$'
	assert_line $'^CapBnd:\t0000000020000420$'
	# the default config has no inheritable set, so the ambient
	# capabilities cannot be raised (runc silently skips them)
	assert_line $'^CapInh:\t0000000000000000$'
	assert_line $'^CapAmb:\t0000000000000000$'
}

@test "process: capabilities with inheritable+ambient, and an empty set" {
	bundle_new
	spec_edit '.process.capabilities = {
		"bounding": ["CAP_CHOWN", "CAP_SYS_ADMIN"],
		"effective": ["CAP_CHOWN"],
		"permitted": ["CAP_CHOWN"],
		"inheritable": ["CAP_CHOWN"],
		"ambient": ["CAP_CHOWN"]}'
	ctr_run grep ^Cap /proc/self/status
	assert_status 0
	# CAP_CHOWN = bit 0, CAP_SYS_ADMIN = bit 21
	assert_line $'^CapInh:\t0000000000000001$'
	assert_line $'^CapPrm:\t0000000000000001$'
	assert_line $'^CapEff:\t0000000000000001$'
	assert_line $'^CapBnd:\t0000000000200001$'
	assert_line $'^CapAmb:\t0000000000000001$'

	spec_edit 'del(.process.capabilities)'
	ctr_run grep ^Cap /proc/self/status
	assert_status 0
	assert_line $'^CapEff:\t0000000000000000$'
	assert_line $'^CapBnd:\t0000000000000000$'
}

@test "process: capability checks are enforced (chown without CAP_CHOWN fails)" {
	bundle_new
	spec_edit '.root.readonly = false'
	ctr_run sh -c 'touch /f && chown 1000 /f && echo chowned'
	assert_fail
	refute_line chowned
	spec_edit '.process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"] | .process.capabilities.permitted += ["CAP_CHOWN"]'
	ctr_run sh -c 'touch /f && chown 1000 /f && echo chowned'
	assert_status 0
	assert_output chowned
}

@test "process: terminal false -> stdio are not ttys, stdin passed through" {
	bundle_new
	ctr_run sh -c '[ -t 0 ] && echo tty0; [ -t 1 ] && echo tty1; [ -t 2 ] && echo tty2; echo done'
	assert_status 0
	assert_output done
	# stdout and stderr of the process are the runtime's
	set_args sh -c 'echo to-out; echo to-err >&2; read line; echo "read:$line"'
	run --separate-stderr rt run --bundle "$BUNDLE" "$ID" <<<"from-stdin"
	assert_status 0
	assert_output $'to-out\nread:from-stdin'
	assert_eq "$stderr" to-err "stderr"
}

@test "process: oomScoreAdj" {
	bundle_new
	spec_edit '.process.oomScoreAdj = 123'
	ctr_run cat /proc/self/oom_score_adj
	assert_status 0
	assert_output 123
}

@test "process: PID 1 in a new pid namespace" {
	bundle_new
	ctr_run sh -c 'echo $$'
	assert_status 0
	assert_output 1
}

@test "process: no signal blocked, though a foreground run blocks those it forwards" {
	bundle_new
	ctr_run sh -c 'grep ^SigBlk: /proc/self/status'
	assert_status 0
	assert_output $'SigBlk:\t0000000000000000'
}
