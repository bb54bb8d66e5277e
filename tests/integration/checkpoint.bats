#!/usr/bin/env bats
# checkpoint and restore through criu's command line, with tests/helpers/fake-criu given as
# `--criu`: it records the arguments, environment, fds, cgroups and mount namespace criu is given
# and does the visible part of criu's job (a dump kills the init unless --leave-running; a restore
# starts a process as criu's sibling and writes its pid to --pidfile). This proves the flag
# mapping, the state transitions, the hooks, the terminal hand-over and the error messages. The
# real round trip (criu itself) is conformance/checkpoint.bats.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

FAKE=$IT_HELPERS/fake-criu

setup() {
	bundle_new
	REC=$T/rec
	IMG=$T/img
	mkdir -p "$REC"
	export FAKE_CRIU_RECORD=$REC
	unset FAKE_CRIU_MODE FAKE_CRIU_RESTORE_CMD
	set_args sleep 600
}
teardown() { bundle_cleanup; }

# crt ARGS...: the runtime with the fake criu; cbrun: the same, captured.
crt() { rt --criu "$FAKE" "$@"; }
cbrun() { it_capture crt "$@"; }

# has_args COMMAND ARG...: criu's recorded COMMAND (dump, pre-dump, restore) had ARG... in a row.
has_args() {
	local cmd=$1
	shift
	# (the words go in as one string: jq 1.6 takes a leading "-" in --args for an option)
	if ! jq -e --arg w "$(printf '%s\n' "$@")" '.argv as $a | ($w | split("\n")) as $w
		| any(range(0; ($a | length) - ($w | length) + 1); $a[.:(. + ($w | length))] == $w)' \
		<"$REC/$cmd.json" >/dev/null; then
		printf 'criu %s was not given [%s]; it got:\n%s\n' "$cmd" "$*" "$(jq -c .argv "$REC/$cmd.json")" >&2
		return 1
	fi
}

# lacks_arg COMMAND REGEX: no recorded argument of COMMAND matches REGEX.
lacks_arg() {
	if jq -e --arg re "$2" 'any(.argv[]; test($re))' <"$REC/$1.json" >/dev/null; then
		printf 'criu %s got an argument matching /%s/:\n%s\n' "$1" "$2" "$(jq -c .argv "$REC/$1.json")" >&2
		return 1
	fi
}

# image DIR: a checkpoint directory as the fake's dump leaves it.
image() {
	mkdir -p "$1"
	echo fake >"$1/inventory.img"
	echo '["/dev/null","/dev/null","/dev/null"]' >"$1/descriptors.json"
}

# netns_new: a network namespace kept by a bind mount on $T/netns, joined by config.json.
netns_new() {
	touch "$T/netns"
	unshare --net="$T/netns" true
	record_mount "$T/netns"
	spec_edit '.linux.namespaces |= map(if .type == "network" then .path = $p else . end)' --arg p "$T/netns"
}

# no_mounts_under DIR...: nothing mounted below DIR on the host.
no_mounts_under() {
	local m
	m=$(findmnt -rn -o TARGET | grep -F "${@/#/-e}" || true)
	if [[ -n $m ]]; then
		echo "mounts left behind: $m" >&2
		return 1
	fi
}

# ---------------------------------------------------------------------------
# checkpoint: refusals

@test "checkpoint: an unknown container does not exist; criu is not run" {
	cbrun checkpoint --image-path "$IMG" nosuch
	assert_status 1
	assert_contains "$(errmsg)" "container does not exist"
	[[ ! -e $REC/dump.json && ! -e $IMG ]]
}

@test "checkpoint: a created container cannot be checkpointed (runc's words)" {
	ctr_create
	cbrun checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "Container cannot be checkpointed in created state"
	[[ ! -e $REC/dump.json ]]
	assert_eq "$(state_field status)" created
}

@test "checkpoint: a stopped container cannot be checkpointed" {
	set_args true
	ctr_run_d
	wait_status stopped
	cbrun checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "Container cannot be checkpointed in stopped state"
}

