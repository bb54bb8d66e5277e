#!/usr/bin/env bats
# tests/integration/berthd_verbs.bats: the smaller pieces of issue 8's verbs: exec -u by name
# (the container's /etc/passwd and /etc/group), detach keys, port, the commit event and gzip
# layers; with berthctl, curl and the stock docker CLIs (20.10 and 28).
#
# setup_file starts one berthd on a private data-root under $PD and loads the busybox image.
# Teardown: every container is removed; at the end berthd is stopped by its PID, shims started
# by it are killed by PID, and peers_teardown unmounts what is under $PD. Clients started in
# the background are killed by their PID in the test that started them.

load helpers
load peers
load berthd_helpers

setup_file() { bdc_setup_file verbs; }

teardown_file() {
	[[ -n ${PD:-} ]] && {
		peers_stop reg
		vfs_stop
	}
	bdc_teardown_file
}

# The second berthd (--storage-driver vfs) of the vfs test, its containers removed first; then
# any shim it started, killed by PID (their -address names its socket).
vfs_stop() {
	local VD=$PD/vfs id p
	[[ -f $VD/pid ]] || return 0
	for id in $(curl -s --unix-socket "$VD/s.sock" "http://x/v1.41/containers/json?all=1" | jq -r '.[].Id'); do
		curl -s -X DELETE --unix-socket "$VD/s.sock" "http://x/v1.41/containers/$id?force=1" >/dev/null
	done
	bd_stop "$VD"
	for p in /proc/[0-9]*; do
		if { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -q "containerd-shim-berth-v2 .*-address $VD/s.sock"; then
			kill -KILL "${p#/proc/}" 2>/dev/null || true
		fi
	done
}

setup() { bdc_setup; }

teardown() { bdc_remove_containers; }

@test "exec -u: names, NAME:GROUP, UID:GID, supplementary groups from the container's files" {
	id=$("${C[@]}" run -d --group-add 7 busybox sleep 60)
	# the container's own files as they are now (its upper layer), not the image's
	"${C[@]}" exec "$id" sh -c 'echo "www:x:33:44:www:/:/bin/sh" >>/etc/passwd; printf "web:x:44:\nadm:x:4:www\nstaff:x:50:nobody,www\n" >>/etc/group'
	run "${C[@]}" exec -u www "$id" id
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "uid=33(www) gid=44(web) groups=4(adm),7,50(staff)" ]
	for cli in "${C[@]:0:1}" $(clis); do
		if [[ $cli == "$BERTHCTL" ]]; then cmd=("${C[@]}"); else cmd=("$cli"); fi
		run "${cmd[@]}" exec -u nobody "$id" id -u
		[ "$output" = 65534 ]
		run "${cmd[@]}" exec -u www:staff "$id" sh -c 'echo $(id -u):$(id -g):$(id -G)'
		echo "$cli: $output"
		[ "$output" = "33:50:50 7" ]
		run "${cmd[@]}" exec -u 33 "$id" sh -c 'echo $(id -u):$(id -g)'
		[ "$output" = "33:44" ]
		run "${cmd[@]}" exec -u 1234:5678 "$id" sh -c 'echo $(id -u):$(id -g)'
		[ "$output" = "1234:5678" ]
		run "${cmd[@]}" exec -u nosuch "$id" true
		echo "$cli: $status [$output]"
		[ "$status" -eq 126 ]
		[[ $output == *"unable to find user nosuch: no matching entries in passwd file"* ]]
		run "${cmd[@]}" exec -u www:nogrp "$id" true
		[ "$status" -eq 126 ]
		[[ $output == *"unable to find group nogrp: no matching entries in group file"* ]]
	done
	# detached: the error is the start's answer, 500 as dockerd's (untyped) error
	eid=$(api -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"],"User":"nosuch"}' "/v1.41/containers/$id/exec" | jq -r .Id)
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Detach":true}' "/v1.41/exec/$eid/start")" = 500 ]
	grep -q 'unable to find user nosuch' "$BATS_TEST_TMPDIR/body"
	[ "$(api "/v1.41/exec/$eid/json" | jq -r .ExitCode)" = 126 ]
	# a symlinked /etc/passwd is resolved inside the container, never on the host
	"${C[@]}" exec "$id" sh -c 'mv /etc/passwd /etc/passwd.real; ln -s /etc/passwd.real /etc/passwd'
	run "${C[@]}" exec -u www "$id" id -u
	[ "$output" = 33 ]
	"${C[@]}" exec "$id" sh -c 'rm /etc/passwd; ln -s /proc/1/root/../../../../etc/shadow /etc/passwd'
	run "${C[@]}" exec -u www "$id" id -u
	[ "$status" -ne 0 ]
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

# pty_keys WAIT_FOR KEYS [WAIT_FOR KEYS]... -- CMD...: run CMD under a pty; each time its output
# shows WAIT_FOR (a python bytes literal), type KEYS (a python bytes literal) one byte at a time
# as a terminal does; then read until CMD exits (10 s at most: then it is killed, by its PID, and
# the status is 124). The output goes to stdout; CMD's exit status is ours.
pty_keys() {
	/usr/bin/python3 - "$@" <<'PY'
import os, pty, sys, select, time, signal, ast
args = sys.argv[1:]
sep = args.index("--")
steps = [(ast.literal_eval(args[i]), ast.literal_eval(args[i + 1])) for i in range(0, sep, 2)]
argv = args[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(argv[0], argv)
out, seen, deadline = b"", 0, time.time() + 20
while time.time() < deadline:
    if steps and steps[0][0] in out[seen:]:
        want, keys = steps.pop(0)
        seen = out.index(want, seen) + len(want)
        time.sleep(0.3)
        for b in keys:
            os.write(fd, bytes([b]))
            time.sleep(0.05)
        if not steps:
            deadline = time.time() + 10
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            d = os.read(fd, 4096)
        except OSError:
            break
        if not d:
            break
        out += d
sys.stdout.write(out.decode(errors="replace"))
if time.time() >= deadline:
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    sys.exit(124)
_, st = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(st))
PY
}

running() { [ "$(api "/v1.41/containers/$1/json" | jq -r .State.Running)" = true ]; }
not_running() { ! running "$1"; }

@test "detach keys: docker CLIs' run -it, attach, start -ai, exec -it leave the container running" {
	for cli in $(clis); do
		name=dk$RANDOM
		run pty_keys "b'ready'" "b'\x10\x11'" -- "$cli" run -it --name "$name" busybox sh -c 'echo ready; exec sh'
		echo "$cli run: $status [$output]"
		[ "$status" -eq 0 ]
		running "$name"
		# the container's stdin is still open: a second attach types into the same shell
		run pty_keys "b''" "b'echo hi\$((40+2))\r'" "b'hi42'" "b'\x10\x11'" -- "$cli" attach "$name"
		echo "$cli attach: $status [$output]"
		[ "$status" -eq 1 ]
		[[ $output == *hi42* ]]
		[[ $output == *"read escape sequence"* ]]
		running "$name"
		run pty_keys "b''" "b'\x01\x02'" -- "$cli" attach --detach-keys ctrl-a,ctrl-b "$name"
		[ "$status" -eq 1 ]
		[[ $output == *"read escape sequence"* ]]
		running "$name"
		run pty_keys "b'ex'" "b'\x10\x11'" -- "$cli" exec -it "$name" sh -c 'echo ex; sleep 60'
		echo "$cli exec: $status [$output]"
		[ "$status" -eq 1 ]
		[[ $output == *"read escape sequence"* ]]
		running "$name"
		"$cli" kill "$name" >/dev/null
		wait_for 5 not_running "$name"
		run pty_keys "b'ready'" "b'\x10\x11'" -- "$cli" start -ai "$name"
		echo "$cli start -ai: $status [$output]"
		[ "$status" -eq 0 ]
		running "$name"
		"$cli" rm -f "$name" >/dev/null
	done
}

@test "detach keys: berthctl run -it, attach, start -ai, exec -it; --detach-keys and config.json's detachKeys" {
	name=dk$RANDOM
	run pty_keys "b'ready'" "b'\x10\x11'" -- "${C[@]}" run -it --name "$name" busybox sh -c 'echo ready; exec sh'
	echo "run: $status [$output]"
	[ "$status" -eq 0 ]
	running "$name"
	run pty_keys "b''" "b'echo hi\$((40+2))\r'" "b'hi42'" "b'\x10\x11'" -- "${C[@]}" attach "$name"
	echo "attach: $status [$output]"
	[ "$status" -eq 1 ]
	[[ $output == *hi42* ]]
	[[ $output == *"read escape sequence"* ]]
	running "$name"
	run pty_keys "b''" "b'\x18'" -- "${C[@]}" attach --detach-keys ctrl-x "$name"
	[ "$status" -eq 1 ]
	running "$name"
	# the client config's detachKeys, as the docker CLI's
	export BERTH_CONFIG=$BATS_TEST_TMPDIR/cfg
	mkdir -p "$BERTH_CONFIG"
	echo '{"detachKeys":"ctrl-e,e"}' >"$BERTH_CONFIG/config.json"
	run pty_keys "b'ex'" "b'\x05e'" -- "${C[@]}" exec -it "$name" sh -c 'echo ex; sleep 60'
	echo "exec: $status [$output]"
	[ "$status" -eq 1 ]
	[[ $output == *"read escape sequence"* ]]
	running "$name"
	"${C[@]}" kill "$name" >/dev/null
	wait_for 5 not_running "$name"
	run pty_keys "b'ready'" "b'\x05e'" -- "${C[@]}" start -ai "$name"
	echo "start -ai: $status [$output]"
	[ "$status" -eq 0 ]
	running "$name"
	id=$(api "/v1.41/containers/$name/json" | jq -r .Id)
	"${C[@]}" rm -f "$name" >/dev/null
	nothing_left "$id"
}

@test "detach keys in berthd: the detachKeys parameter ends a raw client's attach and exec; detach events; bad keys 400 and 500" {
	id=$("${C[@]}" run -d -it busybox sh)
	since=$(date +%s)
	/usr/bin/python3 - "$BD/s.sock" "/v1.41/containers/$id/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-x,x" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n" % sys.argv[2].encode())
data = b""
while b"\r\n\r\n" not in data:
    data += s.recv(4096)
assert data.startswith(b"HTTP/1.1 101"), data
# a lone ctrl-x goes through; then the sequence, in one write, then bytes that must be dropped
s.sendall(b"echo one$((1+1))\n"); time.sleep(0.3)
s.sendall(b"\x18x echo dropped\n")
while True:
    d = s.recv(4096)          # the daemon ends the stream
    if not d: break
    data += d
assert b"one2" in data, data
print("ok")
PY
	running "$id"
	sleep 0.2
	run "${C[@]}" exec "$id" sh -c 'cat /proc/1/cmdline'
	api "/v1.41/events?since=$since&until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22detach%22%5D%7D" >"$BATS_TEST_TMPDIR/ev"
	cat "$BATS_TEST_TMPDIR/ev"
	[ "$(jq -r 'select(.Action == "detach") | .Actor.ID' "$BATS_TEST_TMPDIR/ev")" = "$id" ]
	# exec: DetachKeys from the create body, shown by inspect
	eid=$(api -X POST -H 'Content-Type: application/json' -d '{"Cmd":["sh","-c","echo go; sleep 60"],"Tty":true,"AttachStdin":true,"AttachStdout":true,"DetachKeys":"ctrl-y"}' "/v1.41/containers/$id/exec" | jq -r .Id)
	[ "$(api "/v1.41/exec/$eid/json" | jq -r .DetachKeys)" = ctrl-y ]
	/usr/bin/python3 - "$BD/s.sock" "/v1.41/exec/$eid/start" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.settimeout(10)
body = b'{"Detach":false,"Tty":true}'
s.sendall(b"POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n%s" % (sys.argv[2].encode(), len(body), body))
data = b""
while b"go" not in data:
    data += s.recv(4096)
s.sendall(b"\x19")
while True:
    d = s.recv(4096)
    if not d: break
print("ok")
PY
	[ "$(api "/v1.41/exec/$eid/json" | jq -r .Running)" = true ]
	api "/v1.41/events?since=$since&until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22exec_detach%22%5D%7D" | jq -r '.Actor.Attributes.execID' | grep -qx "$eid"
	# bad keys: dockerd's texts and statuses (an exec's error is untyped there: 500)
	[ "$(api_status -X POST "/v1.41/containers/$id/attach?stream=1&stdout=1&detachKeys=ctrl-1")" = 400 ]
	grep -q 'Invalid detach keys (ctrl-1) provided' "$BATS_TEST_TMPDIR/body"
	[ "$(api_status -X POST -H 'Content-Type: application/json' -d '{"Cmd":["true"],"DetachKeys":"nope"}' "/v1.41/containers/$id/exec")" = 500 ]
	grep -q 'Invalid escape keys (nope) provided' "$BATS_TEST_TMPDIR/body"
	"${C[@]}" rm -f "$id"
	nothing_left "$id"
}

@test "port: inspect's NetworkSettings.Ports as dockerd's without bindings; port with berthctl and both docker CLIs" {
	id=$("${C[@]}" run -d --name porty --expose 80 --expose 53/udp busybox sleep 60)
	[ "$(api "/v1.41/containers/$id/json" | jq -cS .NetworkSettings.Ports)" = '{"53/udp":null,"80/tcp":null}' ]
	[ "$(api "/v1.41/containers/json" | jq -c "[.[] | select(.Id == \"$id\") | .Ports[]] | sort_by(.PrivatePort)")" = '[{"PrivatePort":53,"Type":"udp"},{"PrivatePort":80,"Type":"tcp"}]' ]
	for cli in "$BERTHCTL" $(clis); do
		if [[ $cli == "$BERTHCTL" ]]; then cmd=("${C[@]}"); else cmd=("$cli"); fi
		run "${cmd[@]}" port porty
		echo "$cli: $status [$output]"
		[ "$status" -eq 0 ]
		[ -z "$output" ]
		run "${cmd[@]}" port porty 80
		echo "$cli: $status [$output]"
		[ "$status" -eq 1 ]
		# 20.10 and berthctl name the port with its protocol; 28 as typed
		[[ $output == *"No public port '80/tcp' published for porty"* ]] || [[ $cli == /usr/local/bin/docker && $output == *"No public port '80' published for porty"* ]]
		run "${cmd[@]}" port porty 53/udp
		[ "$status" -eq 1 ]
		[[ $output == *"No public port '53/udp' published for porty"* ]]
		[[ $cli == "$BERTHCTL" ]] || [[ $("$cli" ps --format '{{.Ports}}' --filter name=porty) == *"80/tcp"* ]]
	done
	# no network of its own, or not running: {} as dockerd
	id2=$("${C[@]}" run -d --network none --expose 80 busybox sleep 60)
	[ "$(api "/v1.41/containers/$id2/json" | jq -c .NetworkSettings.Ports)" = '{}' ]
	"${C[@]}" kill porty >/dev/null
	wait_for 5 not_running porty
	[ "$(api "/v1.41/containers/$id/json" | jq -c .NetworkSettings.Ports)" = '{}' ]
	run "${C[@]}" port
	[ "$status" -eq 1 ]
	# the usage lists the container verbs
	run "$BERTHCTL" --help
	for v in run start stop kill wait restart pause unpause top logs attach exec port; do
		[[ $output == *"  $v "* ]] || { echo "usage lacks $v"; false; }
	done
	"${C[@]}" rm -f "$id" "$id2" >/dev/null
	nothing_left "$id" "$id2"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# reg_start NAME: a docker-registry with storage in $PD/NAME on 127.0.0.1 (stopped by PID in
# teardown_file); prints its port.
reg_start() {
	local name=$1 port i
	port=$(free_port)
	mkdir -p "$PD/$name"
	printf 'version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%s\n' "$PD/$name" "$port" >"$PD/$name.yml"
	peers_spawn "$name" docker-registry serve "$PD/$name.yml"
	for ((i = 0; i < 100; i++)); do
		curl -sf "http://127.0.0.1:$port/v2/" >/dev/null 2>&1 && { echo "$port"; return 0; }
		sleep 0.05
	done
	cat "$PD/$name.log" >&2
	return 1
}

@test "commit: docker's commit event; the layer stored gzip-compressed, pushed as such, pulled back" {
	command -v docker-registry >/dev/null || { echo "docker-registry is not installed (contrib/install-deps.sh)"; false; }
	REG=127.0.0.1:$(reg_start reg)
	id=$("${C[@]}" run -d busybox sh -c 'echo hello >/greeting; sleep 60')
	wait_for 5 "${C[@]}" exec "$id" cat /greeting
	since=$(date +%s)
	img=$("${C[@]}" commit -m "a note" "$id" "$REG/verbs/c:v1")
	[[ $img == sha256:* ]]
	api "/v1.41/events?since=$since&until=$(($(date +%s) + 1))" >"$BATS_TEST_TMPDIR/ev"
	cat "$BATS_TEST_TMPDIR/ev"
	ev=$(jq -c 'select(.Type == "container" and .Action == "commit")' "$BATS_TEST_TMPDIR/ev")
	[ "$(jq -r .Actor.ID <<<"$ev")" = "$id" ]
	[ "$(jq -r .Actor.Attributes.comment <<<"$ev")" = "a note" ]
	[ "$(jq -r .Actor.Attributes.imageID <<<"$ev")" = "$img" ]
	[ "$(jq -r .Actor.Attributes.imageRef <<<"$ev")" = "$REG/verbs/c:v1" ]
	[ "$(jq -r .Actor.Attributes.image <<<"$ev")" = busybox ]
	[ -n "$(jq -r .Actor.Attributes.name <<<"$ev")" ]
	# as dockerd: the image's tag event, then the container's commit event
	[ "$(jq -r 'select(.Action == "tag" or .Action == "commit") | .Action' "$BATS_TEST_TMPDIR/ev" | tr '\n' ' ')" = "tag commit " ]
	# the stock CLIs' commit emits it too, without a name: imageRef ""
	for cli in $(clis); do
		since=$(date +%s)
		img2=$("$cli" commit "$id")
		api "/v1.41/events?since=$since&until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22commit%22%5D%7D" >"$BATS_TEST_TMPDIR/ev2"
		[ "$(jq -r '.Actor.Attributes.imageID + "|" + .Actor.Attributes.imageRef + "|" + .Actor.Attributes.comment' "$BATS_TEST_TMPDIR/ev2")" = "$img2||" ]
		"$cli" rmi "$img2" >/dev/null
	done
	# pushed: the new layer goes up gzip-compressed, its digest the blob's, its diff_id the tar's
	run "${C[@]}" push "$REG/verbs/c:v1"
	echo "$output"
	[ "$status" -eq 0 ]
	m=$(skopeo inspect --raw --tls-verify=false "docker://$REG/verbs/c:v1")
	echo "$m"
	[ "$(jq -r '.layers[-1].mediaType' <<<"$m")" = application/vnd.docker.image.rootfs.diff.tar.gzip ]
	d=$(jq -r '.layers[-1].digest' <<<"$m")
	curl -sf "http://$REG/v2/verbs/c/blobs/$d" -o "$BATS_TEST_TMPDIR/blob"
	[ "sha256:$(sha256sum <"$BATS_TEST_TMPDIR/blob" | cut -d' ' -f1)" = "$d" ]
	[ "$(jq -r '.layers[-1].size' <<<"$m")" = "$(stat -c %s "$BATS_TEST_TMPDIR/blob")" ]
	[ "$(head -c2 "$BATS_TEST_TMPDIR/blob" | xxd -p)" = 1f8b ]
	cfg=$(skopeo inspect --config --raw --tls-verify=false "docker://$REG/verbs/c:v1")
	[ "$(jq -r '.rootfs.diff_ids[-1]' <<<"$cfg")" = "sha256:$(gunzip <"$BATS_TEST_TMPDIR/blob" | sha256sum | cut -d' ' -f1)" ]
	gunzip <"$BATS_TEST_TMPDIR/blob" | tar -t | grep -qx greeting
	# read back: skopeo checks every digest; a container of the committed image sees the file
	run skopeo copy -q --src-tls-verify=false "docker://$REG/verbs/c:v1" "oci:$PD/back:x"
	[ "$status" -eq 0 ]
	run "${C[@]}" run --rm "$REG/verbs/c:v1" cat /greeting
	[ "$output" = hello ]
	# docker save of it loads elsewhere (skopeo reads the archive)
	"${C[@]}" save -o "$BATS_TEST_TMPDIR/s.tar" "$REG/verbs/c:v1"
	[ "$(skopeo inspect "docker-archive:$BATS_TEST_TMPDIR/s.tar" | jq '.Layers | length')" = 2 ]
	"${C[@]}" rm -f "$id" >/dev/null
	"${C[@]}" rmi "$REG/verbs/c:v1" >/dev/null
	nothing_left "$id"
}

@test "diff and commit on the vfs driver: the container's tree compared with its image's" {
	VD=$PD/vfs
	bd_start "$VD" --storage-driver vfs
	V=("$BERTHCTL" -H "unix://$VD/s.sock")
	"${V[@]}" load -q -i "$PD/img.tar" >/dev/null
	id=$("${V[@]}" run -d busybox sh -c 'echo hi >/tmp/new; rm /etc/group; mkdir /d; echo x >/d/f; chmod 700 /tmp; ln -s /d/f /l; touch /ready; sleep 60')
	wait_for 5 "${V[@]}" exec "$id" ls /ready
	want=$'A /d\nA /d/f\nC /etc\nD /etc/group\nA /l\nA /ready\nC /tmp\nA /tmp/new'
	run "${V[@]}" diff "$id"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$want" ]
	for cli in $(clis); do
		run "$cli" -H "unix://$VD/s.sock" diff "$id"
		echo "$cli: $output"
		[ "$output" = "$want" ]
	done
	# commit (paused while its layer is written), then a container of the new image
	img=$("${V[@]}" commit "$id" vfs/c:1)
	[[ $img == sha256:* ]]
	run "${V[@]}" run --rm vfs/c:1 sh -c 'cat /tmp/new /d/f; readlink /l; stat -c %a /tmp; ls /etc/group 2>/dev/null || echo no-group'
	echo "$output"
	[ "$output" = $'hi\nx\n/d/f\n700\nno-group' ]
	# the mountpoints the runtime made (/etc/hostname, /proc, /dev …) are not in the layer
	"${V[@]}" save -o "$BATS_TEST_TMPDIR/s.tar" vfs/c:1
	mkdir "$BATS_TEST_TMPDIR/s"
	tar -xf "$BATS_TEST_TMPDIR/s.tar" -C "$BATS_TEST_TMPDIR/s"
	layer=$(jq -r '.[0].Layers[-1]' "$BATS_TEST_TMPDIR/s/manifest.json")
	tar -tzf "$BATS_TEST_TMPDIR/s/$layer" 2>/dev/null | sort >"$BATS_TEST_TMPDIR/names" || tar -tf "$BATS_TEST_TMPDIR/s/$layer" | sort >"$BATS_TEST_TMPDIR/names"
	cat "$BATS_TEST_TMPDIR/names"
	[ "$(tr '\n' ' ' <"$BATS_TEST_TMPDIR/names")" = "d/ d/f etc/ etc/.wh.group l ready tmp/ tmp/new " ]
	for cli in $(clis); do
		img2=$("$cli" -H "unix://$VD/s.sock" commit "$id")
		[[ $img2 == sha256:* ]]
		"$cli" -H "unix://$VD/s.sock" rmi "$img2" >/dev/null
	done
	"${V[@]}" rm -f "$id" >/dev/null
	"${V[@]}" rmi vfs/c:1 >/dev/null
	[[ ! -e $VD/exec/containers/$id ]]
	vfs_stop
}
