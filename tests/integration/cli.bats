#!/usr/bin/env bats
# runc's command line as callers use it (interfaces.md 6.1-6.3): error wordings containerd and
# podman match on, exit codes, flag spellings, signals, --version, features, spec, checkpoint.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

# ---------------------------------------------------------------------------
# errors callers parse

@test "cli: state, kill, delete, start of an unknown id: exit 1, container does not exist" {
	local verb
	for verb in state kill delete start; do
		brun "$verb" nosuch-"$ID"
		assert_status 1
		assert_contains "$(errmsg)" "container does not exist" "$verb nosuch"
		assert_eq "$output" "" "$verb nosuch: stdout"
		# runc prints the same
		runc_run "$verb" nosuch-"$ID"
		assert_status 1
		assert_contains "$(errmsg)" "container does not exist" "runc $verb nosuch"
	done
	brun kill nosuch-"$ID" KILL
	assert_status 1
	assert_contains "$(errmsg)" "container does not exist" "kill nosuch KILL"
}

@test "cli: delete --force of an unknown id succeeds silently" {
	brun delete --force nosuch-"$ID"
	assert_status 0
	assert_eq "$output$stderr" "" "output"
	brun delete -f nosuch-"$ID"
	assert_status 0
}

@test "cli: delete of a half-made state dir removes it; only --force reports success" {
	mkdir "$ROOT/$ID"
	touch "$ROOT/$ID/junk"
	brun list -q
	assert_status 0
	assert_eq "$output" "" "list -q with a half-made state dir"
	brun delete "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "container does not exist"
	[[ ! -e $ROOT/$ID ]]
	mkdir "$ROOT/$ID"
	brun delete --force "$ID"
	assert_status 0
	[[ ! -e $ROOT/$ID ]]
}

@test "cli: duplicate create: container with given ID already exists, first one intact" {
	local pid
	set_args sleep 100
	ctr_create
	pid=$(state_field pid)
	brun create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "container with given ID already exists"
	assert_eq "$(state_field status)" created "status of the first container"
	assert_eq "$(state_field pid)" "$pid" "pid of the first container"
	pid_alive "$pid"
	# the same through run
	brun run -d --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "container with given ID already exists"
	assert_eq "$(state_field pid)" "$pid" "pid of the first container"
}

@test "cli: kill of a stopped container: container not running; kill --all succeeds" {
	set_args sleep 100
	ctr_run_d
	rt kill "$ID" KILL
	wait_status stopped
	brun kill "$ID" KILL
	assert_status 1
	assert_contains "$(errmsg)" "container not running"
	brun kill "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "container not running"
	# runc 1.1.5: `kill --all` of a stopped container whose cgroup is gone succeeds
	brun kill --all "$ID" KILL
	assert_status 0
}

@test "cli: delete of a running container without -f is refused with runc's wording" {
	local pid
	set_args sleep 100
	ctr_run_d
	pid=$(state_field pid)
	brun delete "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "cannot delete container $ID that is not stopped: running"
	pid_alive "$pid"
	assert_eq "$(state_field status)" running "status after refused delete"
	brun delete --force "$ID"
	assert_status 0
	wait_pid_gone "$pid"
	assert_no_container
}

@test "cli: start of a running or stopped container uses runc's wording" {
	set_args sleep 100
	ctr_run_d
	brun start "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "cannot start an already running container"
	rt kill "$ID" KILL
	wait_status stopped
	brun start "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "cannot start a container that has stopped"
}

@test "cli: missing and extra arguments" {
	brun state
	assert_status 1
	assert_contains "$(errmsg)" '"state" requires exactly 1 argument(s)'
	brun state a b
	assert_status 1
	assert_contains "$(errmsg)" '"state" requires exactly 1 argument(s)'
	brun create --bundle "$BUNDLE" "$ID" extra
	assert_status 1
	assert_contains "$(errmsg)" '"create" requires exactly 1 argument(s)'
	brun kill
	assert_status 1
	assert_no_container
}

@test "cli: unknown flag: exit 1, flag provided but not defined" {
	local spelled
	for spelled in --nope -nope --nope=1; do
		brun list "$spelled"
		assert_status 1
		assert_contains "$(errmsg)" "flag provided but not defined: -nope" "list $spelled"
	done
	brun --nope list
	assert_status 1
	assert_contains "$(errmsg)" "flag provided but not defined: -nope" "global --nope"
	brun create --nope --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "flag provided but not defined: -nope" "create --nope"
	assert_no_container
}

@test "cli: unknown command exits 3 like runc" {
	runc_run frobnicate
	assert_status 3
	brun frobnicate
	assert_status 3
	assert_contains "$(errmsg)" "No help topic for 'frobnicate'"
}