@test "checkpoint: runc's flag errors, with runc's words; the container runs on, criu unrun" {
	local pid args
	ctr_run_d
	pid=$(state_field pid)
	while IFS='|' read -r args msg; do
		# shellcheck disable=SC2086 # flags as words
		cbrun checkpoint --image-path "$IMG" $args "$ID"
		assert_status 1
		assert_eq "$(errmsg | tail -n1)" "$msg" "checkpoint $args"
	done <<'EOF'
--manage-cgroups-mode bogus|Invalid manage cgroups mode
--page-server localhost|Use --page-server ADDRESS:PORT to specify page server
--page-server :27|Use --page-server ADDRESS:PORT to specify page server
--page-server localhost:http|Invalid port number
--parent-path /abs|--parent-path must be relative
--empty-ns pid|namespace "pid" is not supported
--lazy-pages --status-fd 77|invalid --status-fd argument 77: Bad file descriptor
EOF
	cbrun checkpoint --image-path "$IMG" --parent-path nope "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "invalid --parent-path: stat \"$IMG/nope\": No such file or directory"
	[[ ! -e $REC/dump.json ]]
	assert_eq "$(state_field status)" running
	assert_eq "$(state_field pid)" "$pid"
}

@test "checkpoint: a missing criu binary is named; nothing is made" {
	ctr_run_d
	brun --criu /nonexistent/criu checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'criu: "/nonexistent/criu" not found'
	it_capture env PATH=/nonexistent "$BERTH" --root "$ROOT" checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'criu: "criu" not found in PATH'
	[[ ! -e $IMG ]]
	assert_eq "$(state_field status)" running
	# a name is looked up in PATH
	it_capture env PATH="$IT_HELPERS:$PATH" "$BERTH" --root "$ROOT" --criu fake-criu checkpoint --leave-running --image-path "$IMG" "$ID"
	assert_status 0
	[[ -e $REC/dump.json ]]
}

# ---------------------------------------------------------------------------
# checkpoint: what criu is told

@test "checkpoint --leave-running: runc's flags become criu dump's; descriptors.json; still running" {
	local pid freezer
	spec_edit '.mounts += [{"destination": "/mnt/data", "type": "bind", "source": "'"$T"'/data", "options": ["rbind"]}]'
	mkdir "$T/data"
	ctr_run_d
	pid=$(state_field pid)
	cbrun checkpoint --image-path "$IMG" --work-path "$T/work" --leave-running --tcp-established \
		--ext-unix-sk --shell-job --file-locks --auto-dedup --manage-cgroups-mode full \
		--page-server 127.0.0.1:2700 --empty-ns network "$ID"
	assert_status 0
	has_args dump dump -t "$pid" -D "$IMG" -W "$T/work" -o dump.log -v4 --root "$BUNDLE/rootfs" --manage-cgroups=full
	has_args dump --empty-ns net --tcp-established --ext-unix-sk --shell-job --file-locks --auto-dedup --leave-running
	has_args dump --page-server --address 127.0.0.1 --port 2700
	# criu freezes through the container's freezer cgroup
	freezer=$(awk -F: '$2 == "freezer" { print "/sys/fs/cgroup/freezer" $3 }' "/proc/$pid/cgroup")
	has_args dump --freeze-cgroup "$freezer"
	# the bind mount, the masked files and the device nodes are external mounts
	has_args dump --external "mnt[/mnt/data]:/mnt/data"
	has_args dump --external "mnt[/proc/keys]:/dev/null"
	has_args dump --external "mnt[/dev/null]:/dev/null"
	lacks_arg dump '^--track-mem$|^--prev-images-dir$|^--lazy-pages$|tty\['
	# descriptors.json: the init's stdio as create saw them (runc's format)
	jq -e 'type == "array" and length == 3 and all(.[]; type == "string")' "$IMG/descriptors.json" >/dev/null
	assert_eq "$(jq -r '.[0]' "$IMG/descriptors.json")" /dev/null
	[[ ! -e $IMG/tty.info ]]
	# the log went to the work directory
	[[ -s $T/work/dump.log && ! -e $IMG/dump.log ]]
	assert_eq "$(state_field status)" running
	assert_eq "$(state_field pid)" "$pid"
	# criu got no stdin or stdout of ours and nothing past stderr
	assert_eq "$(jq -r '.fds | keys - ["0","1","2"] | map(select(. != "3")) | length' "$REC/dump.json")" 0
	assert_eq "$(jq -r '.fds["0"]' "$REC/dump.json")" /dev/null
}

