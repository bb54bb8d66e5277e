#!/usr/bin/env bats
# Miscellany: annotations in state and list, the stopped state of a
# container whose process exited, --root isolation, list, process.env
# duplicates and malformed entries.

load helpers

# A second state root for the --root isolation test, cleaned up here (the
# helpers only know $ROOT).
teardown() {
	local rc=0 id pid
	if [[ -n ${ROOT2:-} && -d $ROOT2 ]]; then
		for id in $(ls -A "$ROOT2"); do
			pid=$(rt2 state "$id" 2>/dev/null | jq -r '.pid // 0' 2>/dev/null) || pid=0
			[[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]] && echo "$pid" >>"$T/.ctrpids"
			rt2 delete -f "$id" >/dev/null 2>&1 || true
		done
		rm -rf "$ROOT2"
	fi
	conf_teardown || rc=$?
	return $rc
}

# rt2 ARGS...: the runtime with --root $ROOT2
rt2() {
	timeout -k 5 "$CONF_RT_TIMEOUT" "$RT" --root "$ROOT2" "$@"
}

@test "misc: annotations appear in state and list exactly as configured" {
	bundle_new
	local ann='{"org.example/key": "value", "empty": "", "unicode": "ünï ✓ 容器", "quote": "a\"b\\c d", "com.example.n": "42"}'
	spec_edit '.annotations = $a' --argjson a "$ann"
	set_args sleep 100
	rt_create
	run --separate-stderr rt state "$ID"
	assert_status 0
	jq -e --argjson a "$ann" '.annotations == $a' <<<"$output" >/dev/null || {
		echo "state annotations differ: $(jq -c .annotations <<<"$output")" >&2
		false
	}
	rt start "$ID"
	wait_status running
	run --separate-stderr rt state "$ID"
	jq -e --argjson a "$ann" '.annotations == $a' <<<"$output" >/dev/null || {
		echo "state annotations of the running container differ: $(jq -c .annotations <<<"$output")" >&2
		false
	}
	run --separate-stderr rt list --format json
	assert_status 0
	jq -e --argjson a "$ann" --arg id "$ID" '.[] | select(.id == $id) | .annotations == $a' <<<"$output" >/dev/null || {
		echo "list annotations differ: $output" >&2
		false
	}
}

@test "misc: a container whose process exited is stopped with pid 0 until deleted" {
	bundle_new
	set_args sh -c 'exit 7'
	rt_run_d
	wait_status stopped
	local i st
	# and it stays so: nothing removes it behind our back
	for i in 1 2 3; do
		run --separate-stderr rt state "$ID"
		assert_status 0
		st=$(jq -c '[.status, .pid]' <<<"$output")
		assert_eq "$st" '["stopped",0]' "state [status, pid], check $i"
		sleep 0.2
	done
	run --separate-stderr rt list --format json
	assert_status 0
	jq -e --arg id "$ID" '[.[] | select(.id == $id)] | length == 1 and .[0].status == "stopped" and .[0].pid == 0' <<<"$output" >/dev/null || {
		echo "list does not show the exited container as stopped with pid 0: $output" >&2
		false
	}
	run rt start "$ID"
	assert_fail
	run rt kill "$ID" KILL
	assert_fail
	assert_eq "$(state_field status)" stopped "status after start/kill attempts"
	# delete without -f is enough for a stopped container
	run rt delete "$ID"
	assert_status 0
	assert_no_container
}

