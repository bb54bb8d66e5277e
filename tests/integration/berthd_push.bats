#!/usr/bin/env bats
# tests/integration/berthd_push.bats: docker push through berthd (issue 7) to a private Debian
# docker-registry on 127.0.0.1 (plain HTTP): berthctl and both docker CLIs push; what was pushed
# is read back by skopeo (inspect, copy), pulled and run by a private dockerd 20.10 and pulled by
# a private containerd (ctr pull --plain-http). A second push finds its layers there, a push to
# another repository of the registry mounts them, a docker-archive image (uncompressed layers)
# goes up in PATCH chunks; unknown images and tags, docker.io (no internet here) and a dead
# registry are clear errors that change nothing in berthd.
#
# Two berthds: $BD (default chunk size: every blob in one PUT) and $BD2 (BERTHD_PUSH_CHUNK_SIZE
# small: blobs go up in chunks). Registries, daemons and containerd/dockerd are stopped by the
# PIDs recorded when started (peers_spawn, bd_start), failures included; all lives under $PD.

load helpers
load peers
load berthd_helpers

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_start NAME: a docker-registry with storage in $PD/NAME on 127.0.0.1; prints its port.
reg_start() {
	local name=$1 port i
	port=$(free_port)
	mkdir -p "$PD/$name"
	cat >"$PD/$name.yml" <<-YML
		version: 0.1
		log:
		  level: info
		storage:
		  filesystem:
		    rootdirectory: $PD/$name
		http:
		  addr: 127.0.0.1:$port
	YML
	peers_spawn "$name" docker-registry serve "$PD/$name.yml"
	for ((i = 0; i < 100; i++)); do
		curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { echo "$port"; return 0; }
		sleep 0.05
	done
	echo "docker-registry did not come up; its log:" >&2
	cat "$PD/$name.log" >&2
	return 1
}

CHUNK=65536

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	command -v docker-registry >/dev/null || {
		echo "setup_file: docker-registry is not installed (apt-get install docker-registry)" >&2
		return 1
	}
	peers_new push
	BD=$PD/bd
	BD2=$PD/bd2
	export BERTHD BERTHCTL BD BD2
	bd_start "$BD"
	BERTHD_PUSH_CHUNK_SIZE=$CHUNK bd_start "$BD2"
	REG=127.0.0.1:$(reg_start reg)
	export REG
	# The same busybox image as a docker-archive (uncompressed layer), as `docker save` writes.
	skopeo copy -q "oci-archive:$PD/img.tar" "docker-archive:$PD/img-docker.tar:arch/bb:v1" >&2
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	[[ -n ${BD2:-} ]] && bd_stop "$BD2"
	[[ -n ${PD:-} ]] && {
		peers_stop dockerd 30
		peers_stop containerd
		peers_stop reg
	}
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
	C=("$BERTHCTL" -H "unix://$BD/s.sock")
}

teardown() {
	DOCKER_HOST=unix://$BD/s.sock docker image prune -af >/dev/null 2>&1 || true
	DOCKER_HOST=unix://$BD2/s.sock docker image prune -af >/dev/null 2>&1 || true
	if [[ $BATS_TEST_COMPLETED != 1 ]]; then
		peers_log reg
	fi
	return 0
}

