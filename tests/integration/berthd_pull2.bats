#!/usr/bin/env bats
# tests/integration/berthd_pull2.bats: berthd's pull pipeline (issue 7): progress streamed while
# the pull runs, parallel layer downloads bounded by max-concurrent-downloads, gzip, zstd and
# uncompressed layers, --platform from an index, "Image is up to date", a client that hangs up
# cancels the pull, kill -9 mid-pull then restart, a corrupt layer among good ones; and docker
# import (POST /images/create?fromSrc=-).
#
# Peers: a private docker-registry on 127.0.0.1 filled by skopeo from layouts that
# tests/helpers/mklayers.py makes, and tests/helpers/slowrelay.py in front of it (slow blob
# bodies, a log of concurrent blob requests). Every registry, relay and berthd is stopped by
# the PID recorded when it was started (peers_spawn, bd_start), failures included.

load helpers
load peers
load berthd_helpers

PY=/usr/bin/python3

free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_start NAME: a docker-registry with storage in $PD/NAME; prints its port.
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
	cat "$PD/$name.log" >&2
	return 1
}

# relay_start NAME RATE: a slowrelay.py in front of the registry; prints its port. Its log of
# blob requests is $PD/NAME.requests.
relay_start() {
	local name=$1 rate=$2 i
	rm -f "$PD/$name.port" "$PD/$name.requests"
	peers_spawn "$name" $PY "$IT_HELPERS/slowrelay.py" "${REG#*:}" "$PD/$name.port" \
		"$PD/$name.requests" "$rate"
	for ((i = 0; i < 100; i++)); do
		[[ -s $PD/$name.port ]] && { cat "$PD/$name.port"; return 0; }
		sleep 0.05
	done
	cat "$PD/$name.log" >&2
	return 1
}

# push LAYOUT_DIR REPO:TAG [--all]
push() {
	skopeo copy -q ${3:-} --dest-tls-verify=false "oci:$1" "docker://$REG/$2" >&2
}

setup_file() {
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	local t
	for t in docker-registry skopeo zstd; do
		command -v $t >/dev/null || {
			echo "setup_file: $t is not installed (contrib/install-deps.sh)" >&2
			return 1
		}
	done
	peers_new pull2
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	REG=127.0.0.1:$(reg_start reg)
	export REG
	# four layers, ~1 MiB each on the wire: gzip, zstd, uncompressed, gzip
	$PY "$IT_HELPERS/mklayers.py" --seed 1 "$PD/mixed" gzip:2M zstd:2M none:1M gzip:2M
	push "$PD/mixed" t/mixed:1
	# one layer of 6 MiB (3 MiB on the wire), for the slow pulls
	$PY "$IT_HELPERS/mklayers.py" --seed 2 "$PD/big" gzip:6M
	push "$PD/big" t/big:1
	# three platforms in one index
	$PY "$IT_HELPERS/mklayers.py" --seed 3 --platforms linux/amd64,linux/arm64,linux/arm/v7 \
		"$PD/multi" gzip:10k
	push "$PD/multi" t/multi:1 --all
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	if [[ -n ${PD:-} ]]; then
		local n
		for n in reg relay relay2 relay3 relay4 flaky; do peers_stop "$n"; done
	fi
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
}

teardown() {
	docker image prune -af >/dev/null 2>&1 || true
	# A second daemon a test started (stopped by its recorded PID), also when the test failed.
	if [[ -d $PD/bd2 ]]; then
		bd_stop "$PD/bd2"
		rm -rf "$PD/bd2"
	fi
}

api() { # api [curl args...] PATH
	local path=${*: -1}
	curl -s --unix-socket "$BD/s.sock" "${@:1:$#-1}" "http://localhost$path"
}

