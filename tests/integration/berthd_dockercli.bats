#!/usr/bin/env bats
# tests/integration/berthd_dockercli.bats: the stock docker CLIs against a private berthd (issue
# 7): Debian's docker 20.10 (/usr/bin/docker) and docker 28 (/usr/local/bin/docker, which
# negotiates down to API 1.41) each run version, info, pull from a private docker-registry on
# 127.0.0.1 (filled by skopeo), images (-a -q --digests --no-trunc, --filter dangling, reference,
# before, since, label), tag, rmi (-f), save -o + load -i, history, image inspect, image prune
# -f and system df; the output is checked for content.
#
# setup_file starts berthd and the registry under $PD; both are stopped by their recorded PIDs
# in teardown_file, failures included.

load helpers
load peers
load berthd_helpers

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# mkimg OUT NAME CREATED LABELS: a docker-archive of a one-file layer with the config's created
# time and Labels (a JSON object) set.
mkimg() {
	python3 - "$@" <<-'PY'
		import hashlib, io, json, sys, tarfile
		out, name, created, labels = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
		lb = io.BytesIO()
		with tarfile.open(fileobj=lb, mode="w") as t:
		    data = name.encode()
		    ti = tarfile.TarInfo("name"); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
		layer = lb.getvalue()
		cfg = json.dumps({"architecture": "amd64", "os": "linux", "created": created,
		                  "config": {"Labels": labels, "Cmd": ["sh"]},
		                  "history": [{"created": created, "created_by": "mkimg " + name}],
		                  "rootfs": {"type": "layers",
		                             "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode()
		cid = hashlib.sha256(cfg).hexdigest()
		with tarfile.open(out, "w") as t:
		    ti = tarfile.TarInfo("l/layer.tar"); ti.size = len(layer); t.addfile(ti, io.BytesIO(layer))
		    ti = tarfile.TarInfo(cid + ".json"); ti.size = len(cfg); t.addfile(ti, io.BytesIO(cfg))
		    m = json.dumps([{"Config": cid + ".json", "RepoTags": [name], "Layers": ["l/layer.tar"]}]).encode()
		    ti = tarfile.TarInfo("manifest.json"); ti.size = len(m); t.addfile(ti, io.BytesIO(m))
	PY
}

setup_file() {
	local port i
	BERTHD=${BERTHD:-$(bd_resolve berthd)}
	BERTHCTL=${BERTHCTL:-$(bd_resolve berthctl)}
	[[ -x $BERTHD && -x $BERTHCTL ]] || {
		echo "setup_file: berthd or berthctl not found (set BERTHD= and BERTHCTL=)" >&2
		return 1
	}
	for t in /usr/bin/docker /usr/local/bin/docker docker-registry skopeo; do
		command -v "$t" >/dev/null || {
			echo "setup_file: $t is not installed (contrib/install-deps.sh)" >&2
			return 1
		}
	done
	peers_new dockercli
	BD=$PD/bd
	export BERTHD BERTHCTL BD
	bd_start "$BD"
	port=$(free_port)
	mkdir -p "$PD/reg"
	printf 'version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' \
		"$PD/reg" "$port" >"$PD/reg.yml"
	peers_spawn reg docker-registry serve "$PD/reg.yml"
	for ((i = 0; i < 100; i++)); do
		curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && break
		sleep 0.05
	done
	REG=127.0.0.1:$port
	export REG
	skopeo copy -q --dest-tls-verify=false "oci-archive:$PD/img.tar" "docker://$REG/test/busybox:1" >&2
	mkimg "$PD/old.tar" berthtest/old:1 2020-01-01T00:00:00Z '{"tier":"base","team":"a"}'
	mkimg "$PD/mid.tar" berthtest/mid:1 2021-06-01T12:00:00.5Z '{"tier":"app"}'
	mkimg "$PD/new.tar" berthtest/new:1 2022-12-31T23:59:59Z '{}'
}

teardown_file() {
	[[ -n ${BD:-} ]] && bd_stop "$BD"
	[[ -n ${PD:-} ]] && peers_stop reg
	peers_teardown
}

setup() {
	export DOCKER_HOST=unix://$BD/s.sock
}

teardown() {
	docker image prune -af >/dev/null 2>&1 || true
}

CLIS=(/usr/bin/docker /usr/local/bin/docker)

@test "dockercli: version and info" {
	for d in "${CLIS[@]}"; do
		run -0 "$d" version
		[[ $output == *"Server: berth"* ]]
		[[ $output == *"API version:       1.41"* ]]
		run -0 "$d" version --format '{{.Server.APIVersion}} {{.Server.Os}}'
		[ "$output" = "1.41 linux" ]
		run -0 "$d" info
		[[ $output == *"Storage Driver: overlay2"* ]]
		[[ $output == *"Backing Filesystem: $(stat -f -c %T "$BD/data" | sed 's/^ext2\/ext3$/extfs/')"* ]]
		[[ $output == *"Docker Root Dir: $BD/data"* ]]
		run -0 "$d" info --format '{{.Driver}} {{.Images}} {{.NEventsListener}}'
		[ "$output" = "overlay2 0 0" ]
	done
	# docker 28 negotiates down from its own API version.
	run -0 /usr/local/bin/docker version --format '{{.Client.APIVersion}}'
	[ "$output" = 1.41 ]
}

@test "dockercli: pull, images (-a -q --digests --no-trunc), image inspect, history, rmi" {
	local d id md t0
	for d in "${CLIS[@]}"; do
		t0=$(date +%s)
		run -0 "$d" pull "$REG/test/busybox:1"
		[[ $output == *"Status: Downloaded newer image for $REG/test/busybox:1"* ]]
		md=$(sed -n 's/^Digest: //p' <<<"$output")
		[[ $md == sha256:* ]]
		id=$("$d" image inspect "$REG/test/busybox:1" --format '{{.Id}}')
		[[ $id == sha256:* ]]
		run -0 "$d" images
		[[ ${lines[0]} == "REPOSITORY"*"TAG"*"IMAGE ID"*"CREATED"*"SIZE" ]]
		[[ ${lines[1]} == "$REG/test/busybox "*" 1 "*" ${id:7:12} "*"MB" ]]
		run -0 "$d" images -a -q
		[ "$output" = "${id:7:12}" ]
		run -0 "$d" images -q --no-trunc
		[ "$output" = "$id" ]
		run -0 "$d" images --digests
		[[ ${lines[1]} == "$REG/test/busybox "*" 1 "*" $md "*" ${id:7:12} "* ]]
		run -0 "$d" image inspect "$REG/test/busybox:1" --format '{{json .RepoTags}} {{json .RepoDigests}} {{.Os}} {{.GraphDriver.Name}}'
		[ "$output" = "[\"$REG/test/busybox:1\"] [\"$REG/test/busybox@$md\"] linux overlay2" ]
		run -0 "$d" history "$REG/test/busybox:1"
		[[ ${lines[0]} == "IMAGE"*"CREATED"*"CREATED BY"*"SIZE"*"COMMENT" ]]
		[[ ${lines[1]} == "${id:7:12} "*"mkimage.py"*"MB"* ]]
		run -0 "$d" history -q "$REG/test/busybox:1"
		[ "$output" = "${id:7:12}" ]
		# The pull's event: actor the reference, name the repository (dockerd's).
		run -0 "$d" events --since "$t0" --until "$(($(date +%s) + 1))" --filter event=pull
		[[ $output == *" image pull $REG/test/busybox:1 (name=$REG/test/busybox)" ]]
		run -0 "$d" rmi "$REG/test/busybox:1"
		[[ $output == *"Untagged: $REG/test/busybox:1"* && $output == *"Deleted: $id"* ]]
		run -0 "$d" images -q
		[ -z "$output" ]
	done
	bd_store_empty "$BD"
}

@test "dockercli: tag, rmi of one name, rmi -f of an ID with several names" {
	local d id
	for d in "${CLIS[@]}"; do
		"$d" load -q -i "$PD/img.tar" >/dev/null
		id=$("$d" image inspect busybox --format '{{.Id}}')
		run -0 "$d" tag busybox berthtest/a:1
		run -0 "$d" tag "${id:7:12}" berthtest/b
		run -0 "$d" images --format '{{.Repository}}:{{.Tag}}'
		[ "$(sort <<<"$output" | tr '\n' ' ')" = "berthtest/a:1 berthtest/b:latest busybox:latest " ]
		run -0 "$d" rmi berthtest/a:1
		[ "$output" = "Untagged: berthtest/a:1" ]
		run "$d" rmi "${id:7:12}"
		[ "$status" -ne 0 ]
		[[ $output == *"conflict: unable to delete ${id:7:12} (must be forced) - image is referenced in multiple repositories"* ]]
		run -0 "$d" rmi -f "${id:7:12}"
		[[ $output == *"Untagged: berthtest/b:latest"* && $output == *"Untagged: busybox:latest"* && $output == *"Deleted: $id"* ]]
		run "$d" rmi nope:1
		[ "$status" -ne 0 ]
		[[ $output == *"No such image: nope:1"* ]]
	done
	bd_store_empty "$BD"
}

@test "dockercli: save -o and load -i round trip; image prune -f drops only dangling images" {
	local d
	for d in "${CLIS[@]}"; do
		"$d" load -q -i "$PD/img.tar" >/dev/null
		"$d" tag busybox berthtest/saved:2
		run -0 "$d" save -o "$PD/s.tar" busybox berthtest/saved:2
		tar -tf "$PD/s.tar" | grep -qx manifest.json
		tar -tf "$PD/s.tar" | grep -qx index.json
		run -0 "$d" rmi -f busybox berthtest/saved:2
		run -0 "$d" load -i "$PD/s.tar"
		[[ $output == *"Loaded image: busybox:latest"* && $output == *"Loaded image: berthtest/saved:2"* ]]
		# A moved tag leaves the older image dangling; prune -f removes it and keeps the rest.
		"$d" load -q -i "$PD/old.tar" >/dev/null
		"$d" tag busybox berthtest/old:1
		run -0 "$d" images --filter dangling=true -q
		[ "${#lines[@]}" -eq 1 ]
		run -0 "$d" images --filter dangling=true --format '{{.Repository}}:{{.Tag}}'
		[ "$output" = "<none>:<none>" ]
		run -0 "$d" image prune -f
		[[ $output == *"deleted: sha256:"* ]]
		[[ $output == *"Total reclaimed space:"* ]]
		run -0 "$d" images --format '{{.Repository}}:{{.Tag}}'
		[ "$(sort <<<"$output" | tr '\n' ' ')" = "berthtest/old:1 berthtest/saved:2 busybox:latest " ]
		run -0 "$d" image prune -af
		run -0 "$d" images -q
		[ -z "$output" ]
	done
	bd_store_empty "$BD"
}

@test "dockercli: images --filter reference, before, since, label, dangling=false" {
	local d
	docker load -q -i "$PD/old.tar" >/dev/null
	docker load -q -i "$PD/mid.tar" >/dev/null
	docker load -q -i "$PD/new.tar" >/dev/null
	for d in "${CLIS[@]}"; do
		run -0 "$d" images --filter 'reference=berthtest/*' --format '{{.Repository}}'
		[ "$(sort <<<"$output" | tr '\n' ' ')" = "berthtest/mid berthtest/new berthtest/old " ]
		run -0 "$d" images --filter reference=berthtest/mid:1 --format '{{.Repository}}'
		[ "$output" = berthtest/mid ]
		run -0 "$d" images --filter before=berthtest/new:1 --format '{{.Repository}}'
		[ "$(sort <<<"$output" | tr '\n' ' ')" = "berthtest/mid berthtest/old " ]
		run -0 "$d" images --filter since=berthtest/old:1 --format '{{.Repository}}'
		[ "$(sort <<<"$output" | tr '\n' ' ')" = "berthtest/mid berthtest/new " ]
		run -0 "$d" images --filter since=berthtest/old:1 --filter before=berthtest/new:1 --format '{{.Repository}}'
		[ "$output" = berthtest/mid ]
		run -0 "$d" images --filter label=tier --format '{{.Repository}}'
		[ "$(sort <<<"$output" | tr '\n' ' ')" = "berthtest/mid berthtest/old " ]
		run -0 "$d" images --filter label=tier=base --filter label=team --format '{{.Repository}}'
		[ "$output" = berthtest/old ]
		run -0 "$d" images --filter label=tier=none -q
		[ -z "$output" ]
		run -0 "$d" images --filter dangling=false -q
		[ "${#lines[@]}" -eq 3 ]
		run "$d" images --filter before=nope:1
		[ "$status" -ne 0 ]
		[[ $output == *"No such image: nope:1"* ]]
		run "$d" images --filter dangling=maybe
		[ "$status" -ne 0 ]
		[[ $output == *"Invalid filter 'dangling=[maybe]'"* ]]
		run "$d" images --filter color=red
		[ "$status" -ne 0 ]
		[[ $output == *"Invalid filter 'color'"* ]]
	done
}

@test "dockercli: system df counts images and their size" {
	local d
	docker load -q -i "$PD/img.tar" >/dev/null
	for d in "${CLIS[@]}"; do
		run -0 "$d" system df
		[[ ${lines[0]} == "TYPE"*"TOTAL"*"ACTIVE"*"SIZE"*"RECLAIMABLE" ]]
		[[ ${lines[1]} == "Images "*" 1 "*" 0 "*"MB "*"MB (100%)" ]]
		[[ ${lines[2]} == "Containers "*" 0 "*" 0 "*"0B "*"0B" ]]
		run -0 "$d" system df -v
		[[ $output == *"busybox "*" latest "* ]]
	done
}