api() { # api [curl args...] PATH: against $BD
	local path=${*: -1}
	curl -s --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

# manifest_digest REF: sha256 of the manifest the registry serves for REF, as skopeo reads it.
manifest_digest() {
	echo "sha256:$(skopeo inspect --raw --tls-verify=false "docker://$1" | sha256sum | cut -d' ' -f1)"
}

@test "push: berthctl push of an OCI-layout image; skopeo reads and copies it back" {
	local d size
	"${C[@]}" load -q -i "$PD/img.tar" >/dev/null
	"${C[@]}" tag busybox "$REG/test/busybox:1"
	run "${C[@]}" push "$REG/test/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "The push refers to repository [$REG/test/busybox]" ]]
	[[ $output == *": Preparing"* && $output == *": Pushed"* ]]
	# The stored manifest went up byte for byte: the registry's digest is the image's.
	d=$(manifest_digest "$REG/test/busybox:1")
	size=$(skopeo inspect --raw --tls-verify=false "docker://$REG/test/busybox:1" | wc -c)
	[[ ${lines[-1]} == "1: digest: $d size: $size" ]]
	run skopeo inspect --tls-verify=false "docker://$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.Os + "/" + (.Layers | length | tostring)' <<<"$output")" = "linux/1" ]
	run skopeo inspect --raw --tls-verify=false "docker://$REG/test/busybox:1"
	[ "$(jq -r .mediaType <<<"$output")" = "application/vnd.oci.image.manifest.v1+json" ]
	# skopeo copy checks every blob's digest.
	run skopeo copy -q --src-tls-verify=false "docker://$REG/test/busybox:1" "oci:$PD/back:x"
	[ "$status" -eq 0 ]
	# The image now carries the digest reference, as dockerd's RepoDigests.
	run docker image inspect busybox --format '{{json .RepoDigests}}'
	[ "$output" = "[\"$REG/test/busybox@$d\"]" ]
	# docker's image event: actor the reference pushed, name its repository.
	run curl -sf --unix-socket "$BD/s.sock" \
		"http://x/events?since=0&until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22push%22%5D%7D"
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.Action == "push") | .Actor.ID + " " + .Actor.Attributes.name' <<<"$output" | tail -1)" = \
		"$REG/test/busybox:1 $REG/test/busybox" ]
}

@test "push: a second push finds every layer; another repository of the registry mounts them" {
	local d out
	docker load -q -i "$PD/img.tar" >/dev/null
	docker tag busybox "$REG/test/busybox:2"
	run "${C[@]}" push "$REG/test/busybox:2"
	[ "$status" -eq 0 ]
	d=$(manifest_digest "$REG/test/busybox:2")
	# Again, through the API: docker's JSON lines, the aux object last.
	out=$(api -X POST -H 'X-Registry-Auth: e30=' "/v1.41/images/$REG/test/busybox/push?tag=2")
	echo "$out"
	[ "$(jq -sc '[.[] | select(.status == "Layer already exists")] | length' <<<"$out")" = 1 ]
	[ "$(jq -sc '[.[] | select(.status == "Pushed" or .status == "Pushing")] | length' <<<"$out")" = 0 ]
	[ "$(jq -sc '.[-1]' <<<"$out")" = "{\"progressDetail\":{},\"aux\":{\"Tag\":\"2\",\"Digest\":\"$d\",\"Size\":$(skopeo inspect --raw --tls-verify=false "docker://$REG/test/busybox:2" | wc -c)}}" ]
	[ "$(jq -sc '.[0]' <<<"$out")" = "{\"status\":\"The push refers to repository [$REG/test/busybox]\"}" ]
	# Another repository: the layer is mounted from test/busybox, not uploaded again.
	docker tag busybox "$REG/other/bb:1"
	run "${C[@]}" push "$REG/other/bb:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *": Mounted from test/busybox"* ]]
	[[ $output != *": Pushed"* ]]
	[ "$(manifest_digest "$REG/other/bb:1")" = "$d" ]
	run skopeo copy -q --src-tls-verify=false "docker://$REG/other/bb:1" "oci:$PD/back2:x"
	[ "$status" -eq 0 ]
	# Without digest references the tags are tried, in order: a repository that does not hold
	# the layer (aaa/ghost answers 202, a plain upload session) is passed over and its session
	# cancelled; the next one mounts.
	docker rmi "$REG/test/busybox@$d" "$REG/other/bb@$d" >/dev/null
	docker tag busybox "$REG/aaa/ghost:1"
	docker tag busybox "$REG/zzz/new:1"
	run "${C[@]}" push "$REG/zzz/new:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *": Mounted from other/bb"* ]]
	grep -q '"POST /v2/zzz/new/blobs/uploads/?mount=sha256%3A[0-9a-f]*&from=aaa/ghost HTTP/1.1" 202' "$PD/reg.log"
	grep -q '"DELETE /v2/zzz/new/blobs/uploads/[^ ]* HTTP/1.1" 204' "$PD/reg.log"
	# The progress is streamed (chunked), as the API glue sends it while the push runs.
	api -D "$PD/push-headers" -o /dev/null -X POST "/v1.41/images/$REG/zzz/new/push?tag=1"
	grep -qi '^Transfer-Encoding: chunked' "$PD/push-headers"
}

@test "push: the docker 20.10 and docker 28 CLIs push through berthd" {
	local cli tag
	docker load -q -i "$PD/img.tar" >/dev/null
	for cli in /usr/bin/docker /usr/local/bin/docker; do
		[[ -x $cli ]] || continue
		tag=v$("$cli" version --format '{{.Client.Version}}' | cut -d. -f1)
		"$cli" tag busybox "$REG/cli/bb:$tag"
		run timeout 60 "$cli" push "$REG/cli/bb:$tag"
		echo "$cli: $output"
		[ "$status" -eq 0 ]
		[[ $output == *"The push refers to repository [$REG/cli/bb]"* ]]
		[[ $output == *"$tag: digest: sha256:"*" size: "* ]]
		run skopeo inspect --tls-verify=false "docker://$REG/cli/bb:$tag"
		[ "$status" -eq 0 ]
	done
	# docker push -a (no tag in the request): every tag of the repository.
	docker tag busybox "$REG/cli/bb:all"
	run timeout 60 /usr/bin/docker push -a "$REG/cli/bb"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"all: digest: "* && $output == *"v20: digest: "* ]]
}