@test "cli: invalid container ids are refused and leave nothing" {
	local id
	set_args true
	for id in "" "a/b" ".." "../x"; do
		brun run --bundle "$BUNDLE" "$id"
		assert_status 1
		[[ -z $(ls -A "$ROOT") ]] || {
			echo "id '$id' left state: $(ls -A "$ROOT")" >&2
			return 1
		}
	done
	brun run --bundle "$BUNDLE" ""
	assert_contains "$(errmsg)" "container id cannot be empty"
}

# ---------------------------------------------------------------------------
# flag spellings (urfave/cli as runc parses them)

@test "cli: --bundle spellings, flags after the id, bundle from cwd" {
	local n=0 i form
	set_args sleep 100
	for form in "--bundle=$BUNDLE" "-b $BUNDLE" "-bundle $BUNDLE" "-bundle=$BUNDLE" "--bundle $BUNDLE" after cwd relative; do
		n=$((n + 1))
		case $form in
		after) it_capture rt create "$ID-$n" -b "$BUNDLE" ;;
		cwd) it_capture sh -c 'cd "$1" && shift && exec "$@"' sh "$BUNDLE" \
			timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root "$ROOT" create "$ID-$n" ;;
		relative) it_capture sh -c 'cd "$1" && shift && exec "$@"' sh "$T" \
			timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root "$ROOT" create -b bundle "$ID-$n" ;;
		*)
			# shellcheck disable=SC2086 # the form is one or two words
			it_capture rt create $form "$ID-$n"
			;;
		esac
		assert_status 0
		assert_eq "$(state_field bundle "$ID-$n")" "$BUNDLE" "bundle for '$form'"
		assert_eq "$(state_field status "$ID-$n")" created "status for '$form'"
	done
	for ((i = 1; i <= n; i++)); do rt delete "$ID-$i"; done
	for ((i = 1; i <= n; i++)); do assert_no_container "$ID-$i"; done
}

@test "cli: global flags in all spellings" {
	set_args true
	it_capture timeout -k 5 "$IT_TIMEOUT" "$BERTH" --root="$ROOT" run --bundle "$BUNDLE" "$ID-1"
	assert_status 0
	it_capture timeout -k 5 "$IT_TIMEOUT" "$BERTH" -root "$ROOT" run --bundle "$BUNDLE" "$ID-2"
	assert_status 0
	it_capture timeout -k 5 "$IT_TIMEOUT" "$BERTH" -root="$ROOT" --log="$T/log" --log-format=json --debug=false run --bundle "$BUNDLE" "$ID-3"
	assert_status 0
	[[ ! -s $T/log ]]
}

@test "cli: boolean flags as --flag, -flag and --flag=true|false; go-runc's -no-subreaper" {
	set_args sleep 100
	brun run -d=true -no-subreaper --no-pivot --no-new-keyring --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$(state_field status)" running "status"
	brun delete -f=false "$ID"
	assert_status 1
	assert_contains "$(errmsg)" "that is not stopped: running"
	brun delete --force=true "$ID"
	assert_status 0
	assert_no_container
}

@test "cli: create accepts --detach (go-runc may emit it)" {
	set_args sleep 100
	brun create --detach --bundle "$BUNDLE" "$ID"
	assert_status 0
	assert_eq "$(state_field status)" created "status"
}

# ---------------------------------------------------------------------------
# signals

@test "cli: kill signal spellings KILL, SIGKILL, 9, sigkill, Kill" {
	local sig
	set_args sleep 100
	for sig in KILL SIGKILL 9 sigkill Kill; do
		ctr_run_d
		brun kill "$ID" "$sig"
		assert_status 0
		wait_status stopped
		rt delete "$ID"
	done
}

@test "cli: kill -a and --all with a signal name" {
	local flag
	set_args sleep 100
	for flag in -a --all; do
		ctr_run_d
		brun kill "$flag" "$ID" KILL
		assert_status 0
		wait_status stopped
		rt delete "$ID"
	done
	# flags after the id too
	ctr_run_d
	brun kill "$ID" KILL --all
	assert_status 0
	wait_status stopped
}

@test "cli: kill defaults to SIGTERM" {
	# init of a pid namespace only gets signals it handles: trap TERM
	spec_edit '.root.readonly = false'
	set_args sh -c 'trap "exit 0" TERM; touch /tmp/trapped; while :; do sleep 0.05; done'
	ctr_run_d
	wait_file "$BUNDLE/rootfs/tmp/trapped"
	brun kill "$ID"
	assert_status 0
	wait_status stopped
}

@test "cli: kill with signal 0 probes a running container like runc" {
	set_args sleep 100
	ctr_run_d
	# (runc gets its own id: both would otherwise make the cgroup /$ID)
	runc_run run -d --bundle "$BUNDLE" "$ID-runc"
	assert_status 0
	runc_run kill "$ID-runc" 0
	assert_status 0 # runc 1.1.5: kill(pid, 0) succeeds
	brun kill "$ID" 0
	assert_status 0
	assert_eq "$(state_field status)" running "status after signal 0"
}

