#!/usr/bin/env bats
# tests/integration/berthd_images.bats: berthd's images without a registry (issue 7): docker load
# (OCI layout and docker-archive), images, image inspect, history, tag, rmi, save, image prune and
# system df through the stock docker CLIs; the saved archive loads back into berthd and into a
# private containerd (ctr images import); bad archives leave no image, blob, snapshot or stray
# file; kill -9 during a large load leaves a consistent store after restart.
#
# setup_file starts one berthd on a private data-root; tests that crash a daemon start their
# own. Daemons are stopped by the PIDs recorded when started, failures included.

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
	peers_new images
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	# The same busybox image as a docker-archive, as `docker save` (20.10) writes.
	skopeo copy -q "oci-archive:$PD/img.tar" "docker-archive:$PD/img-docker.tar:berthtest/arch:v1" >&2
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	[[ -n ${PD:-} ]] && bd_stop "$PD/crash"
	peers_stop dockerd 30
	peers_stop containerd
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
}

teardown() {
	# Each test starts from an empty image store.
	docker image prune -af >/dev/null 2>&1 || true
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -s --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

@test "images: docker load of an OCI layout, then docker images and GET /images/json" {
	run docker load -i "$PD/img.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox:latest" ]
	run docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "busybox:latest" ]
	run /usr/local/bin/docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}'
	[[ "$output" == "busybox:latest "*MB ]]
	run api /v1.41/images/json
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = busybox:latest ]
	[ "$(jq -r '.[0].Containers, .[0].SharedSize, .[0].ParentId' <<<"$output" | tr '\n' ' ')" = "-1 -1  " ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$(jq -r '.[0].Id' <<<"$output" | grep -E '^sha256:[0-9a-f]{64}$')" ]
	[ "$(jq '.[0].Size == .[0].VirtualSize and .[0].Size > 1000000' <<<"$output")" = true ]
	run api '/v1.41/images/json?filters=%7B%22reference%22%3A%7B%22busy%2A%22%3Atrue%7D%7D'
	[ "$(jq length <<<"$output")" = 1 ]
	run api '/v1.41/images/json?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D'
	[ "$output" = "[]" ]
}

@test "images: docker load of a docker-archive names it from manifest.json" {
	run docker load -i "$PD/img-docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: berthtest/arch:v1" ]
	run docker image inspect berthtest/arch:v1 --format '{{.Os}} {{.RootFS.Type}} {{len .RootFS.Layers}}'
	[ "$output" = "linux layers 1" ]
}

@test "images: image inspect and history show docker's fields" {
	docker load -q -i "$PD/img.tar"
	run docker image inspect busybox
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = busybox:latest ]
	[ "$(jq -r '.[0].Architecture' <<<"$output")" != "" ]
	[ "$(jq -r '.[0].Config.Cmd[0]' <<<"$output")" = sh ]
	[ "$(jq -r '.[0].RootFS.Layers | length' <<<"$output")" = 1 ]
	[ "$(jq -r '.[0].GraphDriver.Name' <<<"$output")" != "" ]
	[ "$(jq -r '.[0].Metadata.LastTagTime' <<<"$output")" = "0001-01-01T00:00:00Z" ]
	# A short ID resolves too.
	id=$(docker images -q busybox)
	[ "${#id}" -eq 12 ]
	run docker image inspect --format '{{.Id}}' "$id"
	[[ "$output" == "sha256:$id"* ]]
	run docker history busybox
	[ "$status" -eq 0 ]
	[[ "$output" == *mkimage* ]]
	# The layer-making entry carries the layer's size.
	run api /v1.41/images/busybox/history
	[ "$(jq '[.[].Size] | max > 1000000' <<<"$output")" = true ]
}

@test "images: tag, then rmi untags until the last name deletes" {
	docker load -q -i "$PD/img.tar"
	run docker tag busybox foo/bar:1
	[ "$status" -eq 0 ]
	id=$(docker images -q busybox)
	# Two repositories: deleting by ID needs -f (409, docker's text).
	run docker rmi "$id"
	[ "$status" -ne 0 ]
	[[ "$output" == *"conflict: unable to delete $id (must be forced) - image is referenced in multiple repositories"* ]]
	run api -o /dev/null -w '%{http_code}' -X DELETE "/v1.41/images/$id"
	[ "$output" = 409 ]
	run docker rmi busybox
	[ "$output" = "Untagged: busybox:latest" ]
	run docker rmi foo/bar:1
	[ "${lines[0]}" = "Untagged: foo/bar:1" ]
	[[ "${lines[1]}" == "Deleted: sha256:$id"* ]]
	bd_store_empty "$BD"
}

