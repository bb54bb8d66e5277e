#!/usr/bin/env bats
# tests/integration/berthd_crash.bats: berthd's crash and resource proof (issue 7): kill -9 at
# three points of a large load (the upload still arriving, a blob being ingested, a layer being
# unpacked), then restart: no image, no stray ingest or temporary snapshot, the blobs collected,
# the same tree as before, and a new load works; kill -9 right after a load returned: the image is
# complete after restart; a full disk (data-root on an 8 MiB tmpfs) fails loads and saves with
# "no space left on device" naming what was being written, leaves the tree as it was, and berthd
# keeps serving; a truncated archive and a corrupted OCI blob are clear errors that leave nothing.
#
# Every daemon is started by bd_start under $PD and stopped by its recorded PID; the tmpfs is
# mounted under $PD and unmounted in teardown; curl clients are killed by their PIDs. All of it
# runs on failure too.

# shellcheck disable=SC2030,SC2031 # each test points DOCKER_HOST at its own daemon
load helpers
load peers
load berthd_helpers

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	peers_new crash
	export BERTHD BERTHCTL
	# A docker-archive with one 256 MiB layer of zeros (fast to make and to hash), and small
	# ones of random bytes (incompressible) for the full disk.
	mkbig "$PD/big.tar" 256 zero big:1
	mkbig "$PD/r12.tar" 12 random r12:1
	mkbig "$PD/r3.tar" 3 random r3:1
	mkbig "$PD/r1.tar" 1 random r1:1
}

teardown_file() {
	peers_teardown
}

setup() {
	: >"$PD/bg.pids"
}

teardown() {
	local pid
	while read -r pid; do
		kill "$pid" 2>/dev/null || true
	done <"$PD/bg.pids"
	bd_stop "$PD/c"
	bd_stop "$PD/small/bd"
	if mountpoint -q "$PD/small"; then umount "$PD/small"; fi
	rm -rf "$PD/c" "$PD/small"
}

# mkbig OUT MIB zero|random NAME: a docker-archive of one MIB MiB layer (a file "big").
mkbig() {
	python3 - "$@" <<-'PY'
		import hashlib, io, json, os, sys, tarfile
		out, mib, kind, name = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
		layer = out + ".layer"
		with tarfile.open(layer, "w") as t:
		    ti = tarfile.TarInfo("big"); ti.size = mib << 20
		    with open("/dev/zero" if kind == "zero" else "/dev/urandom", "rb") as z:
		        t.addfile(ti, z)
		h = hashlib.sha256()
		with open(layer, "rb") as f:
		    for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
		cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
		                  "rootfs": {"type": "layers", "diff_ids": ["sha256:" + h.hexdigest()]}}).encode()
		cid = hashlib.sha256(cfg).hexdigest()
		with tarfile.open(out, "w") as t:
		    t.add(layer, "l/layer.tar")
		    ti = tarfile.TarInfo(cid + ".json"); ti.size = len(cfg); t.addfile(ti, io.BytesIO(cfg))
		    m = json.dumps([{"Config": cid + ".json", "RepoTags": [name], "Layers": ["l/layer.tar"]}]).encode()
		    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); t.addfile(ti, io.BytesIO(m))
		os.unlink(layer)
	PY
}

# tree DATA: every path under DATA with its type and, for files outside metadata/ (LMDB keeps
# its pages), its size.
tree() {
	(cd "$1" && find . -path ./metadata -prune -o -printf '%y %s %p\n' | sort)
}

# load_bg DIR TAR [curl args]: POST TAR to DIR's berthd in the background (PID recorded).
load_bg() {
	local dir=$1 tar=$2
	shift 2
	curl -s --unix-socket "$dir/s.sock" -X POST -H 'Content-Type: application/x-tar' "$@" \
		--data-binary @"$tar" http://x/v1.41/images/load >/dev/null 2>&1 &
	echo $! >>"$PD/bg.pids"
}

# upload_bytes PID: the size of the O_TMPFILE in content/ingest that PID holds the upload in.
upload_bytes() {
	local fd
	for fd in /proc/"$1"/fd/*; do
		if [[ $(readlink "$fd" 2>/dev/null) == */content/ingest/*'(deleted)' ]]; then
			stat -L -c %s "$fd" 2>/dev/null && return 0
		fi
	done
	echo 0
}

# crash DIR: kill -9 DIR's berthd and wait until its lock is free: the PID is a zombie once its
# main thread is gone, but a thread still finishing a write (fsync of a big blob) holds the
# files, the exec-root lock among them, a moment longer.
crash() {
	local i
	bd_stop "$1" KILL
	for ((i = 0; i < 200; i++)); do
		flock -n "$1/exec/berthd.pid" true && return 0
		sleep 0.05
	done
	echo "the exec-root lock of $1 is still held" >&2
	return 1
}

# after_crash DIR BEFORE: restart DIR's berthd; no image, the tree as BEFORE; a load works.
after_crash() {
	local dir=$1 before=$2
	bd_start "$dir"
	run -0 curl -s --unix-socket "$dir/s.sock" http://x/v1.41/images/json
	[ "$output" = "[]" ]
	diff <(echo "$before") <(tree "$dir/data")
	bd_store_empty "$dir"
}

@test "crash: kill -9 while the upload arrives, while a blob is ingested, while a layer is unpacked" {
	local c=$PD/c pid i before
	bd_start "$c"
	before=$(tree "$c/data")
	pid=$(cat "$c/pid")
	# 1. The upload half-way through (throttled so that the moment is easy to catch).
	load_bg "$c" "$PD/big.tar" --limit-rate 64M
	for ((i = 0; i < 400; i++)); do
		(($(upload_bytes "$pid") > 32 << 20)) && break
		sleep 0.025
	done
	[ "$i" -lt 400 ]
	(($(upload_bytes "$pid") < 256 << 20))
	crash "$c"
	after_crash "$c" "$before"
	# 2. A blob (the layer) being written into the content store.
	pid=$(cat "$c/pid")
	load_bg "$c" "$PD/big.tar"
	for ((i = 0; i < 400; i++)); do
		compgen -G "$c/data/content/ingest/load-*" >/dev/null && break
		sleep 0.025
	done
	[ "$i" -lt 400 ]
	crash "$c"
	after_crash "$c" "$before"
	# 3. The layer being unpacked into a temporary snapshot: the unpacker dies with berthd.
	load_bg "$c" "$PD/big.tar"
	for ((i = 0; i < 800; i++)); do
		compgen -G "$c/data/snapshots/.tmp-*" >/dev/null && break
		sleep 0.025
	done
	[ "$i" -lt 800 ]
	crash "$c"
	run sh -c "ls -l /proc/[0-9]*/root 2>/dev/null | grep -F '$c/data'"
	[ -z "$output" ]
	after_crash "$c" "$before"
	# The daemon loads afterwards, the big image too.
	run -0 env DOCKER_HOST="unix://$c/s.sock" docker load -i "$PD/big.tar"
	[ "$output" = "Loaded image: big:1" ]
}