@test "cli: kill with an unknown signal name" {
	set_args sleep 100
	ctr_run_d
	brun kill "$ID" FOO
	assert_status 1
	assert_contains "$(errmsg)" 'unknown signal "FOO"'
	assert_eq "$(state_field status)" running "status after bad kill"
}

# ---------------------------------------------------------------------------
# --version, features, spec, checkpoint

@test "cli: --version and -v" {
	local f
	for f in --version -v; do
		brun "$f"
		assert_status 0
		assert_match "${output%%$'\n'*}" '^berth version [^ ]+' "first line of $f"
		grep -qE '^commit: .+' <<<"$output"
		grep -qE '^spec: 1\.[0-9]+\.[0-9]+' <<<"$output"
	done
}

@test "cli: features is JSON with the runtime-spec features keys" {
	local runc_hooks
	brun features
	assert_status 0
	jq -e . <<<"$output" >/dev/null
	jq -e '(.ociVersionMin | test("^1\\.0\\.")) and (.ociVersionMax | test("^1\\."))' <<<"$output" >/dev/null
	jq -e '(.hooks | type == "array") and (.mountOptions | type == "array" and length > 0)' <<<"$output" >/dev/null
	jq -e '.linux.namespaces as $n | ["cgroup","ipc","mount","network","pid","user","uts"] - $n == []' <<<"$output" >/dev/null
	jq -e '(.mountOptions | index("rbind")) and (.mountOptions | index("ro"))' <<<"$output" >/dev/null
	# indented, as runc prints it
	assert_match "$(sed -n 2p <<<"$output")" '^[[:space:]]+"ociVersionMin": ' "second line (indented)"
	# the hooks runc 1.1.5 knows, at least
	runc_hooks=$(runc_rt features | jq -c .hooks)
	jq -e --argjson r "$runc_hooks" '$r - .hooks == []' <<<"$output" >/dev/null
}

@test "cli: spec writes a config.json that berth can run, and refuses to overwrite it" {
	local dir=$T/fresh
	mkdir "$dir"
	cp -a "$BUNDLE/rootfs" "$dir/rootfs"
	it_capture timeout -k 5 "$IT_TIMEOUT" sh -c 'cd "$1" && exec "$2" spec' sh "$dir" "$BERTH"
	assert_status 0
	jq -e '.process.terminal == true and .root.path == "rootfs"' "$dir/config.json" >/dev/null
	BUNDLE=$dir spec_edit '.process.terminal = false | .process.args = ["echo", "hello from spec"]'
	brun run --bundle "$dir" "$ID"
	assert_status 0
	assert_eq "$output" "hello from spec" "container output"
	assert_no_container

	cp "$dir/config.json" "$T/before.json"
	brun spec --bundle "$dir"
	assert_status 1
	assert_contains "$(errmsg)" "config.json exists. Remove it first"
	cmp "$dir/config.json" "$T/before.json"
	[[ -z $(find "$dir" -maxdepth 1 -name '.*') ]]
}

@test "cli: spec --rootless has a user namespace and mappings to the caller" {
	local dir=$T/rootless
	mkdir "$dir"
	brun spec --rootless --bundle "$dir"
	assert_status 0
	jq -e '[.linux.namespaces[].type] | index("user") and (index("network") | not)' "$dir/config.json" >/dev/null
	jq -e --argjson u "$(id -u)" --argjson g "$(id -g)" \
		'.linux.uidMappings == [{"containerID": 0, "hostID": $u, "size": 1}] and
		 .linux.gidMappings == [{"containerID": 0, "hostID": $g, "size": 1}]' "$dir/config.json" >/dev/null
}

@test "cli: checkpoint --help and restore --help succeed with runc's flags (podman probes support with them)" {
	local f
	brun checkpoint --help
	assert_status 0
	for f in image-path work-path parent-path leave-running tcp-established ext-unix-sk shell-job \
		lazy-pages status-fd page-server file-locks pre-dump manage-cgroups-mode empty-ns auto-dedup; do
		assert_contains "$output" "--$f" "checkpoint --help"
	done
	brun restore --help
	assert_status 0
	for f in console-socket image-path work-path tcp-established ext-unix-sk shell-job file-locks \
		manage-cgroups-mode bundle detach pid-file no-subreaper no-pivot empty-ns auto-dedup lazy-pages \
		lsm-profile lsm-mount-context; do
		assert_contains "$output" "--$f" "restore --help"
	done
	brun features
	assert_eq "$(jq -r '.annotations["org.opencontainers.berth.checkpoint.enabled"]' <<<"$output")" true
}
