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

teardown_file() { bdc_teardown_file; }

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