@test "crash: kill -9 right after a load returned keeps the image whole" {
	local c=$PD/c snap
	bd_start "$c"
	run -0 env DOCKER_HOST="unix://$c/s.sock" docker load -i "$PD/img.tar"
	crash "$c"
	bd_start "$c"
	export DOCKER_HOST=unix://$c/s.sock
	run -0 docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = busybox:latest ]
	snap=$(docker image inspect busybox --format '{{.GraphDriver.Data.UpperDir}}')
	cmp /bin/busybox "$snap/bin/busybox"
	run -0 docker save -o "$c/s.tar" busybox
	run -0 docker rmi busybox
	run -0 docker load -i "$c/s.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
}

@test "crash: a full disk fails loads with 'no space left on device', leaves the tree, berthd serves on" {
	local s=$PD/small bd=$PD/small/bd before
	mkdir -p "$s"
	mount -t tmpfs -o size=8m,mode=0700 tmpfs "$s"
	bd_start "$bd"
	export DOCKER_HOST=unix://$bd/s.sock
	before=$(tree "$bd/data")
	# Bigger than the disk: the upload itself does not fit.
	run docker load -i "$PD/r12.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"write the uploaded archive to \"$bd/data/content/ingest\": No space left on device"* ]]
	[ "$(tree "$bd/data")" = "$before" ]
	# The upload and the blob fit, the unpacked layer does not.
	run /usr/local/bin/docker load -i "$PD/r3.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"snapshot \"$bd/data/snapshots/"*'": layer: write "big": No space left on device'* ]]
	[ "$(tree "$bd/data")" = "$before" ]
	run -0 docker images -q
	[ -z "$output" ]
	# Still serving: a load that fits works and its removal leaves the tree as before.
	run -0 docker info --format '{{.Images}}'
	run -0 docker load -i "$PD/r1.tar"
	[ "$output" = "Loaded image: r1:1" ]
	# docker save builds its archive in the data-root too: fill the disk, then try.
	local mid avail
	mid=$(tree "$bd/data")
	avail=$(df -k --output=avail "$s" | tail -1)
	dd if=/dev/zero of="$s/filler" bs=1k count=$((avail - 256)) 2>/dev/null
	run /usr/local/bin/docker save -o "$PD/r1-saved.tar" r1:1
	[ "$status" -ne 0 ]
	[[ $output == *"archive in \"$bd/data/content/ingest\": save: write \"blobs/sha256/"*'": No space left on device'* ]]
	[ "$(tree "$bd/data")" = "$mid" ]
	rm "$s/filler"
	run -0 docker save -o "$PD/r1-saved.tar" r1:1
	run -0 docker rmi r1:1
	[ "$(tree "$bd/data")" = "$before" ]
	run grep -c 'level=fatal' "$bd/log"
	[ "$output" = 0 ]
}

@test "crash: a truncated archive and a corrupted OCI blob are clear errors that leave nothing" {
	local c=$PD/c before layer
	bd_start "$c"
	export DOCKER_HOST=unix://$c/s.sock
	before=$(tree "$c/data")
	head -c 600000 "$PD/img.tar" >"$c/trunc.tar"
	run docker load -i "$c/trunc.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"Truncated tar archive"* || $output == *"archive:"* ]]
	[ "$(tree "$c/data")" = "$before" ]
	bd_store_empty "$c"
	rm -rf "$c/oci" && mkdir "$c/oci"
	tar -xf "$PD/img.tar" -C "$c/oci"
	layer=$(jq -r '.layers[0].digest' "$c/oci/blobs/sha256/$(jq -r '.manifests[0].digest' "$c/oci/index.json" | cut -d: -f2)" | cut -d: -f2)
	# One flipped byte: same size, another digest.
	python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(4096); b = f.read(1); f.seek(4096); f.write(bytes([b[0] ^ 1]))' "$c/oci/blobs/sha256/$layer"
	tar -cf "$c/bad.tar" -C "$c/oci" .
	run docker load -i "$c/bad.tar"
	[ "$status" -ne 0 ]
	[[ $output == *"blobs/sha256/$layer\": digest mismatch: the content hashes to sha256:"* ]]
	[ "$(tree "$c/data")" = "$before" ]
	bd_store_empty "$c"
	# And the daemon loads the good one.
	run -0 docker load -i "$PD/img.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
}
