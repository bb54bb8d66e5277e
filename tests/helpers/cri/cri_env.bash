# shellcheck shell=bash
# tests/helpers/cri/cri_env.bash: a private containerd 1.6 with its CRI plugin, for
# tests/integration/cri.bats and bench/cri.sh. Source it, then:
#
#   cri_env_start DIR SHIM BERTH   DIR: an empty directory the caller owns (mktemp -d)
#   cri_ CMD ARGS...               tests/helpers/cri/cri.py against that containerd
#   cri_env_stop                   stop the pods, containerd (the PID started here), every
#                                  shim of this containerd, unmount and remove what it made
#
# Set up like a kubelet node, minus the network: root, state and the gRPC socket under DIR;
# runtime handlers "berth" (io.containerd.berth.v2, SHIM found on containerd's PATH), "runc"
# (Debian's containerd-shim-runc-v2 with runc, cgroupfs driver) and "berth-runc" (that runc shim
# running BERTH as its BinaryName, state under DIR/berth-runc-root); overlayfs snapshotter;
# restrict_oom_score_adj, because without CAP_SYS_RESOURCE nothing here may lower an
# oom_score_adj; no CNI plugin and no CNI config: pods use the node's network namespace
# (NamespaceMode NODE), for which CRI calls no CNI at all. The sandbox ("pause") image is a
# busybox image whose Cmd sleeps; both images are imported with ctr into the k8s.io namespace.
# Pod cgroups go under a test-owned parent, /berth-cri-<random> (CRI_CGROUP_PARENT), in every
# v1 hierarchy; cri_env_stop removes what is left of it.
#
# containerd logs to DIR/containerd.log at level CRI_LOG_LEVEL (default debug: the shims' own log
# lines reach it only at debug).
# Exports: CRI_DIR, CRI_SOCK, CRI_CGROUP_PARENT, CRI_PAUSE_IMAGE, CRI_BUSYBOX_IMAGE, CRI_GEN_DIR.

CRI_HELPERS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's python3 has grpcio and grpc_tools; a python3 from pyenv or a venv may come first on PATH.
CRI_PYTHON=${CRI_PYTHON:-/usr/bin/python3}
CRI_PAUSE_IMAGE=docker.io/berth-test/pause:1
CRI_BUSYBOX_IMAGE=docker.io/berth-test/busybox:1

cri_() {
	"$CRI_PYTHON" "$CRI_HELPERS/cri.py" --socket "$CRI_SOCK" "$@"
}

ctr_k8s() {
	timeout 60 ctr -a "$CRI_SOCK" -n k8s.io "$@"
}

# cri_env_check: what the host lacks, or nothing. Callers fail (tests) or die (bench) on it.
cri_env_check() {
	local t
	for t in containerd ctr containerd-shim-runc-v2 runc jq; do
		command -v "$t" >/dev/null 2>&1 || echo "$t is not installed"
	done
	"$CRI_PYTHON" -c 'import grpc, grpc_tools.protoc' 2>/dev/null ||
		echo "$CRI_PYTHON lacks grpc/grpc_tools (apt-get install python3-grpcio python3-grpc-tools)"
}

cri_env_start() {
	local dir=$1 shim=$2 berth=$3
	CRI_DIR=$dir
	CRI_SOCK=$dir/c.sock
	CRI_GEN_DIR=$dir/gen
	CRI_CGROUP_PARENT=/berth-cri-$(basename "$dir" | tr -c 'a-zA-Z0-9\n' '-' | sed 's/^berth-cri-//')
	export CRI_DIR CRI_SOCK CRI_GEN_DIR CRI_CGROUP_PARENT CRI_PAUSE_IMAGE CRI_BUSYBOX_IMAGE
	mkdir -p "$dir/bin" "$dir/gen" "$dir/cni/bin" "$dir/cni/net.d" "$dir/logs"
	ln -sf "$shim" "$dir/bin/containerd-shim-berth-v2"
	ln -sf "$berth" "$dir/bin/berth"
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
		  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
		[grpc]
		  address = "$CRI_SOCK"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$CRI_PAUSE_IMAGE"
		  restrict_oom_score_adj = true
		  disable_apparmor = true
		  enable_selinux = false
		  stream_server_address = "127.0.0.1"
		  stream_server_port = "0"
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        SystemdCgroup = false
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.berth]
		      runtime_type = "io.containerd.berth.v2"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.berth-runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.berth-runc.options]
		        BinaryName = "$dir/bin/berth"
		        Root = "$dir/berth-runc-root"
		        SystemdCgroup = false
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$dir/cni/bin"
		    conf_dir = "$dir/cni/net.d"
	EOF
	PATH="$dir/bin:$PATH" setsid containerd --config "$dir/config.toml" --log-level "${CRI_LOG_LEVEL:-debug}" \
		>>"$dir/containerd.log" 2>&1 </dev/null &
	echo $! >"$dir/containerd.pid"
	for _ in $(seq 150); do
		if cri_ version >/dev/null 2>&1; then
			break
		fi
		if ! kill -0 "$(cat "$dir/containerd.pid")" 2>/dev/null; then
			echo "cri_env_start: containerd exited:" >&2
			tail -20 "$dir/containerd.log" >&2
			return 1
		fi
		sleep 0.1
	done
	if ! cri_ version >/dev/null 2>&1; then
		echo "cri_env_start: containerd's CRI service did not answer:" >&2
		grep -i 'cri' "$dir/containerd.log" | tail -20 >&2
		return 1
	fi
	if ! "$CRI_PYTHON" "$CRI_HELPERS/../mkimage.py" --cmd '["sleep", "2147483647"]' "$dir/pause.tar" "$CRI_PAUSE_IMAGE" ||
		! "$CRI_PYTHON" "$CRI_HELPERS/../mkimage.py" "$dir/busybox.tar" "$CRI_BUSYBOX_IMAGE" ||
		! ctr_k8s images import "$dir/pause.tar" >/dev/null ||
		! ctr_k8s images import "$dir/busybox.tar" >/dev/null; then
		echo "cri_env_start: image import failed" >&2
		return 1
	fi
}