@test "checkpoint: a paused container can be checkpointed" {
	ctr_run_d
	rt pause "$ID"
	cbrun checkpoint --leave-running --image-path "$IMG" "$ID"
	assert_status 0
	assert_eq "$(state_field status)" paused
}

@test "checkpoint: without --leave-running the container is gone, as in runc; the id is free" {
	local pid
	ctr_run_d
	pid=$(state_field pid)
	cbrun checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	lacks_arg dump '^--leave-running$'
	wait_pid_gone "$pid"
	assert_no_container
	[[ -s $IMG/descriptors.json && -s $IMG/inventory.img ]]
	# delete --force of what is gone is success (containerd and podman delete afterwards)
	brun delete --force "$ID"
	assert_status 0
}

@test "checkpoint --pre-dump, then --parent-path: memory tracked, the container runs until the dump" {
	ctr_run_d
	cbrun checkpoint --pre-dump --image-path "$IMG/pre" "$ID"
	assert_status 0
	has_args pre-dump pre-dump -t
	has_args pre-dump --track-mem
	lacks_arg pre-dump '^--leave-running$|^--external$'
	[[ ! -e $IMG/pre/descriptors.json ]]
	assert_eq "$(state_field status)" running
	cbrun checkpoint --image-path "$IMG/final" --parent-path ../pre "$ID"
	assert_status 0
	has_args dump --track-mem --prev-images-dir ../pre
	assert_no_container
}

@test "checkpoint --lazy-pages --status-fd: criu gets the fd and reports readiness on it" {
	local byte
	ctr_run_d
	mkfifo "$T/status"
	byte=$(
		exec 7<>"$T/status"
		crt checkpoint --lazy-pages --status-fd 7 --leave-running --image-path "$IMG" "$ID" </dev/null >/dev/null 2>"$T/err" || exit 1
		dd bs=1 count=1 <&7 2>/dev/null | od -An -tx1 | tr -d ' '
	) || {
		cat "$T/err" >&2
		false
	}
	assert_eq "$byte" 00 "byte written on the status fd"
	# renumbered for criu: it is criu's fd 3
	has_args dump --lazy-pages
	has_args dump --status-fd 3
	assert_eq "$(jq -r '.fds["3"]' "$REC/dump.json")" "$T/status"
	assert_eq "$(jq -r '.fdinos["3"]' "$REC/dump.json")" "$(stat -c %i "$T/status")"
	: >"$T/ro"
	it_capture sh -c 'exec 7<"$1"; shift; exec "$@"' sh "$T/ro" "$BERTH" --root "$ROOT" --criu "$FAKE" \
		checkpoint --lazy-pages --status-fd 7 --leave-running --image-path "$IMG" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "invalid --status-fd argument 7: not writable"
}

@test "checkpoint: a joined network namespace is external to criu" {
	local ino
	netns_new
	ctr_run_d
	ino=$(stat -L -c %i "$T/netns")
	cbrun checkpoint --leave-running --image-path "$IMG" "$ID"
	assert_status 0
	has_args dump --external "net[$ino]:extRootNetNS"
}

@test "checkpoint: stdout a pipe at create: descriptors.json names it for restore's --inherit-fd" {
	local pid
	(rt run -d --bundle "$BUNDLE" "$ID" </dev/null 2>/dev/null | cat >/dev/null) &
	record_pid $!
	wait_status running
	pid=$(state_field pid)
	cbrun checkpoint --leave-running --image-path "$IMG" "$ID"
	assert_status 0
	assert_match "$(jq -r '.[1]' "$IMG/descriptors.json")" '^pipe:\[[0-9]+\]$'
	assert_eq "$(jq -r '.[1]' "$IMG/descriptors.json")" "$(readlink "/proc/$pid/fd/1")"
}