@test "pull2: progress lines arrive while the pull runs, in dockerd's order and shapes" {
	local port out=$PD/live.out pid i
	port=$(relay_start relay 1000000)
	curl -sN --unix-socket "$BD/s.sock" -X POST \
		"http://localhost/v1.41/images/create?fromImage=127.0.0.1:$port/t/mixed&tag=1" >"$out" &
	pid=$!
	# A Downloading line shows up while curl still waits for the rest.
	for ((i = 0; i < 100; i++)); do
		grep -q '"Downloading"' "$out" && break
		sleep 0.05
	done
	grep -q '"Downloading"' "$out"
	kill -0 "$pid"
	! grep -q 'Status: ' "$out"
	wait "$pid"
	cat "$out"
	head -1 "$out" | grep -qx '{"status":"Pulling from t/mixed","id":"1"}'
	grep -q '{"status":"Pulling fs layer","progressDetail":{},"id":"[0-9a-f]\{12\}"}' "$out"
	grep -q '"status":"Downloading","progressDetail":{"current":[0-9]*,"total":[0-9]*},"progress":"\[=*>' "$out"
	grep -q '"status":"Verifying Checksum"' "$out"
	grep -q '"status":"Download complete"' "$out"
	grep -q '"status":"Pull complete"' "$out"
	[ "$(grep -c '"Pull complete"' "$out")" -eq 4 ]
	# Three slots for four layers: the fourth waits.
	[ "$(grep -c '"Waiting"' "$out")" -eq 1 ]
	tail -1 "$out" | grep -qx "{\"status\":\"Status: Downloaded newer image for 127.0.0.1:$port/t/mixed:1\"}"
	# The per-layer order for every layer.
	for id in $(sed -n 's/.*"Pulling fs layer".*"id":"\([0-9a-f]*\)".*/\1/p' "$out"); do
		run sh -c "grep '\"id\":\"$id\"' '$out' | sed 's/.*\"status\":\"\([^\"]*\)\".*/\1/' | uniq | tr '\n' ,"
		[[ $output == "Pulling fs layer,"*"Downloading,Verifying Checksum,Download complete,"*"Pull complete," ]]
	done
	peers_stop relay
}

@test "pull2: layers download in parallel, up to max-concurrent-downloads" {
	local port max
	port=$(relay_start relay 2000000)
	run docker pull "127.0.0.1:$port/t/mixed:1"
	echo "$output"
	[ "$status" -eq 0 ]
	max=$(awk '$1 == "start" && $3 > m { m = $3 } END { print m + 0 }' "$PD/relay.requests")
	cat "$PD/relay.requests"
	[ "$max" -eq 3 ]
	docker rmi "127.0.0.1:$port/t/mixed:1"
	bd_store_empty "$BD"
	# One at a time with --max-concurrent-downloads 1.
	: >"$PD/relay.requests"
	bd_start "$PD/bd2" --max-concurrent-downloads 1
	run "$BERTHCTL" -H "unix://$PD/bd2/s.sock" pull "127.0.0.1:$port/t/mixed:1"
	echo "$output"
	[ "$status" -eq 0 ]
	max=$(awk '$1 == "start" && $3 > m { m = $3 } END { print m + 0 }' "$PD/relay.requests")
	[ "$max" -eq 1 ]
	[[ $output == *"Waiting"* ]]
	bd_stop "$PD/bd2"
	rm -rf "$PD/bd2"
	peers_stop relay
}

@test "pull2: berthctl pull on a terminal rewrites each layer's line in place" {
	local port
	port=$(relay_start relay 2000000)
	# script(1) gives berthctl a terminal; its output is what the terminal got.
	run script -qec "'$BERTHCTL' -H 'unix://$BD/s.sock' pull 127.0.0.1:$port/t/mixed:1" /dev/null
	echo "$output" | cat -v
	[ "$status" -eq 0 ]
	# cursor up N, to column 0, clear the line, the layer's status with its bar, back down N
	# (supervisor/ctl/progress.c, shared with push)
	[[ $output == *$'\e['[1-4]$'A\r\e[2K'[0-9a-f]*': Downloading ['*'MB'*$'\r\e['[1-4]'B'* ]]
	[[ $output == *"Status: Downloaded newer image for 127.0.0.1:$port/t/mixed:1"* ]]
	docker rmi "127.0.0.1:$port/t/mixed:1"
	peers_stop relay
}