@test "push: a docker-archive image (uncompressed layer) goes up in PATCH chunks" {
	local out layer_size n d
	export DOCKER_HOST=unix://$BD2/s.sock
	docker load -q -i "$PD/img-docker.tar" >/dev/null
	docker tag arch/bb:v1 "$REG/arch/bb:v1"
	out=$(curl -s --unix-socket "$BD2/s.sock" -X POST "http://localhost/v1.41/images/$REG/arch/bb/push?tag=v1")
	echo "$out"
	[ "$(jq -sc '[.[] | select(.status == "Pushed")] | length' <<<"$out")" = 1 ]
	[ "$(jq -sc '[.[] | select(has("error"))] | length' <<<"$out")" = 0 ]
	run skopeo inspect --raw --tls-verify=false "docker://$REG/arch/bb:v1"
	[ "$(jq -r '.mediaType' <<<"$output")" = "application/vnd.docker.distribution.manifest.v2+json" ]
	[ "$(jq -r '.layers[0].mediaType' <<<"$output")" = "application/vnd.docker.image.rootfs.diff.tar" ]
	layer_size=$(jq -r '.layers[0].size' <<<"$output")
	# One "Pushing" line per PATCH: ceil(size / chunk), the last one at the full size.
	n=$(jq -s '[.[] | select(.status == "Pushing")] | length' <<<"$out")
	[ "$n" -eq $(((layer_size + CHUNK - 1) / CHUNK)) ]
	[ "$n" -gt 1 ]
	[ "$(jq -sc '[.[] | select(.status == "Pushing")][-1].progressDetail' <<<"$out")" = "{\"current\":$layer_size,\"total\":$layer_size}" ]
	# The registry saw PATCH requests with Content-Range (its access log).
	grep -q '"PATCH /v2/arch/bb/blobs/uploads/' "$PD/reg.log"
	d=$(manifest_digest "$REG/arch/bb:v1")
	[[ $out == *"v1: digest: $d size: "* ]]
	run skopeo copy -q --src-tls-verify=false "docker://$REG/arch/bb:v1" "oci:$PD/back3:x"
	[ "$status" -eq 0 ]
}

