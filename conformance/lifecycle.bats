#!/usr/bin/env bats
# Container lifecycle: create / start / state / kill / delete / run / list.

load helpers

# A container whose process announces itself in /ctl/started and then waits
# for /ctl/go to appear (a host dir bind-mounted rw at /ctl).
ctl_bundle() {
	bundle_new
	mkdir -p "$T/ctl"
	spec_edit '.mounts += [{"destination": "/ctl", "type": "bind", "source": $src, "options": ["rbind", "rw"]}]' \
		--arg src "$T/ctl"
	set_args sh -c 'echo started > /ctl/started; while [ ! -e /ctl/go ]; do sleep 0.05; done; echo done > /ctl/done'
}

@test "lifecycle: create -> created -> start -> running -> exit -> stopped -> delete" {
	ctl_bundle
	run rt_create
	assert_status 0

	run --separate-stderr rt state "$ID"
	assert_status 0
	assert_eq "$(jq -r .id <<<"$output")" "$ID" "state.id"
	assert_eq "$(jq -r .status <<<"$output")" created "state.status"
	assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE" "state.bundle"
	local pid
	pid=$(jq -r .pid <<<"$output")
	[[ $pid =~ ^[0-9]+$ && $pid -gt 0 ]]
	pid_alive "$pid"
	# the user process must not have run before `start`
	sleep 0.2
	[[ ! -e $T/ctl/started ]]

	run rt start "$ID"
	assert_status 0
	wait_file "$T/ctl/started" started
	run --separate-stderr rt state "$ID"
	assert_eq "$(jq -r .status <<<"$output")" running "state.status"
	assert_eq "$(jq -r .pid <<<"$output")" "$pid" "state.pid after start"

	touch "$T/ctl/go"
	wait_file "$T/ctl/done" done
	wait_status stopped
	# runc reports pid 0 for a stopped container
	assert_eq "$(state_field pid)" 0 "state.pid when stopped"

	run rt delete "$ID"
	assert_status 0
	run --separate-stderr rt state "$ID"
	assert_fail
	[[ "$stderr$output" == *"does not exist"* ]] || {
		echo "state error does not say 'does not exist': $stderr" >&2
		false
	}
	assert_no_container
}

@test "lifecycle: state JSON has spec keys and runc's extra keys" {
	bundle_new
	spec_edit '.annotations = {"org.example.key": "value", "k2": "v2"}'
	set_args sleep 100
	rt_create
	run --separate-stderr rt state "$ID"
	assert_status 0
	# output is a single JSON object
	jq -e 'type == "object"' <<<"$output" >/dev/null
	# runtime-spec required keys
	jq -e '(.ociVersion | type == "string" and length > 0)
		and .id == $id and .status == "created"
		and (.pid | type == "number") and .bundle == $b' \
		--arg id "$ID" --arg b "$BUNDLE" <<<"$output" >/dev/null
	jq -e '.annotations == {"org.example.key": "value", "k2": "v2"}' <<<"$output" >/dev/null
	# runc additionally prints rootfs (absolute), created (RFC 3339) and owner
	jq -e '.rootfs == $r' --arg r "$BUNDLE/rootfs" <<<"$output" >/dev/null
	jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$")' <<<"$output" >/dev/null
	jq -e '.owner | type == "string"' <<<"$output" >/dev/null
	assert_eq "$(jq -c 'keys' <<<"$output")" \
		'["annotations","bundle","created","id","ociVersion","owner","pid","rootfs","status"]' "state keys"
}

@test "lifecycle: state without annotations has exactly runc's keys" {
	bundle_new
	set_args sleep 100
	rt_create
	run --separate-stderr rt state "$ID"
	assert_status 0
	# runc omits "annotations" when the config has none
	assert_eq "$(jq -c 'keys' <<<"$output")" \
		'["bundle","created","id","ociVersion","owner","pid","rootfs","status"]' "state keys"
}

@test "run: foreground exit code is propagated" {
	bundle_new
	ctr_run sh -c 'echo out; exit 42'
	assert_status 42
	assert_output out
	ctr_run true
	assert_status 0
	assert_no_container
}