@test "pull2: gzip, zstd and uncompressed layers unpack; a second pull is up to date" {
	local data
	run docker pull "$REG/t/mixed:1"
	echo "$output"
	[ "$status" -eq 0 ]
	run docker image inspect "$REG/t/mixed:1" --format '{{len .RootFS.Layers}}'
	[ "$output" = 4 ]
	for i in 0 1 2 3; do
		data=$(ls "$BD"/data/snapshots/*/fs/l$i/data)
		[ -f "$data" ]
	done
	[ "$(stat -c %s "$(ls "$BD"/data/snapshots/*/fs/l1/data)")" -eq $((2 << 20)) ]
	[ "$(stat -c %s "$(ls "$BD"/data/snapshots/*/fs/l2/data)")" -eq $((1 << 20)) ]
	run docker pull "$REG/t/mixed:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Image is up to date for $REG/t/mixed:1"* ]]
	[[ $output != *"Pull complete"* ]]
	# Another tag of the same image is "Downloaded newer image", fetching nothing.
	skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "docker://$REG/t/mixed:1" "docker://$REG/t/mixed:2"
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull "$REG/t/mixed:2"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image for $REG/t/mixed:2"* ]]
	docker rmi "$REG/t/mixed:1" "$REG/t/mixed:2"
	bd_store_empty "$BD"
}

@test "pull2: a layer shared with a stored image is 'Already exists'" {
	$PY "$IT_HELPERS/mklayers.py" --seed 1 "$PD/more" gzip:2M zstd:2M none:1M gzip:2M gzip:100k
	push "$PD/more" t/more:1
	docker pull "$REG/t/mixed:1"
	run docker pull "$REG/t/more:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'Already exists' <<<"$output")" -eq 4 ]
	[ "$(grep -c 'Pull complete' <<<"$output")" -eq 1 ]
	docker rmi "$REG/t/mixed:1" "$REG/t/more:1"
	bd_store_empty "$BD"
}

@test "pull2: --platform picks from an index (names normalised); a mismatch is dockerd's message" {
	local d28=/usr/local/bin/docker
	run "$BERTHCTL" -H "unix://$BD/s.sock" pull --platform linux/aarch64 "$REG/t/multi:1"
	echo "$output"
	[ "$status" -eq 0 ]
	run docker image inspect "$REG/t/multi:1" --format '{{.Os}}/{{.Architecture}}'
	[ "$output" = linux/arm64 ]
	run api -X POST "/v1.41/images/create?fromImage=$REG/t/multi&tag=1&platform=linux/armhf"
	[[ $output == *"Status: Downloaded newer image"* ]]
	run docker image inspect "$REG/t/multi:1" --format '{{.Architecture}} {{.Variant}}'
	[ "$output" = "arm v7" ]
	if [[ -x $d28 ]]; then
		run "$d28" pull --platform linux/x86_64 "$REG/t/multi:1"
		echo "$output"
		[ "$status" -eq 0 ]
		run docker image inspect "$REG/t/multi:1" --format '{{.Architecture}}'
		[ "$output" = amd64 ]
	fi
	run docker pull --platform linux/s390x "$REG/t/multi:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"no matching manifest for linux/s390x in the manifest list entries"* ]]
	run api -X POST "/v1.41/images/create?fromImage=$REG/t/multi&tag=1&platform=linux/"
	[[ $output == *'"message"'*'invalid platform component'* ]]
	docker image prune -af
	bd_store_empty "$BD"
}

@test "pull2: images, another pull and a prune go on during a slow pull, which still completes" {
	local port out=$PD/slow.out pid i
	port=$(relay_start relay2 500000)
	curl -sN --unix-socket "$BD/s.sock" -X POST \
		"http://localhost/v1.41/images/create?fromImage=127.0.0.1:$port/t/big&tag=1" >"$out" &
	pid=$!
	for ((i = 0; i < 100; i++)); do
		grep -q '"Downloading"' "$out" && break
		sleep 0.05
	done
	grep -q '"Downloading"' "$out"
	run timeout 3 docker images
	[ "$status" -eq 0 ]
	run timeout 20 docker pull "$REG/t/mixed:1"
	echo "$output"
	[ "$status" -eq 0 ]
	# The collector runs now, and must leave the slow pull's blobs and snapshots alone.
	run docker image prune -af
	[ "$status" -eq 0 ]
	[[ $output == *"t/mixed:1"* ]]
	kill -0 "$pid"
	wait "$pid"
	cat "$out"
	tail -1 "$out" | grep -q "Status: Downloaded newer image for 127.0.0.1:$port/t/big:1"
	run docker image inspect "127.0.0.1:$port/t/big:1" --format '{{len .RootFS.Layers}}'
	[ "$output" = 1 ]
	[ -f "$(ls "$BD"/data/snapshots/*/fs/l0/data)" ]
	docker rmi "127.0.0.1:$port/t/big:1"
	bd_store_empty "$BD"
	peers_stop relay2
}

