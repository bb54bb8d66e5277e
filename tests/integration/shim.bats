#!/usr/bin/env bats
# containerd-shim-berth-v2 under a private containerd 1.6 (Debian's), driven with ctr: the shim v2
# lifecycle (interfaces.md §2), the Task methods (§3), events (§4) and stdio (§5).
#
# The daemon's root, state and sockets live in a temporary directory; its PATH starts with a
# directory holding the shim under test ($SHIM, default: containerd-shim-berth-v2 on PATH) and
# the runtime ($BERTH). Shim sockets are in /run/containerd/s (fixed in containerd 1.6): each
# test checks that its own are gone.

load helpers

RUNTIME=io.containerd.berth.v2
IMAGE=docker.io/library/berth-test/busybox:latest

ctr_() {
	timeout 30 ctr -a "$CD/c.sock" "$@"
}

# The shim socket containerd's address, namespace default and ID map to (§2.3).
shim_socket() {
	printf '/run/containerd/s/%s' "$(printf '%s/default/%s' "$CD/c.sock" "$1" | sha256sum | cut -c1-64)"
}

cd_start() {
	# from inside $CD: containerd 1.6 looks for a shim in its working directory before $PATH
	(cd "$CD" && PATH="$CD/bin:$PATH" exec setsid containerd --config "$CD/config.toml" --log-level debug >>"$CD/containerd.log" 2>&1) &
	echo $! >"$CD/containerd.pid"
	local i
	for i in $(seq 100); do
		ctr -a "$CD/c.sock" version >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "containerd did not start:" >&2
	tail -20 "$CD/containerd.log" >&2
	return 1
}