@test "push: a private dockerd 20.10 pulls both pushed images and runs true in them" {
	peers_need dockerd /usr/bin/docker containerd
	docker load -q -i "$PD/img.tar" >/dev/null
	docker tag busybox "$REG/peer/oci:1"
	run "${C[@]}" push "$REG/peer/oci:1"
	[ "$status" -eq 0 ]
	DOCKER_HOST=unix://$BD2/s.sock docker load -q -i "$PD/img-docker.tar" >/dev/null
	DOCKER_HOST=unix://$BD2/s.sock docker tag arch/bb:v1 "$REG/peer/arch:1"
	run "$BERTHCTL" -H "unix://$BD2/s.sock" push "$REG/peer/arch:1"
	[ "$status" -eq 0 ]
	containerd_start "$PD/ctd2"
	printf '{"deprecated-key-path": "%s/key.json"}\n' "$PD" >"$PD/dockerd.json"
	# In the host's network namespace (it must reach the registry on 127.0.0.1), so with no
	# bridge and no iptables rules or sysctls: nothing of the host's network is touched.
	peers_spawn dockerd dockerd \
		--config-file "$PD/dockerd.json" --data-root "$PD/ddata" --exec-root "$PD/dexec" \
		-H "unix://$PD/d.sock" --pidfile "$PD/d.pid" \
		--containerd "$PD/ctd2/c.sock" --containerd-namespace "$PEERS_TAG" \
		--containerd-plugins-namespace "$PEERS_TAG-plugins" --bridge none \
		--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
		--cgroup-parent "/$PEERS_TAG"
	peers_wait 30 /usr/bin/docker -H "unix://$PD/d.sock" version || {
		peers_log dockerd
		false
	}
	# dockerd 20.10 treats 127.0.0.0/8 as insecure: plain HTTP.
	for img in "$REG/peer/oci:1" "$REG/peer/arch:1"; do
		run timeout "$PEERS_TIMEOUT" /usr/bin/docker -H "unix://$PD/d.sock" pull "$img"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output == *"Status: Downloaded newer image for $img"* ]]
		run timeout "$PEERS_TIMEOUT" /usr/bin/docker -H "unix://$PD/d.sock" run --rm --network none "$img" true
		echo "$output"
		[ "$status" -eq 0 ]
	done
	# Same image ID on both sides: the config went up byte for byte.
	[ "$(/usr/bin/docker -H "unix://$PD/d.sock" images -q --no-trunc "$REG/peer/oci:1")" = "$(docker images -q --no-trunc busybox)" ]
	/usr/bin/docker -H "unix://$PD/d.sock" rmi "$REG/peer/oci:1" "$REG/peer/arch:1" >/dev/null
	peers_stop dockerd 30
	peers_stop containerd
}

@test "push: a private containerd pulls what berthd pushed (ctr pull --plain-http)" {
	peers_need ctr containerd
	docker load -q -i "$PD/img.tar" >/dev/null
	docker tag busybox "$REG/peer/ctr:1"
	run "${C[@]}" push "$REG/peer/ctr:1"
	[ "$status" -eq 0 ]
	containerd_start "$PD/ctd"
	run timeout "$PEERS_TIMEOUT" ctr -a "$PD/ctd/c.sock" -n berthtest images pull --plain-http "$REG/peer/ctr:1"
	echo "$output"
	[ "$status" -eq 0 ]
	run ctr -a "$PD/ctd/c.sock" -n berthtest images check
	echo "$output"
	[[ $output == *"$REG/peer/ctr:1"*"complete"* ]]
	# containerd names the same manifest digest the registry gave berthd.
	[ "$(ctr -a "$PD/ctd/c.sock" -n berthtest images ls | awk -v r="$REG/peer/ctr:1" '$1 == r {print $3}')" = "$(manifest_digest "$REG/peer/ctr:1")" ]
	ctr -a "$PD/ctd/c.sock" -n berthtest images rm "$REG/peer/ctr:1" >/dev/null
	peers_stop containerd
}

