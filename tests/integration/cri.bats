#!/usr/bin/env bats
# Kubernetes' path into berth (issue 6): containerd 1.6's CRI plugin driven the way kubelet drives
# it, over runtime.v1 gRPC (tests/helpers/cri/cri.py), with the runtime handler "berth"
# (runtime_type io.containerd.berth.v2 -> containerd-shim-berth-v2; interfaces.md §7).
#
# setup_file starts a private containerd (tests/helpers/cri/cri_env.bash): root, state and socket
# in a temporary directory, PATH led by a directory holding the shim under test ($SHIM, default:
# containerd-shim-berth-v2 next to $BERTH, else on PATH) and $BERTH. Pods use the node's network
# namespace, so no CNI plugin runs. Every test makes its own pod and removes it; each checks that
# nothing of it is left (shim process, shim socket, mounts, cgroups, runtime state). The last
# tests run the same pod flow with handler "runc" (Debian's runc shim), as a reference for what
# the assertions expect.

load helpers

HELPERS_CRI=$IT_HELPERS/cri

setup_file() {
	# shellcheck source=../helpers/cri/cri_env.bash
	source "$HELPERS_CRI/cri_env.bash"
	local missing
	missing=$(cri_env_check)
	if [[ -n $missing ]]; then
		echo "setup_file: $missing" >&2
		return 1
	fi
	SHIM=${SHIM:-}
	if [[ -z $SHIM && -x $(dirname "$BERTH")/containerd-shim-berth-v2 ]]; then
		SHIM=$(dirname "$BERTH")/containerd-shim-berth-v2
	fi
	SHIM=$(it_resolve "${SHIM:-containerd-shim-berth-v2}")
	[[ -n $SHIM && -x $SHIM ]] || {
		echo "setup_file: containerd-shim-berth-v2 not found (set SHIM=/path)" >&2
		return 1
	}
	export SHIM
	cri_env_start "$(mktemp -d /tmp/berth-cri.XXXXXX)" "$SHIM" "$BERTH"
}

teardown_file() {
	# shellcheck source=../helpers/cri/cri_env.bash
	source "$HELPERS_CRI/cri_env.bash"
	if [[ -n ${CRI_DIR:-} && -f $CRI_DIR/containerd.log ]] && [[ -n ${CRI_KEEP_LOG:-} ]]; then
		cp "$CRI_DIR/containerd.log" "$CRI_KEEP_LOG"
	fi
	cri_env_stop
}

setup() {
	# shellcheck source=../helpers/cri/cri_env.bash
	source "$HELPERS_CRI/cri_env.bash"
	N="t${BATS_TEST_NUMBER}r$RANDOM"
	T=$BATS_TEST_TMPDIR
	PODS=()
}

# A failed test still removes its pods (StopPodSandbox kills what runs in them).
teardown() {
	local p
	for p in "${PODS[@]}"; do
		cri_ stopp "$p" >/dev/null 2>&1 || true
		cri_ rmp "$p" >/dev/null 2>&1 || true
	done
	if [[ -n ${BATS_TEST_COMPLETED:-} ]]; then
		return 0
	fi
	echo "# containerd log, last lines:" >&3
	tail -n 40 "$CRI_DIR/containerd.log" | sed 's/^/# /' >&3
}

# cri_ok ARGS...: run cri.py, fail the test with its output on error; result JSON in $output.
cri_ok() {
	run cri_ "$@"
	if [[ $status != 0 ]]; then
		echo "cri.py $*: exit $status: $output" >&2
		return 1
	fi
}

# pod_run HANDLER: RunPodSandbox of pod $N with HANDLER; sets POD and POD_CONFIG.
pod_run() {
	POD_CONFIG=$T/pod.json
	cri_pod_config "$N" "$POD_CONFIG"
	cri_ok runp --handler "$1" "$POD_CONFIG"
	POD=$(jq -r .id <<<"$output")
	PODS+=("$POD")
}

# ctr_run NAME ARGS...: CreateContainer NAME running ARGS in $POD, then StartContainer; sets CID.
ctr_run() {
	local name=$1
	shift
	cri_container_config "$name" "$T/$name.json" "$@"
	cri_ok create "$POD" "$T/$name.json" "$POD_CONFIG"
	CID=$(jq -r .id <<<"$output")
	cri_ok start "$CID"
}