cd_stop() {
	local pid
	pid=$(cat "$CD/containerd.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$CD/containerd.pid"
}

setup_file() {
	command -v containerd >/dev/null || skip "containerd is not installed"
	SHIM=$(it_resolve "${SHIM:-containerd-shim-berth-v2}")
	[[ -x $SHIM ]] || {
		echo "containerd-shim-berth-v2 not found (set SHIM=/path)" >&2
		return 1
	}
	CD=$(mktemp -d /tmp/berth-shim-it.XXXXXX)
	# ctr puts containers in the cgroup /<namespace>/<id>: the runtime makes /default in every
	# hierarchy; teardown_file removes it again unless it was there before.
	CG_DEFAULT_OURS=1
	compgen -G "/sys/fs/cgroup/*/default" >/dev/null && CG_DEFAULT_OURS=0
	export CD SHIM CG_DEFAULT_OURS
	mkdir -p "$CD/bin"
	ln -s "$SHIM" "$CD/bin/containerd-shim-berth-v2"
	ln -s "$BERTH" "$CD/bin/berth"
	cat >"$CD/config.toml" <<-EOF
		version = 2
		root = "$CD/root"
		state = "$CD/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs",
		  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
		  "io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$CD/c.sock"
	EOF
	cd_start
	python3 "$IT_HELPERS/mkimage.py" "$CD/busybox.tar" "$IMAGE"
	ctr_ images import "$CD/busybox.tar" >/dev/null
}

teardown_file() {
	[[ -n ${CD:-} ]] || return 0
	local t
	for t in $(ctr -a "$CD/c.sock" task ls -q 2>/dev/null); do
		ctr -a "$CD/c.sock" task kill -s 9 "$t" >/dev/null 2>&1
		sleep 0.2
		ctr -a "$CD/c.sock" task delete -f "$t" >/dev/null 2>&1
	done
	for t in $(ctr -a "$CD/c.sock" containers ls -q 2>/dev/null); do
		ctr -a "$CD/c.sock" containers rm "$t" >/dev/null 2>&1
	done
	cd_stop
	# what the shims of this run may have left if a test failed half-way
	local p
	for p in $(pgrep -f "containerd-shim-berth-v2 .*-address $CD/c.sock" || true); do
		kill -9 "$p" 2>/dev/null || true
	done
	findmnt -rn -o TARGET | grep "^$CD/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rmdir /sys/fs/cgroup/memory/berth-shim-it-* 2>/dev/null || true
	if [[ ${CG_DEFAULT_OURS:-0} == 1 ]]; then
		rmdir /sys/fs/cgroup/*/default /sys/fs/cgroup/unified/default 2>/dev/null || true
	fi
	rm -rf "$CD"
}

setup() {
	N="s${BATS_TEST_NUMBER}-$RANDOM"
}

# Nothing of container $1 may remain: shim process, socket, mounts, bundle, runtime state.
assert_gone() {
	local id=$1 sock
	sock=$(shim_socket "$id")
	for _ in $(seq 50); do
		[[ -e $sock ]] || break
		sleep 0.1
	done
	[[ ! -e $sock ]] || {
		echo "shim socket $sock left behind" >&2
		return 1
	}
	for _ in $(seq 50); do
		pgrep -f "containerd-shim-berth-v2 .*-id $id .*-address $CD/c.sock" >/dev/null || break
		sleep 0.1
	done
	if pgrep -f "containerd-shim-berth-v2 .*-id $id .*-address $CD/c.sock" >/dev/null; then
		echo "a shim for $id still runs" >&2
		return 1
	fi
	if findmnt -rn -o TARGET | grep -q "/$id/rootfs"; then
		echo "rootfs of $id still mounted" >&2
		return 1
	fi
	[[ ! -e $CD/state/io.containerd.runtime.v2.task/default/$id ]] || {
		echo "bundle of $id left behind" >&2
		return 1
	}
	[[ ! -e /run/containerd/berth/default/$id ]] || {
		echo "berth state of $id left behind" >&2
		return 1
	}
}

@test "shim: ctr run --rm prints the output and propagates the exit status; nothing is left" {
	run -0 ctr_ run --rm --runtime "$RUNTIME" "$IMAGE" "$N" echo hello-from-berth
	[[ $output == "hello-from-berth" ]]
	assert_gone "$N"
	run -7 ctr_ run --rm --runtime "$RUNTIME" "$IMAGE" "$N-b" sh -c 'echo out; echo err >&2; exit 7'
	[[ $output == *out* && $output == *err* ]]
	assert_gone "$N-b"
}

@test "shim: the container gets default signal dispositions and an empty signal mask" {
	run -0 ctr_ run --rm --runtime "$RUNTIME" "$IMAGE" "$N" grep -E '^Sig(Ign|Blk)' /proc/self/status
	[[ $output == *"SigBlk:	0000000000000000"* && $output == *"SigIgn:	0000000000000000"* ]]
	assert_gone "$N"
}

@test "shim: -v prints the version; unknown flags and actions are errors" {
	run -0 "$SHIM" -v
	[[ $output == *containerd-shim-berth-v2* ]]
	run -1 "$SHIM" -bogus
	[[ $output == *"flag provided but not defined: -bogus"* ]]
	run -1 "$SHIM" -id x -namespace default frobnicate
	[[ $output == *"unknown action frobnicate"* ]]
}

@test "shim: a detached task: exec, ps, pause/resume, metrics, kill, delete" {
	ctr_ run -d --runtime "$RUNTIME" "$IMAGE" "$N" sleep 300
	run -0 ctr_ task ls
	[[ $output == *"$N "*RUNNING* ]]
	pid=$(ctr_ task ls | awk -v id="$N" '$1 == id { print $2 }')
	[[ $(readlink /proc/"$pid"/exe) == */busybox ]]

	run -0 ctr_ task exec --exec-id e1 "$N" echo exec-ok
	[[ $output == exec-ok ]]
	run -3 ctr_ task exec --exec-id e2 "$N" sh -c 'exit 3'

	run -0 ctr_ task ps "$N"
	[[ $output == *"$pid"* ]]

	ctr_ task pause "$N"
	run -0 ctr_ task ls
	[[ $output == *"$N "*PAUSED* ]]
	grep -q FROZEN "$(cgroup_v1_dir freezer "$pid")/freezer.state"
	ctr_ task resume "$N"
	run -0 ctr_ task ls
	[[ $output == *"$N "*RUNNING* ]]

	run -0 ctr_ task metrics "$N"
	[[ $output == *memory.usage_in_bytes* && $output == *pids.current* ]]

	ctr_ task kill -s 9 "$N"
	for _ in $(seq 50); do
		ctr_ task ls | grep -q "$N .*STOPPED" && break
		sleep 0.1
	done
	run -0 ctr_ task ls
	[[ $output == *"$N "*STOPPED* ]]
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	assert_gone "$N"
}