# A kubelet-like PodSandboxConfig for pod NAME in the node's network namespace, cgroups under
# CRI_CGROUP_PARENT, written to FILE.
cri_pod_config() {
	local name=$1 file=$2
	jq -n --arg name "$name" --arg uid "uid-$name-$RANDOM" --arg parent "$CRI_CGROUP_PARENT/pod-$name" \
		--arg logdir "$CRI_DIR/logs/$name" '{
		metadata: {name: $name, uid: $uid, namespace: "berth-test", attempt: 0},
		hostname: "",
		log_directory: $logdir,
		labels: {"io.kubernetes.pod.name": $name},
		annotations: {"berth.test/pod": $name},
		linux: {
			cgroup_parent: $parent,
			security_context: {namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"}}
		}
	}' >"$file"
	mkdir -p "$CRI_DIR/logs/$name"
}

# A ContainerConfig NAME running ARGS... in the busybox image, written to FILE. MEMORY (optional
# env) sets linux.resources.memory_limit_in_bytes.
cri_container_config() {
	local name=$1 file=$2
	shift 2
	jq -n --arg name "$name" --arg image "$CRI_BUSYBOX_IMAGE" --arg mem "${MEMORY:-0}" '{
		metadata: {name: $name, attempt: 0},
		image: {image: $image},
		command: $ARGS.positional,
		log_path: ($name + ".log"),
		labels: {"io.kubernetes.container.name": $name},
		linux: {resources: {memory_limit_in_bytes: ($mem | tonumber)},
			security_context: {namespace_options: {network: "NODE", pid: "CONTAINER", ipc: "POD"}}}
	}' --args -- "$@" >"$file"
}

# Remove what is left of the test's cgroup parent, deepest first, in every hierarchy, after
# SIGKILLing the processes still in it (only containers of this test run there).
cri_cgroups_remove() {
	[[ -n ${CRI_CGROUP_PARENT:-} ]] || return 0
	local h p
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[[ -d $h${CRI_CGROUP_PARENT#/} ]] || continue
		while read -r p; do
			kill -9 "$p" 2>/dev/null || true
		done < <(find "$h${CRI_CGROUP_PARENT#/}" -name cgroup.procs -exec cat {} + 2>/dev/null)
	done
	sleep 0.2
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[[ -d $h${CRI_CGROUP_PARENT#/} ]] || continue
		find "$h${CRI_CGROUP_PARENT#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# Paths of cgroup directories left under the test's cgroup parent (none is the expected answer).
cri_cgroups_left() {
	[[ -n ${CRI_CGROUP_PARENT:-} ]] || return 0
	local h
	for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
		[[ -d $h${CRI_CGROUP_PARENT#/} ]] || continue
		find "$h${CRI_CGROUP_PARENT#/}" -mindepth 1 -type d
	done
}

cri_env_stop() {
	[[ -n ${CRI_DIR:-} && -d $CRI_DIR ]] || return 0
	# best effort throughout: the caller may run with set -e (bats, bench/cri.sh), and a kill of
	# a process that is already gone must not end the cleanup
	local -
	set +e
	local pid p pod id ids=
	pid=$(cat "$CRI_DIR/containerd.pid" 2>/dev/null) || pid=
	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		for pod in $(cri_ pods 2>/dev/null | jq -r '.items[]?.id'); do
			cri_ stopp "$pod" >/dev/null 2>&1
			cri_ rmp "$pod" >/dev/null 2>&1
		done
		# whatever is still known (a failed removal): its runtime state is removed below
		ids=$(ctr_k8s containers ls -q 2>/dev/null)
		kill "$pid" 2>/dev/null
		for _ in $(seq 100); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$pid" 2>/dev/null
	fi
	rm -f "$CRI_DIR/containerd.pid"
	# Shims of this containerd that a failed test left: they name its socket in -address.
	for p in $(pgrep -f -- "-address $CRI_SOCK( |$)" || true); do
		kill -9 "$p" 2>/dev/null || true
	done
	cri_cgroups_remove
	for id in $ids; do
		"$CRI_DIR/bin/berth" --root /run/containerd/berth/k8s.io delete --force "$id" >/dev/null 2>&1
		runc --root /run/containerd/runc/k8s.io delete --force "$id" >/dev/null 2>&1
		"$CRI_DIR/bin/berth" --root "$CRI_DIR/berth-runc-root/k8s.io" delete --force "$id" >/dev/null 2>&1
	done
	findmnt -rn -o TARGET | grep "^$CRI_DIR/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	rm -rf "$CRI_DIR"
}