@test "images: rmi -f by ID removes every name; unknown images are 404" {
	docker load -q -i "$PD/img.tar"
	docker tag busybox foo/bar:1
	run docker rmi -f "$(docker images -q busybox | head -1)"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Untagged: busybox:latest"* && "$output" == *"Untagged: foo/bar:1"* && "$output" == *"Deleted: sha256:"* ]]
	bd_store_empty "$BD"
	run docker rmi nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"No such image: nosuch"* ]]
	run docker image inspect nosuch
	[ "$status" -ne 0 ]
	run api -o /dev/null -w '%{http_code}' /v1.41/images/nosuch/json
	[ "$output" = 404 ]
	run api /v1.41/images/nosuch/json
	[ "$(jq -r .message <<<"$output")" = "No such image: nosuch" ]
}

@test "images: docker save writes docker-archive and OCI layout; it loads back and into containerd" {
	peers_need ctr containerd
	docker load -q -i "$PD/img.tar"
	docker tag busybox foo/bar:1
	run docker save -o "$PD/saved.tar" busybox foo/bar:1
	[ "$status" -eq 0 ]
	run tar tf "$PD/saved.tar"
	[[ "$output" == *manifest.json* && "$output" == *index.json* && "$output" == *oci-layout* && "$output" == *repositories* ]]
	[ "$(tar xOf "$PD/saved.tar" manifest.json | jq -r '.[0].RepoTags | sort | join(",")')" = "busybox:latest,foo/bar:1" ]
	id=$(docker images -q --no-trunc busybox)
	docker rmi -f "$id" >/dev/null
	bd_store_empty "$BD"
	run docker load -i "$PD/saved.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Loaded image: busybox:latest"* && "$output" == *"Loaded image: foo/bar:1"* ]]
	[ "$(docker images -q --no-trunc busybox)" = "$id" ]
	# The newer CLI's save endpoint per image and its load.
	run /usr/local/bin/docker save busybox -o "$PD/saved28.tar"
	[ "$status" -eq 0 ]
	# A private containerd imports the same archive.
	containerd_start "$PD/ctd"
	run timeout "$PEERS_TIMEOUT" ctr -a "$PD/ctd/c.sock" -n berthtest images import "$PD/saved.tar"
	[ "$status" -eq 0 ]
	run ctr -a "$PD/ctd/c.sock" -n berthtest images ls -q
	[[ "$output" == *docker.io/library/busybox:latest* ]]
	[[ "$output" == *docker.io/foo/bar:1* ]]
	ctr -a "$PD/ctd/c.sock" -n berthtest images rm docker.io/library/busybox:latest docker.io/foo/bar:1 >/dev/null
	peers_stop containerd
	# skopeo reads both halves.
	run skopeo inspect --raw "docker-archive:$PD/saved.tar:busybox:latest"
	[ "$status" -eq 0 ]
	run skopeo inspect --raw "oci-archive:$PD/saved28.tar"
	[ "$status" -eq 0 ]
}

@test "images: system df counts images; image prune -a empties the store" {
	docker load -q -i "$PD/img.tar"
	run docker system df --format '{{.Type}} {{.TotalCount}}'
	[[ "$output" == *"Images 1"* ]]
	run api /v1.41/system/df
	[ "$(jq '.Images | length' <<<"$output")" = 1 ]
	[ "$(jq '.LayersSize > 0' <<<"$output")" = true ]
	run docker image prune -af
	[ "$status" -eq 0 ]
	[[ "$output" == *"deleted: sha256:"* ]]
	bd_store_empty "$BD"
}

@test "images: a truncated archive fails and leaves nothing" {
	head -c 600000 "$PD/img.tar" >"$PD/trunc.tar"
	run docker load -i "$PD/trunc.tar"
	[ "$status" -ne 0 ]
	[[ "$output" == *"Truncated tar archive"* || "$output" == *"archive:"* ]]
	bd_store_empty "$BD"
}