@test "checkpoint: criu's failure names its log and quotes its last Error line; nothing changes" {
	local pid
	ctr_run_d
	pid=$(state_field pid)
	FAKE_CRIU_MODE=fail cbrun --log "$T/log.json" --log-format json checkpoint --image-path "$IMG" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "criu dump failed with exit status 1; log \"$IMG/dump.log\" says: Error (criu/fake.c:10): fake: asked to fail (FAKE_CRIU_MODE=fail)"
	# one error line for podman
	assert_eq "$(wc -l <"$T/log.json")" 1
	jq -e '.level == "error" and (.msg | startswith("criu dump failed"))' "$T/log.json" >/dev/null
	assert_eq "$(state_field status)" running
	assert_eq "$(state_field pid)" "$pid"
}

# ---------------------------------------------------------------------------
# restore

@test "restore -d: criu restore's arguments; running with criu's pid; pid file; nothing mounted" {
	local pid host_mntns
	spec_edit '.mounts += [{"destination": "/mnt/data", "type": "bind", "source": "data", "options": ["rbind"]}]'
	mkdir "$BUNDLE/data"
	rmdir "$BUNDLE/rootfs/mnt/data" 2>/dev/null || true
	image "$IMG"
	cbrun restore -d --image-path "$IMG" --work-path "$T/work" --tcp-established --ext-unix-sk \
		--shell-job --file-locks --auto-dedup --manage-cgroups-mode soft --lsm-profile apparmor:p \
		--lsm-mount-context ctx --no-pivot --no-new-keyring --pid-file "$T/pid" --bundle "$BUNDLE" "$ID"
	assert_status 0
	pid=$(jq -r .restored_pid "$REC/restore.json")
	assert_eq "$(state_field status)" running
	assert_eq "$(state_field pid)" "$pid"
	assert_eq "$(cat "$T/pid")" "$pid"
	has_args restore restore -D "$IMG" -W "$T/work" -o restore.log -v4 --root "$ROOT/$ID/criu-root" --manage-cgroups=soft
	has_args restore --restore-detached --restore-sibling --pidfile "$ROOT/$ID/criu.pid" --evasive-devices
	has_args restore --empty-ns net --tcp-established --ext-unix-sk --shell-job --file-locks --auto-dedup
	has_args restore --lsm-profile apparmor:p --lsm-mount-context ctx
	has_args restore --external "mnt[/mnt/data]:$BUNDLE/data"
	has_args restore --external "mnt[/dev/null]:/dev/null"
	lacks_arg restore '^--inherit-fd$|^--action-script$'
	# cgroups: made as create makes them, criu started inside them and told their paths
	pids_cg=$(awk -F: '$2 == "pids" { print $3 }' "/proc/$pid/cgroup")
	assert_match "$pids_cg" "/$ID\$"
	jq -r .cgroup "$REC/restore.json" | grep -qx "[0-9]*:pids:$pids_cg"
	has_args restore --cgroup-root "pids:$pids_cg"
	# criu saw the rootfs bound at --root, in a mount namespace of its own
	jq -e '.root_is_mount and .root_has_busybox' "$REC/restore.json" >/dev/null
	host_mntns=$(readlink /proc/self/ns/mnt)
	[[ $(jq -r .mntns "$REC/restore.json") != "$host_mntns" ]]
	no_mounts_under "$ROOT" "$BUNDLE"
	[[ ! -e $ROOT/$ID/criu-root && ! -e $ROOT/$ID/criu.pid ]]
	# the bind mount's mount point was made for criu, as runc does
	[[ -d $BUNDLE/rootfs/mnt/data ]]
	[[ -s $T/work/restore.log ]]
	# then it is an ordinary container
	brun kill "$ID" KILL
	assert_status 0
	wait_status stopped
	brun delete "$ID"
	assert_status 0
	assert_no_container
}

@test "restore: pipes in descriptors.json are criu's own stdio (--inherit-fd)" {
	image "$IMG"
	echo '["/dev/null","pipe:[111]","pipe:[222]"]' >"$IMG/descriptors.json"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 0
	has_args restore --inherit-fd "fd[1]:pipe:[111]" --inherit-fd "fd[2]:pipe:[222]"
	lacks_arg restore 'fd\[0\]'
}

