#!/usr/bin/env bats
# `state` and `list` output (interfaces.md 6.4): keys, values and layout as runc 1.1.5 prints them;
# runc is run on the same bundle (with its own --root and id) for the comparisons.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

RFC3339_NANO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{1,9}Z$'

# tabwrite: format tab-separated lines the way runc's `list` does with Go's
# tabwriter.NewWriter(out, 12, 1, 3, ' ', 0): every cell but a line's last is padded to its
# column's width, the widest cell + 3, at least 12.
tabwrite() {
	awk -F'\t' '{
		n[NR] = NF
		for (i = 1; i <= NF; i++) {
			cell[NR, i] = $i
			if (i < NF) {
				w = length($i) + 3
				if (w < 12) w = 12
				if (w > W[i]) W[i] = w
			}
		}
	}
	END {
		for (r = 1; r <= NR; r++) {
			line = ""
			for (i = 1; i < n[r]; i++) line = line sprintf("%-" W[i] "s", cell[r, i])
			print line cell[r, n[r]]
		}
	}'
}

# list_expected JSON: what `list` should print for the containers in `list --format json`.
list_expected() {
	{
		printf 'ID\tPID\tSTATUS\tBUNDLE\tCREATED\tOWNER\n'
		jq -r '.[]? | [.id, (.pid | tostring), .status, .bundle, .created, .owner] | join("\t")' <<<"$1"
	} | tabwrite
}

@test "state: created container: exact keys, indented JSON, values" {
	local pid now created
	set_args sleep 100
	spec_edit '.ociVersion = "1.0.2"'
	ctr_create
	brun state "$ID"
	assert_status 0
	jq -e . <<<"$output" >/dev/null
	assert_eq "$(jq -c 'keys' <<<"$output")" '["bundle","created","id","ociVersion","owner","pid","rootfs","status"]' "keys"
	assert_eq "$(head -n1 <<<"$output")" "{" "first line"
	assert_eq "$(sed -n 2p <<<"$output")" '  "ociVersion": "1.0.2",' "second line"
	assert_eq "$(jq -r .id <<<"$output")" "$ID" "id"
	assert_eq "$(jq -r .status <<<"$output")" created "status"
	assert_eq "$(jq -r .bundle <<<"$output")" "$BUNDLE" "bundle"
	assert_eq "$(jq -r .rootfs <<<"$output")" "$BUNDLE/rootfs" "rootfs"
	assert_eq "$(jq -r .owner <<<"$output")" "" "owner"
	pid=$(jq -r .pid <<<"$output")
	assert_match "$pid" '^[1-9][0-9]*$' "pid"
	[[ -d /proc/$pid ]]
	created=$(jq -r .created <<<"$output")
	assert_match "$created" "$RFC3339_NANO" "created"
	now=$(date -u +%s)
	(($(date -u -d "$created" +%s) <= now && $(date -u -d "$created" +%s) >= now - 60))
}

@test "state: running, then stopped with pid 0" {
	set_args sleep 100
	ctr_run_d
	assert_eq "$(state_field status)" running "status"
	pid=$(state_field pid)
	pid_alive "$pid"
	rt kill "$ID" KILL
	wait_status stopped
	assert_eq "$(state_field pid)" 0 "pid when stopped"
	assert_eq "$(rt state "$ID" | jq -c keys)" '["bundle","created","id","ociVersion","owner","pid","rootfs","status"]' "keys when stopped"
}

@test "state: key set equals runc's for the same bundle, with and without annotations" {
	local b r anno
	set_args sleep 100
	for anno in '{}' '{"a.b": "c", "x": "y"}'; do
		spec_edit '.annotations = $a' --argjson a "$anno"
		ctr_create
		runc_rt create --bundle "$BUNDLE" "$ID-runc" </dev/null >/dev/null 2>"$T/runc.err" || {
			cat "$T/runc.err" >&2
			return 1
		}
		b=$(rt state "$ID" | jq -c '[to_entries[] | [.key, (.value | type)]] | sort')
		r=$(runc_rt state "$ID-runc" | jq -c '[to_entries[] | [.key, (.value | type)]] | sort')
		assert_eq "$b" "$r" "state keys and value types (annotations $anno)"
		assert_eq "$(rt state "$ID" | jq -c .annotations)" "$(runc_rt state "$ID-runc" | jq -c .annotations)" "annotations"
		b=$(rt list --format json | jq -c '[.[0] | to_entries[] | [.key, (.value | type)]] | sort')
		r=$(runc_rt list --format json | jq -c '[.[0] | to_entries[] | [.key, (.value | type)]] | sort')
		assert_eq "$b" "$r" "list --format json keys (annotations $anno)"
		rt delete -f "$ID"
		runc_rt delete -f "$ID-runc"
	done
}

@test "state: works with an empty environment, as podman calls it" {
	set_args sleep 100
	ctr_create
	it_capture timeout -k 5 "$IT_TIMEOUT" env -i XDG_RUNTIME_DIR=/run/user/0 "$BERTH" --root "$ROOT" state "$ID"
	assert_status 0
	assert_eq "$(jq -r .status <<<"$output")" created "status"
}

@test "list: empty root: the header runc prints, -q prints nothing, --format json prints null" {
	brun list
	assert_status 0
	runc_run list
	assert_status 0
	local runc_out=$output
	brun list
	assert_eq "$output" "$runc_out" "header (berth vs runc)"
	assert_eq "$output" "ID          PID         STATUS      BUNDLE      CREATED     OWNER" "header"
	brun list -q
	assert_status 0
	assert_eq "$output" "" "list -q"
	brun list --format json
	assert_status 0
	assert_eq "$output" "null" "list --format json"
	brun list -f json
	assert_eq "$output" "null" "list -f json"
}

@test "list: table columns padded as runc's (min width 12, padding 3)" {
	local json
	set_args sleep 100
	ctr_create
	ID=$ID-second ctr_run_d
	runc_rt create --bundle "$BUNDLE" "$ID-runc" </dev/null >/dev/null 2>&1
	# the formatter reproduces runc's own table ...
	json=$(runc_rt list --format json)
	assert_eq "$(runc_rt list)" "$(list_expected "$json")" "runc list vs tabwriter rules"
	# ... and berth's
	json=$(rt list --format json)
	assert_eq "$(jq length <<<"$json")" 2 "containers in list --format json"
	brun list
	assert_status 0
	assert_eq "$output" "$(list_expected "$json")" "berth list"
	brun list --format table
	assert_eq "$output" "$(list_expected "$json")" "berth list --format table"
}

@test "list: -q and --format json list every container" {
	set_args sleep 100
	ctr_create
	ID=$ID-b ctr_create
	brun list -q
	assert_status 0
	assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "$ID" "$ID-b" | sort)" "list -q"
	brun list --quiet
	assert_eq "$(sort <<<"$output")" "$(printf '%s\n' "$ID" "$ID-b" | sort)" "list --quiet"
	brun list --format json
	assert_status 0
	assert_eq "$(jq -r '.[].id' <<<"$output" | sort)" "$(printf '%s\n' "$ID" "$ID-b" | sort)" "ids in json"
	assert_eq "$(jq -r '[.[].status] | unique | join(",")' <<<"$output")" created "statuses"
	assert_eq "$(jq -r '[.[].owner] | unique | join(",")' <<<"$output")" "$(id -un)" "owner (runc prints the user name)"
	brun list --format yaml
	assert_status 1
	assert_contains "$(errmsg)" "invalid format option"
	rt delete "$ID-b"
}