# CRIU cannot run on this host's kernel: tests/helpers/fake-criu stands in as `criu` on the PATH
# containerd gives the shim (and the shim berth). It checks the pid it is asked to dump, writes
# inventory.img and, with --leave-running (containerd's default), leaves the process be.
@test "shim: Checkpoint: the runtime's checkpoint into containerd's image, the task runs on, TaskCheckpointed" {
	local ref index blob n found=0
	ln -sf "$IT_HELPERS/fake-criu" "$CD/bin/criu"
	ctr_ events >"$CD/events-$N" 2>&1 &
	evpid=$!
	sleep 0.3
	ctr_ run -d --runtime "$RUNTIME" "$IMAGE" "$N" sleep 300
	run ctr_ task checkpoint "$N"
	rm -f "$CD/bin/criu"
	echo "checkpoint: $output" >&2
	[[ $status -eq 0 ]]
	ref=$output
	# the image's criu layer is the image path berth gave criu: fake-criu's inventory.img
	index=$(ctr_ images ls | awk -v r="$ref" '$1 == r { print $3 }')
	for blob in $(ctr_ content get "$index" | jq -r '.manifests[] | select(.mediaType | test("criu")) | .digest'); do
		ctr_ content get "$blob" | tar -t | grep -q 'inventory.img$' && found=1
	done
	((found == 1))
	run -0 ctr_ task ls
	[[ $output == *"$N "*RUNNING* ]]
	ctr_ task kill -s 9 "$N"
	sleep 0.5
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	ctr_ images rm "$ref" >/dev/null
	sleep 0.3
	kill "$evpid"
	wait "$evpid" || true
	# from the shim: containerd 1.6 publishes none itself
	n=$(grep "/tasks/checkpointed" "$CD/events-$N" | grep -c "\"container_id\":\"$N\"")
	echo "checkpointed events: $n" >&2
	((n == 1))
	assert_gone "$N"
}