@test "pull2: a client that hangs up mid-pull cancels it; nothing is left" {
	local port i
	port=$(relay_start relay3 300000)
	run curl -sN --max-time 2 --unix-socket "$BD/s.sock" -X POST \
		"http://localhost/v1.41/images/create?fromImage=127.0.0.1:$port/t/big&tag=1"
	[[ $output == *'"Downloading"'* ]]
	[[ $output != *"Status: "* ]]
	# berthd drops the registry connection (the relay logs the end) and cleans up, long before
	# the 3 MiB blob would be through at 300 kB/s.
	for ((i = 0; i < 40; i++)); do
		[ "$(grep -c '^end ' "$PD/relay3.requests")" -eq "$(grep -c '^start ' "$PD/relay3.requests")" ] \
			&& [ -z "$(ls -A "$BD/data/content/ingest")" ] && break
		sleep 0.1
	done
	cat "$PD/relay3.requests"
	[ "$(grep -c '^end ' "$PD/relay3.requests")" -eq "$(grep -c '^start ' "$PD/relay3.requests")" ]
	bd_store_empty "$BD"
	# The image service is free again: a pull works.
	run docker pull "$REG/t/big:1"
	[ "$status" -eq 0 ]
	peers_stop relay3
}

@test "pull2: kill -9 of berthd mid-download, restart: consistent store, a second pull succeeds" {
	local port i
	port=$(relay_start relay4 300000)
	bd_start "$PD/bd2"
	curl -sN --unix-socket "$PD/bd2/s.sock" -X POST \
		"http://localhost/v1.41/images/create?fromImage=127.0.0.1:$port/t/big&tag=1" >"$PD/k.out" 2>&1 &
	# Wait for the big layer's ingest to hold some bytes.
	for ((i = 0; i < 100; i++)); do
		[ -n "$(find "$PD/bd2/data/content/ingest" -type f -size +100k 2>/dev/null)" ] && break
		sleep 0.1
	done
	[ -n "$(find "$PD/bd2/data/content/ingest" -type f -size +100k)" ]
	bd_stop "$PD/bd2" KILL
	wait || true
	bd_start "$PD/bd2"
	[ -z "$(ls -A "$PD/bd2/data/content/ingest")" ]
	[ -z "$(ls -A "$PD/bd2/data/snapshots")" ]
	[ "$(curl -s --unix-socket "$PD/bd2/s.sock" http://localhost/v1.41/images/json)" = "[]" ]
	run "$BERTHCTL" -H "unix://$PD/bd2/s.sock" pull "$REG/t/big:1"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Status: Downloaded newer image"* ]]
	"$BERTHCTL" -H "unix://$PD/bd2/s.sock" rmi "$REG/t/big:1"
	bd_store_empty "$PD/bd2"
	bd_stop "$PD/bd2"
	rm -rf "$PD/bd2"
	peers_stop relay4
}

@test "pull2: a corrupt layer among good ones is a clear error and leaves nothing" {
	local layer hex f
	$PY "$IT_HELPERS/mklayers.py" --seed 4 "$PD/bad" gzip:1M gzip:2M zstd:1M
	push "$PD/bad" t/bad:1
	layer=$(jq -r '.layers[1].digest' "$PD/bad/blobs/sha256/$(jq -r '.manifests[0].digest' "$PD/bad/index.json" | cut -d: -f2)")
	hex=${layer#sha256:}
	f=$PD/reg/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data
	[ -f "$f" ]
	printf 'XXXX' | dd of="$f" bs=1 seek=5000 conv=notrunc 2>/dev/null
	run docker pull "$REG/t/bad:1"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"filesystem layer verification failed for digest $layer: digest mismatch"* ]]
	bd_store_empty "$BD"
}