@test "misc: --root isolation: two roots, one id, independent containers" {
	ROOT2=$(mktemp -d "${TMPDIR:-/tmp}/bconf-root.XXXXXX")
	# distinct cgroups (both named after the id, so teardown checks them)
	bundle_new "$T/bundle2"
	spec_edit '.annotations = {"root": "two"} | .linux.cgroupsPath = ("/r2-" + $id)' --arg id "$ID"
	set_args sleep 100
	local b2=$BUNDLE
	bundle_new
	spec_edit '.annotations = {"root": "one"} | .linux.cgroupsPath = ("/r1-" + $id)' --arg id "$ID"
	set_args sleep 100

	rt_create
	rt2 create --bundle "$b2" "$ID" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"

	local p1 p2
	p1=$(state_field pid)
	p2=$(rt2 state "$ID" | jq -r .pid)
	[[ $p1 -gt 0 && $p2 -gt 0 && $p1 != "$p2" ]] || {
		echo "pids: root1 $p1, root2 $p2" >&2
		false
	}
	assert_eq "$(rt state "$ID" | jq -r '.bundle + " " + .annotations.root')" "$BUNDLE one" "root1 state"
	assert_eq "$(rt2 state "$ID" | jq -r '.bundle + " " + .annotations.root')" "$b2 two" "root2 state"
	assert_eq "$(rt list -q)" "$ID" "root1 list"
	assert_eq "$(rt2 list -q)" "$ID" "root2 list"

	# start and kill in root1 only
	run rt start "$ID"
	assert_status 0
	wait_status running
	assert_eq "$(rt2 state "$ID" | jq -r .status)" created "root2 status after start in root1"
	run rt kill "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$p1"
	pid_alive "$p2"
	assert_eq "$(rt2 state "$ID" | jq -c '[.status, .pid]')" "[\"created\",$p2]" "root2 state after kill in root1"

	# delete in root1 leaves root2's container alone
	run rt delete "$ID"
	assert_status 0
	run rt state "$ID"
	assert_fail
	assert_eq "$(rt2 state "$ID" | jq -r .status)" created "root2 status after delete in root1"
	assert_eq "$(rt list -q)" "" "root1 list after delete"

	run rt2 start "$ID"
	assert_status 0
	assert_eq "$(rt2 state "$ID" | jq -r .status)" running "root2 status after start"
	run rt2 delete -f "$ID"
	assert_status 0
	wait_pid_gone "$p2"
	run rt2 state "$ID"
	assert_fail
	[[ -z $(ls -A "$ROOT2") ]] || {
		echo "state left in root2 after delete: $(ls -A "$ROOT2")" >&2
		false
	}
}

@test "misc: list shows each container with its own status and pid" {
	bundle_new
	set_args sleep 100
	# ids end in $ID: teardown's cgroup check covers them
	local created=c-$ID running=r-$ID stopped=s-$ID id
	rt create --bundle "$BUNDLE" "$created" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	rt run -d --bundle "$BUNDLE" "$running" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	spec_edit '.process.args = ["true"]'
	rt run -d --bundle "$BUNDLE" "$stopped" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	wait_status stopped "$stopped"
	wait_status running "$running"

	run --separate-stderr rt list -q
	assert_status 0
	assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "$created" "$running" "$stopped" | sort)" "list -q"

	run --separate-stderr rt list --format json
	assert_status 0
	jq -e 'type == "array" and length == 3' <<<"$output" >/dev/null
	for id in "$created" "$running"; do
		jq -e --arg id "$id" --argjson pid "$(state_field pid "$id")" \
			'.[] | select(.id == $id) | .pid == $pid and .pid > 0' <<<"$output" >/dev/null || {
			echo "list json: wrong pid for $id: $output" >&2
			false
		}
	done
	jq -e --arg c "$created" --arg r "$running" --arg s "$stopped" '
		(.[] | select(.id == $c) | .status == "created") and
		(.[] | select(.id == $r) | .status == "running") and
		(.[] | select(.id == $s) | .status == "stopped" and .pid == 0)' <<<"$output" >/dev/null || {
		echo "list json statuses: $output" >&2
		false
	}

	run --separate-stderr rt list
	assert_status 0
	assert_line "^$created +[1-9][0-9]* +created +$BUNDLE "
	assert_line "^$running +[1-9][0-9]* +running +$BUNDLE "
	assert_line "^$stopped +0 +stopped +$BUNDLE "
	assert_eq "$(wc -l <<<"$output")" 4 "table lines (header + 3)"
}

@test "misc: process.env duplicates: the last value wins, in the first one's place (runc)" {
	bundle_new
	spec_edit '.process.env = ["PATH=/bin", "A=1", "B=x", "A=2", "HOME=/h1", "HOME=/h2", "B=y", "Z=", "Z=z"]'
	ctr_run /bin/env
	assert_status 0
	assert_output $'PATH=/bin\nA=2\nB=y\nHOME=/h2\nZ=z'
}

@test "misc: process.env entry without '=' or with an empty name fails the run (runc)" {
	bundle_new
	spec_edit '.process.env = ["PATH=/bin", "NOEQUALS"]'
	ctr_run /bin/env
	assert_fail
	refute_line NOEQUALS
	assert_no_container
	spec_edit '.process.env = ["PATH=/bin", "=value"]'
	ctr_run /bin/env
	assert_fail
	refute_line =value
	assert_no_container
}