# ctr_field ID JQ: a field of ContainerStatus.
ctr_field() {
	cri_ inspect "$1" | jq -r ".status$2"
}

# wait_ctr_state ID STATE: ContainerStatus reaches STATE within 10 s.
wait_ctr_state() {
	local s
	for _ in $(seq 100); do
		s=$(ctr_field "$1" .state)
		[[ $s == "$2" ]] && return 0
		sleep 0.1
	done
	echo "container $1: state $s, want $2" >&2
	return 1
}

# The shim socket containerd 1.6 derives from its address, the namespace and the group key.
shim_socket() {
	printf '/run/containerd/s/%s' "$(printf '%s/k8s.io/%s' "$CRI_SOCK" "$1" | sha256sum | cut -c1-64)"
}

# shim_pids SHIMNAME: pids of the shims of this containerd (any pod), one per line.
shim_pids() {
	pgrep -f -- "$1 .*-address $CRI_SOCK( |$)" || true
}

# The runtime's state directory for ID under HANDLER, as the shim passes --root.
runtime_state() {
	case $1 in
	berth) echo "/run/containerd/berth/k8s.io/$2" ;;
	runc) echo "/run/containerd/runc/k8s.io/$2" ;;
	berth-runc) echo "$CRI_DIR/berth-runc-root/k8s.io/$2" ;;
	esac
}