# cgroup_v1_dir CONTROLLER PID: the directory of PID's cgroup in that v1 hierarchy.
cgroup_v1_dir() {
	local rel
	rel=$(awk -F: -v c="$1" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' /proc/"$2"/cgroup)
	printf '/sys/fs/cgroup/%s%s' "$1" "$rel"
}

@test "shim: a terminal (-t): the process has a tty and its output comes through" {
	run -5 timeout 30 script -qec "ctr -a $CD/c.sock run --rm -t --runtime $RUNTIME $IMAGE $N sh -c 'tty; echo tty-ok; exit 5'" /dev/null
	[[ $output == */dev/pts/* && $output == *tty-ok* ]]
	assert_gone "$N"
}

@test "shim: a terminal takes its input from the client's stdin" {
	run -4 bash -c "(sleep 1; echo 'echo typed-in; exit 4'; sleep 5) | timeout 30 script -qec 'ctr -a $CD/c.sock run --rm -t --runtime $RUNTIME $IMAGE $N sh' /dev/null"
	[[ $output == *typed-in* ]]
	assert_gone "$N"
}

@test "shim: ResizePty: the container's terminal takes the client's size" {
	# ctr sends ResizePty after Start: the process waits a little for it. script's stdin must
	# stay open (at its end the session would end).
	run -0 timeout 30 script -qec "stty cols 123 rows 45; ctr -a $CD/c.sock run --rm -t --runtime $RUNTIME $IMAGE $N sh -c 'sleep 1; stty size'" /dev/null < <(sleep 20)
	[[ $output == *"45 123"* ]]
	assert_gone "$N"
}

@test "shim: stdout to a file (--log-uri file://) and to a binary:// logger" {
	ctr_ run --rm --runtime "$RUNTIME" --log-uri "file://$CD/logs/$N.log" "$IMAGE" "$N" sh -c 'echo to-file; echo err-to-file >&2'
	grep -qx to-file "$CD/logs/$N.log"
	grep -qx err-to-file "$CD/logs/$N.log"
	cat >"$CD/logger" <<-EOF
		#!/bin/sh
		# fd 3: stdout, fd 4: stderr, fd 5: ready (interfaces.md §5.3)
		out=\$1
		exec 5>&-
		echo "id=\$CONTAINER_ID ns=\$CONTAINER_NAMESPACE" >"\$out.env"
		cat <&3 >"\$out" &
		cat <&4 >"\$out.err"
		wait
	EOF
	chmod +x "$CD/logger"
	ctr_ run --rm --runtime "$RUNTIME" --log-uri "binary://$CD/logger?$CD/bin-$N" "$IMAGE" "$N-b" sh -c 'echo via-logger; echo err-via-logger >&2'
	for _ in $(seq 50); do
		[[ -s $CD/bin-$N && -s $CD/bin-$N.err ]] && break
		sleep 0.1
	done
	grep -qx via-logger "$CD/bin-$N"
	grep -qx err-via-logger "$CD/bin-$N.err"
	grep -qx "id=$N-b ns=default" "$CD/bin-$N.env"
	assert_gone "$N"
	assert_gone "$N-b"
}

@test "shim: events reach containerd in order: create, start, exec-added, exec-started, exit, delete" {
	ctr_ events >"$CD/events-$N" 2>&1 &
	evpid=$!
	sleep 0.3
	ctr_ run -d --runtime "$RUNTIME" "$IMAGE" "$N" sleep 300
	ctr_ task exec --exec-id ex "$N" true
	ctr_ task pause "$N"
	ctr_ task resume "$N"
	ctr_ task kill -s 9 "$N"
	sleep 0.5
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	sleep 0.3
	kill "$evpid"
	wait "$evpid" || true
	topics=$(grep "\"container_id\":\"$N\"" "$CD/events-$N" | awk '{ print $6 }' | tr '\n' ' ')
	echo "topics: $topics" >&2
	[[ $topics == "/tasks/create /tasks/start /tasks/exec-added /tasks/exec-started /tasks/exit /tasks/paused /tasks/resumed /tasks/exit /tasks/delete " ]]
	assert_gone "$N"
}

@test "shim: an OOM kill is reported (TaskOOM) and the task exits 137" {
	ctr_ events >"$CD/events-$N" 2>&1 &
	evpid=$!
	sleep 0.3
	run -137 ctr_ run --rm --runtime "$RUNTIME" --memory-limit 8388608 "$IMAGE" "$N" dd if=/dev/zero of=/dev/null bs=64M count=1
	sleep 0.5
	kill "$evpid"
	wait "$evpid" || true
	grep "/tasks/oom" "$CD/events-$N" | grep -q "$N"
	assert_gone "$N"
}

@test "shim: containers of one group share one shim; the shim exits with the last of them" {
	ctr_ run -d --runtime "$RUNTIME" --annotation io.containerd.runc.v2.group="$N" "$IMAGE" "$N-a" sleep 300
	ctr_ run -d --runtime "$RUNTIME" --annotation io.containerd.runc.v2.group="$N" "$IMAGE" "$N-b" sleep 300
	run -0 pgrep -f "containerd-shim-berth-v2 .*-address $CD/c.sock"
	n=$(pgrep -fc "containerd-shim-berth-v2 -namespace default -id $N-a -address $CD/c.sock" || true)
	[[ $n == 1 ]]
	! pgrep -f "containerd-shim-berth-v2 -namespace default -id $N-b " >/dev/null
	[[ $(cat "$CD/state/io.containerd.runtime.v2.task/default/$N-a/address") == "$(cat "$CD/state/io.containerd.runtime.v2.task/default/$N-b/address")" ]]
	for c in "$N-a" "$N-b"; do
		ctr_ task kill -s 9 "$c"
	done
	sleep 0.5
	ctr_ task delete "$N-a"
	ctr_ containers rm "$N-a"
	# the shim still serves b
	pgrep -f "containerd-shim-berth-v2 -namespace default -id $N-a -address $CD/c.sock" >/dev/null
	ctr_ task delete "$N-b"
	ctr_ containers rm "$N-b"
	for _ in $(seq 50); do
		pgrep -f "containerd-shim-berth-v2 -namespace default -id $N-a -address $CD/c.sock" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "containerd-shim-berth-v2 -namespace default -id $N-a -address $CD/c.sock" >/dev/null
	sock=$(printf '/run/containerd/s/%s' "$(printf '%s/default/%s' "$CD/c.sock" "$N" | sha256sum | cut -c1-64)")
	[[ ! -e $sock ]]
}

@test "shim: survives a containerd restart; containerd reconnects and drives the task" {
	ctr_ run -d --runtime "$RUNTIME" "$IMAGE" "$N" sleep 300
	shim=$(pgrep -f "containerd-shim-berth-v2 -namespace default -id $N -address $CD/c.sock")
	cd_stop
	kill -0 "$shim"
	cd_start
	run -0 ctr_ task ls
	[[ $output == *"$N "*RUNNING* ]]
	run -0 ctr_ task exec --exec-id after "$N" echo after-restart
	[[ $output == after-restart ]]
	[[ $(pgrep -f "containerd-shim-berth-v2 -namespace default -id $N -address $CD/c.sock") == "$shim" ]]
	ctr_ task kill -s 9 "$N"
	sleep 0.5
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	assert_gone "$N"
}

@test "shim: a killed shim is cleaned up by the delete action (container killed, rootfs unmounted)" {
	ctr_ run -d --runtime "$RUNTIME" "$IMAGE" "$N" sleep 300
	pid=$(ctr_ task ls | awk -v id="$N" '$1 == id { print $2 }')
	shim=$(pgrep -f "containerd-shim-berth-v2 -namespace default -id $N -address $CD/c.sock")
	kill -9 "$shim"
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid" 2>/dev/null
	run ctr_ task ls
	[[ $output != *"$N "*RUNNING* ]]
	ctr_ task delete "$N" 2>/dev/null || true
	ctr_ containers rm "$N"
	assert_gone "$N"
}

@test "shim: the delete action answers a DeleteResponse even when nothing is left" {
	b=$CD/empty-bundle
	mkdir -p "$b/rootfs"
	run -0 --separate-stderr bash -c "cd $b && $SHIM -namespace default -address $CD/c.sock -publish-binary /usr/bin/containerd -id nothing-$N -bundle $b delete | od -An -tx1"
	# pid uint32(-1), exit_status 137, then exited_at
	[[ $output == " 08 ff ff ff ff 0f 10 89 01 1a"* ]]
}

@test "shim: runtimeoptions config_path picks the runtime binary and root (here: runc)" {
	command -v runc >/dev/null || skip "runc is not installed"
	mkdir -p "$CD/runc-root"
	cat >"$CD/shim-$N.toml" <<-EOF
		# berth shim settings
		BinaryName = "$(command -v runc)"
		Root = "$CD/runc-root"
	EOF
	ctr_ run -d --runtime "$RUNTIME" --runtime-config-path "$CD/shim-$N.toml" "$IMAGE" "$N" sleep 300
	[[ -e $CD/runc-root/default/$N/state.json ]]
	run -0 ctr_ task exec --exec-id e "$N" echo via-runc
	[[ $output == via-runc ]]
	ctr_ task kill -s 9 "$N"
	sleep 0.5
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	[[ ! -e $CD/runc-root/default/$N ]]
	assert_gone "$N"
}

@test "shim: a bad runtime config is a clear error and leaves nothing" {
	printf 'Frobnicate = true\n' >"$CD/bad-$N.toml"
	run ctr_ run --rm --runtime "$RUNTIME" --runtime-config-path "$CD/bad-$N.toml" "$IMAGE" "$N" true
	[[ $status != 0 ]]
	[[ $output == *"bad-$N.toml:1: unknown key Frobnicate"* ]]
	ctr_ containers rm "$N" 2>/dev/null || true
	assert_gone "$N"
}

@test "shim: churn: 25 runs and execs leave no shim, socket, fifo, mount or fd behind" {
	fifos_before=$(find /run/containerd/fifo -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
	cd_fds_before=$(ls /proc/"$(cat "$CD/containerd.pid")"/fd | wc -l)
	for i in $(seq 25); do
		ctr_ run --rm --runtime "$RUNTIME" "$IMAGE" "$N-$i" sh -c 'echo x >/dev/null' >/dev/null
	done
	ctr_ run -d --runtime "$RUNTIME" "$IMAGE" "$N" sleep 300
	shim=$(pgrep -f "containerd-shim-berth-v2 -namespace default -id $N -address $CD/c.sock")
	shim_fds=$(ls /proc/"$shim"/fd | wc -l)
	for i in $(seq 25); do
		ctr_ task exec --exec-id "e$i" "$N" true
	done
	[[ $(ls /proc/"$shim"/fd | wc -l) == "$shim_fds" ]]
	ctr_ task kill -s 9 "$N"
	sleep 0.5
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	for i in $(seq 25); do
		assert_gone "$N-$i"
	done
	assert_gone "$N"
	[[ $(find /run/containerd/fifo -mindepth 1 -maxdepth 1 2>/dev/null | wc -l) -le $fifos_before ]]
	[[ $(ls /proc/"$(cat "$CD/containerd.pid")"/fd | wc -l) -le $((cd_fds_before + 2)) ]]
}

@test "shim: the server's oom_score_adj is containerd's + 1; ShimCgroup moves it into that cgroup" {
	cg=berth-shim-it-$N
	mkdir "/sys/fs/cgroup/memory/$cg"
	printf 'ShimCgroup = "/%s"\n' "$cg" >"$CD/shimcg-$N.toml"
	ctr_ run -d --runtime "$RUNTIME" --runtime-config-path "$CD/shimcg-$N.toml" "$IMAGE" "$N" sleep 300
	shim=$(pgrep -f "containerd-shim-berth-v2 -namespace default -id $N -address $CD/c.sock")
	grep -qx "$shim" "/sys/fs/cgroup/memory/$cg/cgroup.procs"
	[[ $(cat /proc/"$shim"/oom_score_adj) == $(($(cat /proc/"$(cat "$CD/containerd.pid")"/oom_score_adj) + 1)) ]]
	ctr_ task kill -s 9 "$N"
	sleep 0.5
	ctr_ task delete "$N"
	ctr_ containers rm "$N"
	assert_gone "$N"
	# a cgroup that does not exist fails the start, leaving nothing
	printf 'ShimCgroup = "/no-such-%s"\n' "$cg" >"$CD/shimcg-bad-$N.toml"
	run ctr_ run --rm --runtime "$RUNTIME" --runtime-config-path "$CD/shimcg-bad-$N.toml" "$IMAGE" "$N-b" true
	[[ $status != 0 && $output == *"shim cgroup /no-such-$cg: no such cgroup"* ]]
	ctr_ containers rm "$N-b" 2>/dev/null || true
	assert_gone "$N-b"
	rmdir "/sys/fs/cgroup/memory/$cg"
}