@test "run: death by signal gives 128+signal (kill -9 \$\$ outside a pid ns)" {
	bundle_new
	# Without a new pid namespace the shell is not an init process, so it
	# can SIGKILL itself. (Inside a pid ns, init ignores a SIGKILL it sends
	# itself and runc then reports 0.)
	spec_edit '.linux.namespaces |= map(select(.type != "pid"))'
	ctr_run sh -c 'kill -9 $$'
	assert_status 137
	assert_no_container
}

@test "run: SIGKILL delivered by 'kill' to a foreground container gives 137" {
	bundle_new
	set_args sleep 100
	rt run --bundle "$BUNDLE" "$ID" </dev/null >"$CTR_OUT" 2>"$CTR_ERR" 3>&- &
	local runpid=$!
	record_pid "$runpid"
	wait_status running
	run rt kill "$ID" KILL
	assert_status 0
	local rc=0
	wait "$runpid" || rc=$?
	assert_eq "$rc" 137 "exit status of run"
	assert_no_container
}

@test "run: container is removed after a foreground run" {
	bundle_new
	ctr_run echo hello
	assert_status 0
	assert_output hello
	assert_no_container
}

@test "run: --bundle defaults to the current directory" {
	bundle_new
	set_args echo cwd-bundle
	run --separate-stderr bash -c 'cd "$1" && shift && "$@" </dev/null' _ "$BUNDLE" \
		timeout 30 "$RT" --root "$ROOT" run "$ID"
	assert_status 0
	assert_output cwd-bundle
}

@test "run -d: detached container runs and reports running" {
	bundle_new
	set_args sh -c 'echo detached-hello; exec sleep 100'
	run rt_run_d --pid-file "$T/pid"
	assert_status 0
	wait_status running
	wait_file "$CTR_OUT" detached-hello
	local pid
	pid=$(state_field pid)
	assert_eq "$(cat "$T/pid")" "$pid" "pid-file"
	pid_alive "$pid"
	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_no_container
}

@test "pid-file: exact pid, no trailing newline (create)" {
	bundle_new
	set_args sleep 100
	run rt_create --pid-file "$T/pidfile"
	assert_status 0
	local pid content
	pid=$(state_field pid)
	content=$(<"$T/pidfile")
	assert_eq "$content" "$pid" "pid-file content"
	assert_eq "$(stat -c %s "$T/pidfile")" "${#pid}" "pid-file size (no newline)"
}

@test "kill: signal by name, number, SIGNAME and default SIGTERM" {
	bundle_new
	set_args sh -c 'trap "echo got-HUP" HUP; trap "echo got-USR1" USR1; trap "echo got-USR2" USR2;
		trap "echo got-TERM; exit 0" TERM; echo ready; while :; do sleep 0.05; done'
	rt_create
	rt start "$ID"
	wait_file "$CTR_OUT" '^ready$'

	run rt kill "$ID" HUP
	assert_status 0
	wait_file "$CTR_OUT" '^got-HUP$'

	run rt kill "$ID" 10 # SIGUSR1 on x86/arm
	assert_status 0
	wait_file "$CTR_OUT" '^got-USR1$'

	run rt kill "$ID" SIGUSR2
	assert_status 0
	wait_file "$CTR_OUT" '^got-USR2$'

	run rt kill "$ID" # default signal is SIGTERM
	assert_status 0
	wait_file "$CTR_OUT" '^got-TERM$'
	wait_status stopped
}

@test "kill: KILL stops a running container; unknown signal fails" {
	bundle_new
	set_args sleep 100
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)

	run rt kill "$ID" NOSUCHSIGNAL
	assert_fail
	assert_eq "$(state_field status)" running "status after bad signal"

	run rt kill "$ID" KILL
	assert_status 0
	wait_status stopped
	wait_pid_gone "$pid"
}

@test "kill: of a stopped container fails" {
	bundle_new
	set_args true
	rt_create
	rt start "$ID"
	wait_status stopped
	run rt kill "$ID" TERM
	assert_fail
	run rt kill "$ID" KILL
	assert_fail
}