@test "restore, then checkpoint again: descriptors.json names the restored init's stdio" {
	local pid
	image "$IMG"
	(crt restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID" </dev/null 2>/dev/null | cat >/dev/null) &
	record_pid $!
	wait_status running
	pid=$(state_field pid)
	cbrun checkpoint --leave-running --image-path "$T/img2" "$ID"
	assert_status 0
	assert_match "$(jq -r '.[1]' "$T/img2/descriptors.json")" '^pipe:\[[0-9]+\]$'
	assert_eq "$(jq -c . "$T/img2/descriptors.json")" \
		"$(jq -cn --arg a "$(readlink "/proc/$pid/fd/0")" --arg b "$(readlink "/proc/$pid/fd/1")" \
			--arg c "$(readlink "/proc/$pid/fd/2")" '[$a, $b, $c]')"
}

@test "restore: a joined network namespace is handed to criu as extRootNetNS" {
	local ino
	netns_new
	image "$IMG"
	ino=$(stat -L -c %i "$T/netns")
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 0
	has_args restore --inherit-fd "fd[3]:extRootNetNS"
	assert_eq "$(jq -r '.fdinos["3"]' "$REC/restore.json")" "$ino"
}

@test "restore: prestart and createRuntime hooks run when criu has made the namespaces, before the process runs" {
	local pid
	spec_edit '.hooks = {
		"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "cat >\"$0\"; pid=$(jq -r .pid \"$0\"); tr \"\\0\" \" \" </proc/$pid/cmdline >\"$0.cmdline\"; berth_state=ok", ($t + "/prestart.json")]}],
		"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "cat >\"$0\"", ($t + "/createRuntime.json")]}]}' --arg t "$T"
	image "$IMG"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 0
	pid=$(state_field pid)
	has_args restore --action-script "/proc/$(jq -r .ppid "$REC/restore.json")/exe"
	assert_eq "$(jq -c '.scripts' "$REC/restore.json")" '[["setup-namespaces",0],["post-restore",0]]'
	jq -e --argjson p "$pid" --arg id "$ID" '.pid == $p and .status == "creating" and .id == $id' "$T/prestart.json" >/dev/null
	jq -e --argjson p "$pid" '.pid == $p' "$T/createRuntime.json" >/dev/null
	# the restored process had not started yet: it was still criu's child side
	assert_contains "$(cat "$T/prestart.json.cmdline")" fake-criu
	assert_eq "$(jq -r '.env._BERTH_CRIU_NOTIFY_FD' "$REC/restore.json")" 3
}

@test "restore: a failing prestart hook fails the restore and leaves nothing" {
	local pid
	spec_edit '.hooks = {"prestart": [{"path": "/bin/sh", "args": ["sh", "-c", "echo nope >&2; exit 3"]}]}'
	image "$IMG"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'prestart hook #0 "/bin/sh": exit status 3: nope'
	pid=$(jq -r .restored_pid "$REC/restore.json")
	wait_pid_gone "$pid"
	assert_no_container
	no_mounts_under "$ROOT" "$BUNDLE"
}

@test "restore: criu's failure names its log and quotes its last Error line; nothing is left" {
	image "$IMG"
	FAKE_CRIU_MODE=fail cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "criu restore failed with exit status 1; log \"$IMG/restore.log\" says: Error (criu/fake.c:10): fake: asked to fail (FAKE_CRIU_MODE=fail)"
	assert_no_container
	no_mounts_under "$ROOT" "$BUNDLE"
	FAKE_CRIU_MODE=fail cbrun restore -d --image-path "$IMG" --work-path "$T/w" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "log \"$T/w/restore.log\" says: Error (criu/fake.c:10)"
	assert_no_container
}