# A small rootfs tar (gzip'd when $2 is gz).
mkrootfs() {
	mkdir -p "$PD/rootfs/etc" "$PD/rootfs/srv"
	echo imported >"$PD/rootfs/etc/hello"
	if [[ ${2:-} == gz ]]; then
		tar -C "$PD/rootfs" -czf "$1" .
	else
		tar -C "$PD/rootfs" -cf "$1" .
	fi
}

@test "pull2: import from a file, from stdin (both docker CLIs and berthctl), with changes" {
	local id d28=/usr/local/bin/docker
	mkrootfs "$PD/r.tgz" gz
	mkrootfs "$PD/r.tar"
	run "$BERTHCTL" -H "unix://$BD/s.sock" import -m "from berthctl" \
		-c 'CMD ["/bin/sh", "-c", "cat /etc/hello"]' -c 'ENV A=1 B="two words"' \
		-c 'WORKDIR /srv' -c 'USER nobody' -c 'EXPOSE 8080' -c 'LABEL k=v' \
		-c 'VOLUME /data' -c 'ENTRYPOINT ["/bin/env"]' -c 'STOPSIGNAL SIGINT' \
		"$PD/r.tgz" test/imp:1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
	id=$output
	run docker image inspect test/imp:1 --format '{{.Id}}|{{json .Config.Cmd}}|{{json .Config.Env}}|{{.Config.WorkingDir}}|{{.Config.User}}|{{json .Config.ExposedPorts}}|{{json .Config.Labels}}|{{json .Config.Volumes}}|{{json .Config.Entrypoint}}|{{.Config.StopSignal}}|{{.Comment}}|{{len .RootFS.Layers}}'
	echo "$output"
	[ "$output" = "$id|[\"/bin/sh\",\"-c\",\"cat /etc/hello\"]|[\"A=1\",\"B=two words\"]|/srv|nobody|{\"8080/tcp\":{}}|{\"k\":\"v\"}|{\"/data\":{}}|[\"/bin/env\"]|SIGINT|from berthctl|1" ]
	run docker history --format '{{.Comment}}' test/imp:1
	[ "$output" = "from berthctl" ]
	[ -f "$(ls "$BD"/data/snapshots/*/fs/etc/hello)" ]
	# stdin, uncompressed, through docker 20.10; the default message
	run sh -c "docker import - test/imp:2 <'$PD/r.tar'"
	echo "$output"
	[ "$status" -eq 0 ]
	run docker history --format '{{.Comment}}' test/imp:2
	[ "$output" = "Imported from -" ]
	run sh -c "'$BERTHCTL' -H 'unix://$BD/s.sock' import - test/imp:3 <'$PD/r.tgz'"
	[ "$status" -eq 0 ]
	run docker image inspect test/imp:3 --format '{{.RepoTags}} {{.Architecture}}'
	[[ $output == "[test/imp:3] "* ]]
	# a file through the newer CLI, no name: a dangling image
	if [[ -x $d28 ]]; then
		run "$d28" import -c 'CMD ["sh"]' "$PD/r.tgz"
		echo "$output"
		[ "$status" -eq 0 ]
		[[ $output =~ ^sha256:[0-9a-f]{64}$ ]]
		run docker image inspect "$output" --format '{{json .Config.Cmd}} {{json .RepoTags}}'
		[ "$output" = '["sh"] []' ]
	fi
	docker image prune -af
	bd_store_empty "$BD"
}

@test "pull2: import errors are docker's and leave nothing" {
	mkrootfs "$PD/r.tgz" gz
	run docker import -c 'RUN true' "$PD/r.tgz" test/imp:bad
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"run is not a valid change command"* ]]
	run sh -c "printf 'not a tar at all' | docker import - test/imp:bad"
	echo "$output"
	[ "$status" -ne 0 ]
	run sh -c "head -c 100 '$PD/r.tgz' | docker import - test/imp:bad"
	echo "$output"
	[ "$status" -ne 0 ]
	run api -X POST "/v1.41/images/create?fromSrc=http://example.invalid/r.tar"
	[[ $output == *"only the request body"* ]]
	bd_store_empty "$BD"
}

