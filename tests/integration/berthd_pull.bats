#!/usr/bin/env bats
# tests/integration/berthd_pull.bats: docker pull through berthd (issue 7's registry client, its
# first slice): a private Debian docker-registry on 127.0.0.1 (plain HTTP) holding what skopeo
# pushed; docker pull and berthctl pull, images, inspect's RepoDigests, an index resolved to this
# host's manifest; an unknown tag, an unreachable registry and a registry serving a corrupted blob
# are clear errors that leave no image, blob, snapshot or ingest.
#
# The registries and berthd are stopped by the PIDs recorded when started (peers_spawn and
# bd_start), failures included; everything lives under $PD.

load helpers
load peers
load berthd_helpers

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_start NAME: a docker-registry with storage in $PD/NAME, listening on 127.0.0.1; prints
# its port.
reg_start() {
	local name=$1 port i
	port=$(free_port)
	mkdir -p "$PD/$name"
	cat >"$PD/$name.yml" <<-YML
		version: 0.1
		log:
		  level: warn
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
	peers_new pull
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	REG=127.0.0.1:$(reg_start reg)
	export REG
	skopeo copy -q --dest-tls-verify=false "oci-archive:$PD/img.tar" "docker://$REG/test/busybox:1" >&2
	# The manifest digest as the registry names it.
	MD=$(curl -sfI -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
		"http://$REG/v2/test/busybox/manifests/1" | tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p')
	[[ $MD == sha256:* ]] || { echo "setup_file: no manifest digest from the registry" >&2; return 1; }
	export MD
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	[[ -n ${PD:-} ]] && { peers_stop reg; peers_stop badreg; }
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
}

teardown() {
	docker image prune -af >/dev/null 2>&1 || true
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -s --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

@test "pull: docker pull from a plain-HTTP registry on 127.0.0.1, then images and inspect" {
	run docker pull "$REG/test/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"1: Pulling from test/busybox"* ]]
	[[ $output == *"Digest: $MD"* ]]
	[[ $output == *"Status: Downloaded newer image for $REG/test/busybox:1"* ]]
	run docker images --format '{{.Repository}}:{{.Tag}} {{.Digest}}'
	[ "$output" = "$REG/test/busybox:1 $MD" ]
	run docker image inspect "$REG/test/busybox:1" --format '{{json .RepoDigests}} {{.Os}} {{len .RootFS.Layers}}'
	[ "$output" = "[\"$REG/test/busybox@$MD\"] linux 1" ]
	# Untagging the last tag drops the repository's digest reference too, as dockerd.
	run docker rmi "$REG/test/busybox:1"
	[ "$status" -eq 0 ]
	[[ $output == *"Untagged: $REG/test/busybox@$MD"* && $output == *Deleted:* ]]
	bd_store_empty "$BD"
}

@test "pull: berthctl pull, and the image is usable by digest" {
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$REG/test/busybox:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Digest: $MD"* ]]
	run "$BERTHCTL" -H "unix://$BD/s.sock" images
	[[ $output == *"$REG/test/busybox"*" 1 "* ]]
	run docker image inspect "$REG/test/busybox@$MD" --format '{{json .RepoTags}}'
	[ "$output" = "[\"$REG/test/busybox:1\"]" ]
}

@test "pull: an index resolves to this host's manifest; RepoDigests names the index" {
	local arch size idx id
	arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
	size=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/test/busybox/manifests/$MD" | wc -c)
	idx=$(jq -cn --arg d "$MD" --argjson s "$size" --arg a "$arch" '{schemaVersion: 2,
		mediaType: "application/vnd.oci.image.index.v1+json",
		manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
		             platform: {os: "linux", architecture: "s390x"}},
		            {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
		             platform: {os: "linux", architecture: $a}}]}')
	curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.index.v1+json' --data-binary "$idx" \
		"http://$REG/v2/test/busybox/manifests/multi"
	id=$(printf '%s' "$idx" | sha256sum | cut -d' ' -f1)
	run docker pull "$REG/test/busybox:multi"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Digest: sha256:$id"* ]]
	run docker image inspect "$REG/test/busybox:multi" --format '{{json .RepoDigests}}'
	[ "$output" = "[\"$REG/test/busybox@sha256:$id\"]" ]
}

@test "pull: an unknown tag is docker's 'manifest unknown' and leaves nothing" {
	run docker pull "$REG/test/busybox:nope"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"manifest for $REG/test/busybox:nope not found: manifest unknown"* ]]
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$REG/test/nothere:1"
	[ "$status" -ne 0 ]
	[[ $output == *"not found: "* ]]
	bd_store_empty "$BD"
}

@test "pull: an unreachable registry is an error naming it, and leaves nothing" {
	local port
	port=$(free_port) # nothing listens there
	run docker pull "127.0.0.1:$port/berth/none:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Get \"http"*"://127.0.0.1:$port/v2/\": "*"onnect"* ]]
	bd_store_empty "$BD"
}

@test "pull: a corrupted blob is a digest mismatch and leaves nothing" {
	local port layer hex f
	port=$(reg_start badreg)
	skopeo copy -q --dest-tls-verify=false "oci-archive:$PD/img.tar" "docker://127.0.0.1:$port/test/bad:1" >&2
	layer=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://127.0.0.1:$port/v2/test/bad/manifests/1" | jq -r '.layers[0].digest')
	hex=${layer#sha256:}
	f=$PD/badreg/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
	[ -f "$f" ]
	printf 'X' | dd of="$f" bs=1 seek=100 conv=notrunc 2>/dev/null
	run docker pull "127.0.0.1:$port/test/bad:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"filesystem layer verification failed for digest $layer: digest mismatch"* ]]
	bd_store_empty "$BD"
	peers_stop badreg
}