@test "images: a blob whose bytes do not match its digest fails and leaves nothing" {
	rm -rf "$PD/bad" && mkdir "$PD/bad"
	tar -xf "$PD/img.tar" -C "$PD/bad"
	# Flip one byte of the layer: the digest changes, the size not.
	layer=$(jq -r '.layers[0].digest' "$PD/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$PD/bad/index.json" | cut -d: -f2)" | cut -d: -f2)
	python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(1000); b = f.read(1); f.seek(1000); f.write(bytes([b[0] ^ 0xff]))' "$PD/bad/blobs/sha256/$layer"
	tar -cf "$PD/bad.tar" -C "$PD/bad" .
	run docker load -i "$PD/bad.tar"
	[ "$status" -ne 0 ]
	[[ "$output" == *"digest mismatch"* ]]
	bd_store_empty "$BD"
	# An unknown member type in the index (no manifest.json nor index.json) is refused too.
	tar -cf "$PD/empty.tar" -C "$PD/bad" oci-layout
	run docker load -i "$PD/empty.tar"
	[ "$status" -ne 0 ]
	[[ "$output" == *"neither manifest.json nor index.json"* ]]
	bd_store_empty "$BD"
}

@test "images: kill -9 during a large load (ingest, then unpack), restart: no partial image, no stale ingest" {
	local c=$PD/crash big=$PD/big.tar i
	# A docker-archive with one 400 MiB uncompressed layer.
	python3 - "$big" <<-'PY'
		import hashlib, io, json, os, sys, tarfile
		out = sys.argv[1]
		layer = out + ".layer"
		with tarfile.open(layer, "w") as t:
		    ti = tarfile.TarInfo("big"); ti.size = 400 << 20
		    with open("/dev/zero", "rb") as z:
		        t.addfile(ti, z)
		h = hashlib.sha256()
		with open(layer, "rb") as f:
		    for chunk in iter(lambda: f.read(1 << 20), b""): h.update(chunk)
		diff = "sha256:" + h.hexdigest()
		cfg = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
		                  "rootfs": {"type": "layers", "diff_ids": [diff]}}).encode()
		cid = hashlib.sha256(cfg).hexdigest()
		with tarfile.open(out, "w") as t:
		    t.add(layer, "l/layer.tar")
		    ti = tarfile.TarInfo(cid + ".json"); ti.size = len(cfg); t.addfile(ti, io.BytesIO(cfg))
		    m = json.dumps([{"Config": cid + ".json", "RepoTags": ["big:1"], "Layers": ["l/layer.tar"]}]).encode()
		    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); t.addfile(ti, io.BytesIO(m))
		os.unlink(layer)
	PY
	bd_start "$c"
	curl -s --unix-socket "$c/s.sock" -X POST -H 'Content-Type: application/x-tar' \
		--data-binary @"$big" http://x/v1.41/images/load >/dev/null 2>&1 &
	local curl_pid=$!
	# Wait until the layer is being ingested or unpacked, then crash the daemon.
	for ((i = 0; i < 200; i++)); do
		if compgen -G "$c/data/content/ingest/load-*" >/dev/null || compgen -G "$c/data/snapshots/.tmp-*" >/dev/null; then
			break
		fi
		sleep 0.05
	done
	[ "$i" -lt 200 ] # the load was under way
	bd_stop "$c" KILL
	wait "$curl_pid" || true
	bd_start "$c"
	run curl -s --unix-socket "$c/s.sock" http://x/v1.41/images/json
	[ "$output" = "[]" ]
	[ -z "$(ls -A "$c/data/content/ingest")" ]
	[ -z "$(ls -A "$c/data/content/blobs/sha256")" ]
	[ -z "$(ls -A "$c/data/snapshots")" ]
	# Again, crashing while the layer is being unpacked into a temporary snapshot: the
	# unpacker (chrooted into it) dies with berthd and the next start removes its directory.
	curl -s --unix-socket "$c/s.sock" -X POST -H 'Content-Type: application/x-tar' \
		--data-binary @"$big" http://x/v1.41/images/load >/dev/null 2>&1 &
	curl_pid=$!
	for ((i = 0; i < 400; i++)); do
		compgen -G "$c/data/snapshots/.tmp-*" >/dev/null && break
		sleep 0.05
	done
	[ "$i" -lt 400 ]
	bd_stop "$c" KILL
	wait "$curl_pid" || true
	sleep 0.2
	run sh -c "ls -l /proc/[0-9]*/root 2>/dev/null | grep -F '$c/data'"
	[ -z "$output" ]
	bd_start "$c"
	run curl -s --unix-socket "$c/s.sock" http://x/v1.41/images/json
	[ "$output" = "[]" ]
	[ -z "$(ls -A "$c/data/content/ingest")" ]
	[ -z "$(ls -A "$c/data/content/blobs/sha256")" ]
	[ -z "$(ls -A "$c/data/snapshots")" ]
	# The daemon still loads afterwards.
	run env DOCKER_HOST="unix://$c/s.sock" docker load -i "$PD/img.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
	bd_stop "$c"
	rm -f "$big"
}