@test "pull2: a foreign (nondistributable) layer is refused by name; nothing is left" {
	local m md
	m=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/t/big/manifests/1" |
		jq -c '.layers[0].mediaType = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"')
	curl -sf -X PUT -H 'Content-Type: application/vnd.oci.image.manifest.v1+json' --data-binary "$m" \
		"http://$REG/v2/t/big/manifests/foreign"
	run docker pull "$REG/t/big:foreign"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"foreign (nondistributable) layers are not supported (media type \"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\")"* ]]
	bd_store_empty "$BD"
}

# The pipeline over the registry sessions (merge of the pull pipeline with registry.c's
# sessions): each of four layers is answered 503, then cut in half, then resumed with Range,
# while the feeder streams that same ingest into the unpacker; nothing is read twice.
@test "pull2: every layer cut mid-transfer is resumed with Range while it unpacks" {
	local port layers n l
	port=$(free_port)
	peers_spawn flaky $PY "$IT_HELPERS/flaky_proxy.py" "$port" "${REG#*:}"
	peers_wait 5 curl -sf "http://127.0.0.1:$port/v2/"
	run docker pull "127.0.0.1:$port/t/mixed:1"
	echo "$output"
	cat "$PD/flaky.log"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'Pull complete' <<<"$output")" -eq 4 ]
	[[ $output == *"Status: Downloaded newer image for 127.0.0.1:$port/t/mixed:1"* ]]
	# the layers as the registry holds them (skopeo compressed the uncompressed one)
	layers=$(curl -sf -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
		"http://$REG/v2/t/mixed/manifests/1" | jq -r '.layers[].digest')
	[ "$(wc -w <<<"$layers")" -eq 4 ]
	for l in $layers; do
		grep -q "^GET /v2/t/mixed/blobs/$l range=- -> 503" "$PD/flaky.log"
		grep -q "^GET /v2/t/mixed/blobs/$l range=- -> 200 cut after" "$PD/flaky.log"
		grep -Eq "^GET /v2/t/mixed/blobs/$l range=bytes=[1-9][0-9]*- -> 206" "$PD/flaky.log"
	done
	# the content as pushed: the uncompressed layers' files have their sizes
	[ "$(stat -c %s "$(ls "$BD"/data/snapshots/*/fs/l1/data)")" -eq $((2 << 20)) ]
	[ "$(stat -c %s "$(ls "$BD"/data/snapshots/*/fs/l2/data)")" -eq $((1 << 20)) ]
	n=$(docker image inspect "127.0.0.1:$port/t/mixed:1" --format '{{len .RootFS.Layers}}')
	[ "$n" -eq 4 ]
	docker rmi "127.0.0.1:$port/t/mixed:1"
	peers_stop flaky
	bd_store_empty "$BD"
}

@test "pull2: pull publishes docker's pull event; import a tag event then an import event" {
	local t0 t1 id
	mkrootfs "$PD/ev.tar"
	sleep 1 # the events of earlier tests are in earlier seconds
	t0=$(date +%s)
	docker pull -q "$REG/t/mixed:1"
	docker import "$PD/ev.tar" test/imp:ev
	id=$(docker image inspect test/imp:ev --format '{{.Id}}')
	sleep 1
	t1=$(date +%s)
	run -0 docker events --since "$t0" --until "$t1" --filter type=image
	echo "$output"
	[ "$(grep -c . <<<"$output")" -eq 3 ]
	[[ ${lines[0]} == *" image pull $REG/t/mixed:1 (name=$REG/t/mixed)" ]]
	[[ ${lines[1]} == *" image tag $id (name=test/imp:ev)" ]]
	[[ ${lines[2]} == *" image import $id (name=$id)" ]]
	docker rmi "$REG/t/mixed:1" test/imp:ev
	bd_store_empty "$BD"
}