# assert_pod_gone HANDLER SHIMNAME POD [CID...]: nothing of the pod is left.
assert_pod_gone() {
	local handler=$1 shimname=$2 pod=$3 id left sock
	shift 3
	sock=$(shim_socket "$pod")
	for _ in $(seq 50); do
		[[ -e $sock || -n $(shim_pids "$shimname") ]] || break
		sleep 0.1
	done
	[[ ! -e $sock ]] || {
		echo "shim socket $sock left behind" >&2
		return 1
	}
	[[ -z $(shim_pids "$shimname") ]] || {
		echo "shim processes left: $(shim_pids "$shimname" | tr '\n' ' ')" >&2
		return 1
	}
	for id in "$pod" "$@"; do
		left=$(findmnt -rn -o TARGET | grep -F "$id" || true)
		[[ -z $left ]] || {
			echo "mounts left for $id: $left" >&2
			return 1
		}
		left=$(cri_cgroups_left | grep -F "$id" || true)
		[[ -z $left ]] || {
			echo "cgroups left for $id: $left" >&2
			return 1
		}
		[[ ! -e $(runtime_state "$handler" "$id") ]] || {
			echo "runtime state of $id left: $(runtime_state "$handler" "$id")" >&2
			return 1
		}
		[[ ! -e $CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$id ]] || {
			echo "bundle of $id left behind" >&2
			return 1
		}
	done
	# What is left of the pod's cgroup parent is the pod-level directory the runtime made with
	# mkdir -p (kubelet's, on a node): it must be empty, so rmdir succeeds in every hierarchy.
	local d
	for d in /sys/fs/cgroup/*/"${CRI_CGROUP_PARENT#/}/pod-$N"; do
		[[ -d $d ]] || continue
		rmdir "$d" || {
			echo "cgroup $d is not empty: $(find "$d" -mindepth 1 -type d | tr '\n' ' ')" >&2
			return 1
		}
	done
	left=$(cri_cgroups_left)
	[[ -z $left ]] || {
		echo "cgroups left under $CRI_CGROUP_PARENT: $left" >&2
		return 1
	}
}

# pod_remove: StopPodSandbox, RemovePodSandbox of $POD.
pod_remove() {
	cri_ok stopp "$POD"
	cri_ok rmp "$POD"
	PODS=()
}

@test "cri: api.proto matches the runtime.v1 schema compiled into containerd" {
	run -0 "$CRI_PYTHON" "$HELPERS_CRI/check_api.py" "$(command -v containerd)"
	[[ ${lines[-1]} == ok:* ]]
}

@test "cri: Version over runtime.v1; ImageService lists the imported images" {
	cri_ok version
	[[ $(jq -r .runtime_api_version <<<"$output") == v1 ]]
	[[ $(jq -r .runtime_name <<<"$output") == containerd ]]
	cri_ok images
	jq -e --arg p "$CRI_PAUSE_IMAGE" --arg b "$CRI_BUSYBOX_IMAGE" \
		'[.images[].repo_tags[]] | index($p) != null and index($b) != null' <<<"$output"
	cri_ok inspecti "$CRI_BUSYBOX_IMAGE"
	[[ $(jq -r '.image.size | tonumber' <<<"$output") -gt 0 ]]
}

@test "cri: RunPodSandbox with handler berth runs the sandbox under containerd-shim-berth-v2" {
	pod_run berth
	cri_ok inspectp "$POD"
	[[ $(jq -r .status.state <<<"$output") == SANDBOX_READY ]]
	[[ $(jq -r .status.runtime_handler <<<"$output") == berth ]]
	# one shim, for the sandbox, serving at the socket containerd derived from the sandbox id
	run -0 shim_pids containerd-shim-berth-v2
	[[ $(wc -l <<<"$output") == 1 ]]
	[[ $(tr '\0' ' ' <"/proc/$output/cmdline") == *"-id $POD "* ]]
	[[ -S $(shim_socket "$POD") ]]
	[[ $(pgrep -f -- "containerd-shim-runc-v2 .*-address $CRI_SOCK( |$)" | wc -l) == 0 ]]
	# the sandbox container is berth's: its state, running
	run -0 "$BERTH" --root /run/containerd/berth/k8s.io state "$POD"
	[[ $(jq -r .status <<<"$output") == running ]]
	# CRI's annotations are in the bundle's config.json (the shim groups by sandbox-id)
	jq -e --arg p "$POD" '.annotations["io.kubernetes.cri.container-type"] == "sandbox" and
		.annotations["io.kubernetes.cri.sandbox-id"] == $p' \
		"$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$POD/config.json"
	# the cgroup is under the pod's cgroup_parent
	[[ -d /sys/fs/cgroup/memory$CRI_CGROUP_PARENT/pod-$N/$POD ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD"
}

@test "cri: a container of the pod joins the sandbox's shim: one shim process per pod" {
	pod_run berth
	local shim cid cpid ppid
	shim=$(shim_pids containerd-shim-berth-v2)
	[[ $(wc -l <<<"$shim") == 1 ]]
	ctr_run c1 sleep 1000
	cid=$CID
	wait_ctr_state "$cid" CONTAINER_RUNNING
	# still the one shim process, and the container's bundle names the same socket
	[[ $(shim_pids containerd-shim-berth-v2) == "$shim" ]]
	[[ ! -e $(shim_socket "$cid") ]]
	[[ $(cat "$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$cid/address") == \
		$(cat "$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$POD/address") ]]
	# the container's init was reparented to that shim (its subreaper)
	cri_ok inspect "$cid"
	cpid=$(jq -r '.info.info | fromjson | .pid' <<<"$output")
	[[ $cpid -gt 0 ]]
	ppid=$(awk '/^PPid:/ {print $2}' "/proc/$cpid/status")
	[[ $ppid == "$shim" ]]
	run -0 "$BERTH" --root /run/containerd/berth/k8s.io state "$cid"
	[[ $(jq -r .status <<<"$output") == running ]]
	jq -e --arg p "$POD" '.annotations["io.kubernetes.cri.container-type"] == "container" and
		.annotations["io.kubernetes.cri.sandbox-id"] == $p' \
		"$CRI_DIR/state/io.containerd.runtime.v2.task/k8s.io/$cid/config.json"
	[[ -d /sys/fs/cgroup/memory$CRI_CGROUP_PARENT/pod-$N/$cid ]]
	# a second container: still one shim
	ctr_run c2 sleep 1000
	wait_ctr_state "$CID" CONTAINER_RUNNING
	[[ $(shim_pids containerd-shim-berth-v2) == "$shim" ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$cid" "$CID"
}

@test "cri: ExecSync returns stdout, stderr and the exit code" {
	pod_run berth
	ctr_run c1 sleep 1000
	cri_ok exec-sync "$CID" echo hi
	[[ $(jq -r .stdout <<<"$output") == hi ]]
	[[ $(jq -r .exit_code <<<"$output") == 0 ]]
	cri_ok exec-sync "$CID" sh -c 'exit 3'
	[[ $(jq -r .exit_code <<<"$output") == 3 ]]
	run -0 cri_ exec-sync "$CID" sh -c 'echo out; echo err >&2; exit 3'
	[[ $(jq -r .exit_code <<<"$output") == 3 ]]
	[[ $(jq -r .stdout <<<"$output") == out ]]
	[[ $(jq -r .stderr <<<"$output") == err ]]
	# an exec runs in the container: same pid namespace as its init (pid 1 is sleep)
	cri_ok exec-sync "$CID" cat /proc/1/cmdline
	[[ $(jq -r .stdout <<<"$output" | tr '\0' ' ') == "sleep 1000 " ]]
	# the timeout kills the exec and is reported as an error (kubelet's probe failure)
	local t0=$SECONDS
	run cri_ exec-sync "$CID" --timeout 1 sleep 30
	[[ $((SECONDS - t0)) -lt 20 ]]
	[[ $output == *DEADLINE_EXCEEDED* || $output == *"timeout"* ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$CID"
}

@test "cri: concurrent ExecSync calls on two containers of one pod (one shim) all succeed" {
	pod_run berth
	local c1 c2 i
	ctr_run c1 sleep 1000
	c1=$CID
	ctr_run c2 sleep 1000
	c2=$CID
	# kubelet probes containers independently: four clients at once, 20 calls each
	for i in 1 2 3 4; do
		if ((i % 2)); then CID=$c1; else CID=$c2; fi
		cri_ exec-bench "$CID" 20 sh -c 'echo x; exit 0' >"$T/bench$i.json" 2>&1 &
	done
	wait
	for i in 1 2 3 4; do
		jq -e '.exit_codes == {"0": 20}' "$T/bench$i.json" || {
			cat "$T/bench$i.json" >&2
			return 1
		}
	done
	[[ $(shim_pids containerd-shim-berth-v2 | wc -l) == 1 ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$c1" "$c2"
}

@test "cri: ContainerStatus: RUNNING, then EXITED with the exit code and reason" {
	pod_run berth
	local t0
	# PID 1 of the container handles SIGTERM: StopContainer's SIGTERM ends it with status 42
	ctr_run term sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	wait_ctr_state "$CID" CONTAINER_RUNNING
	cri_ok inspect "$CID"
	[[ $(jq -r '.status.started_at | tonumber' <<<"$output") -gt 0 ]]
	[[ $(jq -r '.status.finished_at | tonumber' <<<"$output") == 0 ]]
	[[ $(jq -r '.status.metadata.name' <<<"$output") == term ]]
	t0=$SECONDS
	cri_ok stop "$CID" --timeout 10
	[[ $((SECONDS - t0)) -lt 8 ]]
	cri_ok inspect "$CID"
	[[ $(jq -r .status.state <<<"$output") == CONTAINER_EXITED ]]
	[[ $(jq -r .status.exit_code <<<"$output") == 42 ]]
	[[ $(jq -r .status.reason <<<"$output") == Error ]]
	[[ $(jq -r '.status.finished_at | tonumber' <<<"$output") -gt 0 ]]
	# StopContainer is idempotent
	cri_ok stop "$CID" --timeout 0
	# a container that exits on its own: Completed (0) / Error (7); its output reached the CRI log
	ctr_run ok sh -c 'echo bye; exit 0'
	wait_ctr_state "$CID" CONTAINER_EXITED
	[[ $(ctr_field "$CID" .exit_code) == 0 ]]
	[[ $(ctr_field "$CID" .reason) == Completed ]]
	grep -q ' stdout F bye$' "$CRI_DIR/logs/$N/ok.log"
	ctr_run fail sh -c 'echo oops >&2; exit 7'
	wait_ctr_state "$CID" CONTAINER_EXITED
	[[ $(ctr_field "$CID" .exit_code) == 7 ]]
	[[ $(ctr_field "$CID" .reason) == Error ]]
	grep -q ' stderr F oops$' "$CRI_DIR/logs/$N/fail.log"
	# RemoveContainer of an exited container; ListContainers no longer has it
	cri_ok rm "$CID"
	cri_ok ps --pod "$POD"
	[[ $(jq --arg c "$CID" '[.containers[] | select(.id == $c)] | length' <<<"$output") == 0 ]]
	[[ $(jq '.containers | length' <<<"$output") == 2 ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$CID"
}

@test "cri: ContainerStats reports cpu and memory" {
	pod_run berth
	# shellcheck disable=SC2016 # expanded by the container's sh
	ctr_run busy sh -c 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; exec sleep 1000'
	wait_ctr_state "$CID" CONTAINER_RUNNING
	sleep 0.5
	cri_ok stats "$CID"
	jq -e --arg c "$CID" '.stats.attributes.id == $c' <<<"$output"
	[[ $(jq -r '.stats.cpu.timestamp | tonumber' <<<"$output") -gt 0 ]]
	[[ $(jq -r '.stats.cpu.usage_core_nano_seconds.value | tonumber' <<<"$output") -gt 0 ]]
	[[ $(jq -r '.stats.memory.timestamp | tonumber' <<<"$output") -gt 0 ]]
	[[ $(jq -r '.stats.memory.working_set_bytes.value | tonumber' <<<"$output") -gt 0 ]]
	[[ $(jq -r '.stats.memory.usage_bytes.value | tonumber' <<<"$output") -gt 0 ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$CID"
}

@test "cri: UpdateContainerResources reaches the cgroup (the shim's Update, the runtime's update)" {
	pod_run berth
	ctr_run upd sleep 1000
	wait_ctr_state "$CID" CONTAINER_RUNNING
	dir=/sys/fs/cgroup/memory$CRI_CGROUP_PARENT/pod-$N/$CID
	[[ -d $dir ]]
	printf '{"memory_limit_in_bytes": 67108864, "cpu_shares": 512}' >"$T/res.json"
	cri_ok update "$CID" "$T/res.json"
	[[ $(cat "$dir/memory.limit_in_bytes") == 67108864 ]]
	[[ $(cat "/sys/fs/cgroup/cpu$CRI_CGROUP_PARENT/pod-$N/$CID/cpu.shares") == 512 ]]
	# a value the kernel refuses is the call's error, and the old limit stays
	printf '{"memory_limit_in_bytes": 4096}' >"$T/bad.json"
	run cri_ update "$CID" "$T/bad.json"
	[[ $status != 0 ]]
	[[ $(cat "$dir/memory.limit_in_bytes") == 67108864 ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$CID"
}

@test "cri: StopPodSandbox kills running containers; RemovePodSandbox leaves nothing behind" {
	pod_run berth
	local cid1 shim
	shim=$(shim_pids containerd-shim-berth-v2)
	ctr_run c1 sleep 1000
	cid1=$CID
	ctr_run c2 sh -c 'trap "" TERM; while :; do sleep 0.1; done'
	wait_ctr_state "$CID" CONTAINER_RUNNING
	cri_ok stopp "$POD"
	cri_ok inspectp "$POD"
	[[ $(jq -r .status.state <<<"$output") == SANDBOX_NOTREADY ]]
	[[ $(ctr_field "$cid1" .state) == CONTAINER_EXITED ]]
	[[ $(ctr_field "$CID" .state) == CONTAINER_EXITED ]]
	# StopPodSandbox is idempotent
	cri_ok stopp "$POD"
	cri_ok rmp "$POD"
	PODS=()
	cri_ok pods
	[[ $(jq --arg p "$POD" '[.items[] | select(.id == $p)] | length' <<<"$output") == 0 ]]
	run -0 cri_ ps --pod "$POD"
	[[ $(jq '.containers | length' <<<"$output") == 0 ]]
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$cid1" "$CID"
	# the pod's shim process has exited and was reaped
	for _ in $(seq 50); do
		[[ -e /proc/$shim ]] || break
		sleep 0.1
	done
	[[ ! -e /proc/$shim ]]
	# RemovePodSandbox is idempotent
	cri_ok rmp "$POD"
}

@test "cri: a container over its memory limit is OOMKilled" {
	pod_run berth
	# busybox tail keeps the last line of /dev/zero in memory: it grows until the limit
	MEMORY=$((32 << 20)) ctr_run hog tail /dev/zero
	for _ in $(seq 150); do
		[[ $(ctr_field "$CID" .state) == CONTAINER_EXITED ]] && break
		sleep 0.1
	done
	cri_ok inspect "$CID"
	[[ $(jq -r .status.state <<<"$output") == CONTAINER_EXITED ]]
	[[ $(jq -r .status.exit_code <<<"$output") == 137 ]]
	[[ $(jq -r .status.reason <<<"$output") == OOMKilled ]]
	pod_remove
	assert_pod_gone berth containerd-shim-berth-v2 "$POD" "$CID"
}

# Reference: the same flow under Debian's runc shim, so the expectations above are containerd's.
@test "cri: reference: the same pod flow with handler runc (containerd-shim-runc-v2)" {
	pod_run runc
	local shim
	shim=$(shim_pids containerd-shim-runc-v2)
	[[ $(wc -l <<<"$shim") == 1 ]]
	[[ -z $(shim_pids containerd-shim-berth-v2) ]]
	ctr_run c1 sleep 1000
	wait_ctr_state "$CID" CONTAINER_RUNNING
	[[ $(shim_pids containerd-shim-runc-v2) == "$shim" ]]
	cri_ok exec-sync "$CID" echo hi
	[[ $(jq -r .stdout <<<"$output") == hi && $(jq -r .exit_code <<<"$output") == 0 ]]
	cri_ok exec-sync "$CID" sh -c 'exit 3'
	[[ $(jq -r .exit_code <<<"$output") == 3 ]]
	cri_ok stats "$CID"
	[[ $(jq -r '.stats.memory.working_set_bytes.value | tonumber' <<<"$output") -gt 0 ]]
	cri_ok stop "$CID" --timeout 1
	[[ $(ctr_field "$CID" .state) == CONTAINER_EXITED ]]
	[[ $(ctr_field "$CID" .exit_code) == 137 ]]
	pod_remove
	assert_pod_gone runc containerd-shim-runc-v2 "$POD" "$CID"
}

# interfaces.md §7 (b): berth as the BinaryName of containerd's own runc shim.
@test "cri: handler berth-runc: containerd-shim-runc-v2 running berth as its runc" {
	pod_run berth-runc
	local shim
	shim=$(shim_pids containerd-shim-runc-v2)
	[[ $(wc -l <<<"$shim") == 1 ]]
	[[ -z $(shim_pids containerd-shim-berth-v2) ]]
	run -0 "$BERTH" --root "$CRI_DIR/berth-runc-root/k8s.io" state "$POD"
	[[ $(jq -r .status <<<"$output") == running ]]
	ctr_run c1 sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	wait_ctr_state "$CID" CONTAINER_RUNNING
	run -0 "$BERTH" --root "$CRI_DIR/berth-runc-root/k8s.io" state "$CID"
	[[ $(jq -r .status <<<"$output") == running ]]
	cri_ok exec-sync "$CID" sh -c 'echo hi; exit 3'
	[[ $(jq -r .stdout <<<"$output") == hi && $(jq -r .exit_code <<<"$output") == 3 ]]
	cri_ok stats "$CID"
	[[ $(jq -r '.stats.memory.working_set_bytes.value | tonumber' <<<"$output") -gt 0 ]]
	cri_ok stop "$CID" --timeout 10
	[[ $(ctr_field "$CID" .state) == CONTAINER_EXITED ]]
	[[ $(ctr_field "$CID" .exit_code) == 42 ]]
	pod_remove
	assert_pod_gone berth-runc containerd-shim-runc-v2 "$POD" "$CID"
}

@test "cri: contrib/containerd/config-berth.toml registers handler berth with containerd 1.6" {
	run -0 containerd --config "$IT_REPO/contrib/containerd/config-berth.toml" config dump
	local dump=$output
	grep -A12 -F '[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.berth]' <<<"$dump" |
		grep -q 'runtime_type = "io.containerd.berth.v2"'
	# the commented alternative (b) parses too, with berth as the runc shim's BinaryName
	sed -E 's/^# (\[plugins|  [A-Za-z[])/\1/; s/^#     ([A-Z])/    \1/' \
		"$IT_REPO/contrib/containerd/config-berth.toml" >"$BATS_TEST_TMPDIR/b.toml"
	run -0 containerd --config "$BATS_TEST_TMPDIR/b.toml" config dump
	grep -q 'BinaryName = "/usr/local/bin/berth"' <<<"$output"
	grep -q 'default_runtime_name = "berth"' <<<"$output"
	grep -q '^handler: berth$' "$IT_REPO/contrib/kubernetes/runtimeclass-berth.yaml"
	grep -q '^apiVersion: node.k8s.io/v1$' "$IT_REPO/contrib/kubernetes/runtimeclass-berth.yaml"
}