@test "images: berthctl load, images, tag, image inspect, history, save, rmi" {
	local C=("$BERTHCTL" -H "unix://$BD/s.sock")
	run "${C[@]}" load -i "$PD/img.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox:latest" ]
	run "${C[@]}" tag busybox foo/bar:1
	[ "$status" -eq 0 ]
	run "${C[@]}" images
	[[ "${lines[0]}" == REPOSITORY* ]]
	[[ "$output" == *"foo/bar "*"1 "* && "$output" == *"busybox "*"latest "* ]]
	run "${C[@]}" images -q
	[ "${#lines[@]}" -eq 1 ]
	[ "$output" = "$(docker images -q busybox)" ]
	run "${C[@]}" image inspect busybox
	[ "$(jq -r '.[0].RepoTags | length' <<<"$output")" = 2 ]
	run "${C[@]}" history busybox
	[[ "$output" == *mkimage* ]]
	run "${C[@]}" save -o "$PD/ctl.tar" busybox
	[ "$status" -eq 0 ]
	tar tf "$PD/ctl.tar" | grep -qx index.json
	run "${C[@]}" rmi busybox
	[ "$output" = "Untagged: busybox:latest" ]
	run "${C[@]}" rmi -f foo/bar:1
	[[ "$output" == *"Deleted: sha256:"* ]]
	run "${C[@]}" rmi nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"No such image: nosuch"* ]]
	bd_store_empty "$BD"
	run "${C[@]}" load -q -i "$PD/ctl.tar"
	[ "$output" = "Loaded image: busybox:latest" ]
}

@test "images: archives cross between berthd and a private dockerd 20.10 both ways" {
	peers_need dockerd /usr/bin/docker containerd unshare
	docker load -q -i "$PD/img.tar"
	docker tag busybox foo/bar:1
	docker save -o "$PD/to-dockerd.tar" busybox foo/bar:1
	containerd_start "$PD/ctd2"
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$PD" >"$PD/dockerd.json"
	# shellcheck disable=SC2016 # "$@" is the inner shell's
	peers_spawn dockerd unshare -n sh -c 'ip link set lo up && exec dockerd "$@"' dockerd \
		--config-file "$PD/dockerd.json" --data-root "$PD/ddata" --exec-root "$PD/dexec" \
		-H "unix://$PD/d.sock" --pidfile "$PD/d.pid" \
		--containerd "$PD/ctd2/c.sock" --containerd-namespace "$PEERS_TAG" \
		--containerd-plugins-namespace "$PEERS_TAG-plugins" \
		--iptables=false --ip-forward=false --ip-masq=false
	peers_wait 30 /usr/bin/docker -H "unix://$PD/d.sock" version || {
		peers_log dockerd
		false
	}
	run timeout "$PEERS_TIMEOUT" /usr/bin/docker -H "unix://$PD/d.sock" load -i "$PD/to-dockerd.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Loaded image: busybox:latest"* && "$output" == *"Loaded image: foo/bar:1"* ]]
	# The same image ID on both daemons (the config is carried byte for byte).
	[ "$(/usr/bin/docker -H "unix://$PD/d.sock" images -q --no-trunc busybox)" = "$(docker images -q --no-trunc busybox)" ]
	# dockerd 20.10's own save (<v1 id>/layer.tar, uncompressed) loads into berthd.
	/usr/bin/docker -H "unix://$PD/d.sock" tag busybox from/dockerd:2
	/usr/bin/docker -H "unix://$PD/d.sock" save -o "$PD/from-dockerd.tar" from/dockerd:2
	run docker load -i "$PD/from-dockerd.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: from/dockerd:2" ]
	[ "$(docker images -q --no-trunc from/dockerd:2)" = "$(docker images -q --no-trunc busybox)" ]
	/usr/bin/docker -H "unix://$PD/d.sock" rmi -f busybox foo/bar:1 from/dockerd:2 >/dev/null
	peers_stop dockerd 30
	peers_stop containerd
}

@test "images: an archive without names loads as a dangling image" {
	skopeo copy -q "oci-archive:$PD/img.tar" "docker-archive:$PD/noname.tar"
	run docker load -i "$PD/noname.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == "Loaded image ID: sha256:"* ]]
	run api '/v1.41/images/json?filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D'
	[ "$(jq -r '.[0].RepoTags[0]' <<<"$output")" = "<none>:<none>" ]
	run docker images --format '{{.Repository}}:{{.Tag}}'
	[ "$output" = "<none>:<none>" ]
	run docker image prune -f
	[[ "$output" == *"deleted: sha256:"* ]]
	bd_store_empty "$BD"
}