@test "kill/state/delete/start: unknown container id fails" {
	run --separate-stderr rt state "$ID-nope"
	assert_fail
	[[ $stderr == *"does not exist"* ]] || {
		echo "stderr: $stderr" >&2
		false
	}
	run rt kill "$ID-nope" KILL
	assert_fail
	run rt delete "$ID-nope"
	assert_fail
	run rt start "$ID-nope"
	assert_fail
}

@test "delete -f: of an unknown container succeeds (runc)" {
	# runc treats `delete --force` of a missing container as success.
	run rt delete -f "$ID-nope"
	assert_status 0
}

@test "delete: of a running container fails without -f and leaves it running" {
	bundle_new
	set_args sleep 100
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	run rt delete "$ID"
	assert_fail
	assert_eq "$(state_field status)" running "status after failed delete"
	pid_alive "$pid"
}

@test "delete -f: of a running container kills and removes it" {
	bundle_new
	set_args sleep 100
	rt_run_d
	wait_status running
	local pid
	pid=$(state_field pid)
	run rt delete -f "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_no_container
}

@test "delete: of a created (not started) container succeeds (runc)" {
	# runtime-spec says deleting a non-stopped container must fail; runc
	# however kills and removes a container in the "created" state.
	bundle_new
	set_args sleep 100
	rt_create
	local pid
	pid=$(state_field pid)
	run rt delete "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_no_container
}

@test "create: duplicate id fails and leaves the first container intact" {
	bundle_new
	set_args sleep 100
	rt_create
	local pid
	pid=$(state_field pid)
	run rt create --bundle "$BUNDLE" "$ID" </dev/null >>"$CTR_OUT" 2>&1
	assert_fail
	run rt run -d --bundle "$BUNDLE" "$ID" </dev/null >>"$CTR_OUT" 2>&1
	assert_fail
	assert_eq "$(state_field status)" created "status of first container"
	assert_eq "$(state_field pid)" "$pid" "pid of first container"
	run rt start "$ID"
	assert_status 0
	wait_status running
}

@test "start: twice fails; start of a stopped container fails" {
	bundle_new
	set_args sleep 100
	rt_create
	run rt start "$ID"
	assert_status 0
	run rt start "$ID"
	assert_fail
	assert_eq "$(state_field status)" running
	rt kill "$ID" KILL
	wait_status stopped
	run rt start "$ID"
	assert_fail
}

@test "list: -q and --format json" {
	bundle_new
	set_args sleep 100
	# empty root: runc prints "null" for json, nothing for -q
	run --separate-stderr rt list -q
	assert_status 0
	assert_output ""
	run --separate-stderr rt list --format json
	assert_status 0
	jq -e '(. // []) | length == 0' <<<"$output" >/dev/null

	rt_create
	ID2="b-$ID"
	rt create --bundle "$BUNDLE" "$ID2" </dev/null >>"$CTR_OUT" 2>>"$CTR_ERR"
	rt start "$ID2"

	run --separate-stderr rt list -q
	assert_status 0
	assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "$ID" "$ID2" | sort)" "list -q"

	run --separate-stderr rt list --format json
	assert_status 0
	jq -e 'type == "array" and length == 2' <<<"$output" >/dev/null
	jq -e '.[] | select(.id == $id) | .status == "created" and .bundle == $b and .pid > 0' \
		--arg id "$ID" --arg b "$BUNDLE" <<<"$output" >/dev/null
	jq -e '.[] | select(.id == $id) | .status == "running" and .pid > 0' \
		--arg id "$ID2" <<<"$output" >/dev/null
	# runc's list entries carry the same keys as state (+ annotations if any)
	jq -e 'all(.[]; has("ociVersion") and has("id") and has("pid") and has("status")
		and has("bundle") and has("rootfs") and has("created") and has("owner"))' <<<"$output" >/dev/null

	# default table format has a header and one line per container
	run --separate-stderr rt list
	assert_status 0
	assert_line '^ID +PID +STATUS +BUNDLE +CREATED +OWNER'
	assert_line "^$ID +[0-9]+ +created +$BUNDLE "
	assert_line "^$ID2 +[0-9]+ +running +$BUNDLE "
}