@test "push: unknown image, unknown tag, docker.io and a dead registry are errors that change nothing" {
	local before port
	docker load -q -i "$PD/img.tar" >/dev/null
	docker tag busybox "$REG/err/bb:1"
	before=$(docker image inspect busybox --format '{{json .RepoTags}} {{json .RepoDigests}}')
	# An unknown repository: 404 with dockerd's words, before any progress.
	run api -w '\n%{http_code}' -X POST "/v1.41/images/$REG/nope/push?tag=1"
	[ "${lines[-1]}" = 404 ]
	[ "${lines[0]}" = "{\"message\":\"An image does not exist locally with the tag: $REG/nope\"}" ]
	run docker push "$REG/nope:1"
	[ "$status" -ne 0 ]
	[[ $output == *"An image does not exist locally with the tag: $REG/nope"* ]]
	run "${C[@]}" push "$REG/nope:1"
	[ "$status" -eq 1 ]
	[[ $output == *"An image does not exist locally with the tag: $REG/nope"* ]]
	# A known repository, unknown tag.
	run "${C[@]}" push "$REG/err/bb:2"
	[ "$status" -eq 1 ]
	[[ $output == *"tag does not exist: $REG/err/bb:2"* ]]
	# docker.io: reached as pull reaches it (verified HTTPS to registry-1.docker.io, never a
	# mirror); this host has no internet (and no credentials), so the stream ends in an error.
	run api -w '\n%{http_code}' -X POST "/v1.41/images/busybox/push?tag=latest"
	echo "$output"
	[ "${lines[-1]}" = 200 ]
	[ "${lines[0]}" = '{"status":"The push refers to repository [docker.io/library/busybox]"}' ]
	[[ ${lines[-2]} == '{"errorDetail":'* ]]
	# A registry that is not there: the stream ends in an error line; no digest reference added.
	port=$(free_port)
	docker tag busybox "127.0.0.1:$port/dead/bb:1"
	run docker push "127.0.0.1:$port/dead/bb:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"127.0.0.1:$port"* ]]
	docker rmi "127.0.0.1:$port/dead/bb:1" >/dev/null
	[ "$(docker image inspect busybox --format '{{json .RepoTags}} {{json .RepoDigests}}')" = "$before" ]
	# Nothing of the failed pushes is in the registry.
	run curl -s "http://$REG/v2/_catalog"
	[[ $output != *nope* && $output != *err/bb* ]]
	docker rmi "$REG/err/bb:1" >/dev/null
}

@test "push: a blob whose stored bytes no longer match its digest is refused, the upload cancelled" {
	local blob
	export DOCKER_HOST=unix://$BD2/s.sock
	docker load -q -i "$PD/img-docker.tar" >/dev/null
	docker tag arch/bb:v1 "$REG/corrupt/bb:1"
	# Flip one byte of the stored layer blob (the uncompressed tar, as loaded).
	blob=$(ls -S "$BD2/data/content/blobs/sha256" | head -1)
	python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(1000); b = f.read(1); f.seek(1000); f.write(bytes([b[0] ^ 0xff]))' "$BD2/data/content/blobs/sha256/$blob"
	run "$BERTHCTL" -H "unix://$BD2/s.sock" push "$REG/corrupt/bb:1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"blob sha256:$blob: the stored content hashes to sha256:"* ]]
	# No manifest went up, and the upload session was cancelled before its closing PUT.
	run curl -s -o /dev/null -w '%{http_code}' "http://$REG/v2/corrupt/bb/manifests/1"
	[ "$output" = 404 ]
	grep -q '"DELETE /v2/corrupt/bb/blobs/uploads/[^ ]* HTTP/1.1" 204' "$PD/reg.log"
	run grep -c '"PUT /v2/corrupt/bb/blobs/uploads/[^ ]*digest=' "$PD/reg.log"
	[ "$output" = 0 ]
	docker rmi -f arch/bb:v1 "$REG/corrupt/bb:1" >/dev/null
}