@test "restore: refusals before anything is made" {
	image "$IMG"
	cbrun restore -d --image-path "$T/none" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "--image-path \"$T/none\": No such file or directory"
	rm "$IMG/descriptors.json"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "$IMG/descriptors.json"
	echo '{"a": 1}' >"$IMG/descriptors.json"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "$IMG/descriptors.json: expected an array of strings, got object"
	image "$IMG"
	cbrun restore -d --image-path "$IMG" --manage-cgroups-mode nope --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "Invalid manage cgroups mode"
	brun --criu /nonexistent/criu restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" 'criu: "/nonexistent/criu" not found'
	[[ ! -e $REC/restore.json ]]
	assert_no_container
}

@test "restore: an id in use is refused and the container is untouched" {
	local pid
	ctr_run_d
	pid=$(state_field pid)
	image "$IMG"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "container with given ID already exists"
	[[ ! -e $REC/restore.json ]]
	assert_eq "$(state_field pid)" "$pid"
}

@test "restore without -d: waits for the restored init, exits with its status, deletes the container" {
	image "$IMG"
	FAKE_CRIU_RESTORE_CMD='sleep 0.2; exit 7' cbrun restore --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 7
	assert_no_container
	# criu itself did not inherit our blocked signals
	assert_eq "$(jq -r .sigblk "$REC/restore.json")" 0000000000000000
	FAKE_CRIU_RESTORE_CMD='exit 5' cbrun restore --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 5
	assert_no_container
}

@test "restore: runc's terminal rules" {
	image "$IMG"
	spec_edit '.process.terminal = true'
	echo 'tty[8800:19]' >"$IMG/tty.info"
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "cannot allocate tty if runc will detach without setting console socket"
	cbrun restore --console-socket "$T/sock" --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "cannot use console socket if runc will not detach or allocate tty"
	spec_edit '.process.terminal = false'
	cbrun restore -d --console-socket "$T/sock" --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "cannot use console socket if runc will not detach or allocate tty"
	# the checkpoint's terminal and process.terminal must agree
	cbrun restore -d --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "config.json: process.terminal: the checkpoint in \"$IMG\" has a terminal"
	rm "$IMG/tty.info"
	spec_edit '.process.terminal = true'
	cbrun restore -d --console-socket "$T/sock" --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(errmsg)" "config.json: process.terminal: the checkpoint in \"$IMG\" has no terminal (no tty.info)"
	[[ ! -e $REC/restore.json ]]
	assert_no_container
}

@test "checkpoint and restore with a terminal: the tty is external, a new one reaches the console socket" {
	local pid key name
	spec_edit '.process.terminal = true'
	python3 "$IT_HELPERS/recvtty.py" "$T/c1.sock" "$T/tty1.out" &
	record_pid $!
	wait_file "$T/tty1.out.ready"
	ctr_run_d --console-socket "$T/c1.sock"
	pid=$(state_field pid)
	key=$(python3 -c 'import os, sys; st = os.stat(sys.argv[1]); print("tty[%x:%x]" % (st.st_rdev, st.st_dev))' "/proc/$pid/fd/0")
	cbrun checkpoint --image-path "$IMG" "$ID"
	assert_status 0
	has_args dump --external "mnt[/dev/console]:console"
	has_args dump --external "$key"
	assert_eq "$(cat "$IMG/tty.info")" "$key"
	assert_no_container

	python3 "$IT_HELPERS/recvtty.py" "$T/c2.sock" "$T/tty2.out" &
	record_pid $!
	wait_file "$T/tty2.out.ready"
	FAKE_CRIU_RESTORE_CMD='echo restored-on-the-new-tty; exec sleep 600' \
		cbrun restore -d --console-socket "$T/c2.sock" --image-path "$IMG" --bundle "$BUNDLE" "$ID"
	assert_status 0
	wait_file "$T/tty2.out.name"
	name=$(tr -d '\0' <"$T/tty2.out.name")
	assert_match "$name" '^/dev/pts/[0-9]+$'
	has_args restore --inherit-fd "fd[3]:$key"
	has_args restore --external "mnt[console]:$name"
	for _ in $(seq 50); do
		grep -q restored-on-the-new-tty "$T/tty2.out" 2>/dev/null && break
		sleep 0.1
	done
	grep -q restored-on-the-new-tty "$T/tty2.out"
	assert_eq "$(state_field status)" running
}
