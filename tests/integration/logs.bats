#!/usr/bin/env bats
# --log / --log-format (interfaces.md 6.4): containerd decodes the file as JSON objects and takes the
# last "error" msg; podman reads it as ONE object. So: one line per failure, nothing on success,
# RFC 3339 times, and the bare message on stderr as well.

# shellcheck disable=SC2016,SC2154 # sh and jq text in single quotes; status/output/stderr come from helpers
load helpers

setup() { bundle_new; }
teardown() { bundle_cleanup; }

RFC3339='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$'

# a config that fails validation in create
bad_cwd() {
	set_args true
	spec_edit '.process.cwd = "rel"'
}

@test "logs: failing create with --log-format json writes exactly one error line" {
	local line t
	bad_cwd
	brun --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(wc -l <"$T/log.json")" 1 "lines in the log"
	line=$(cat "$T/log.json")
	jq -e 'type == "object"' <<<"$line" >/dev/null
	assert_eq "$(jq -c 'keys' <<<"$line")" '["level","msg","time"]' "keys"
	assert_eq "$(jq -r .level <<<"$line")" error "level"
	assert_eq "$(jq -r .msg <<<"$line")" 'config.json: process.cwd: "rel" is not an absolute path' "msg"
	t=$(jq -r .time <<<"$line")
	assert_match "$t" "$RFC3339" "time"
	date -d "$t" >/dev/null
	# podman reads the whole file as one JSON object
	python3 -c 'import json, sys; json.loads(open(sys.argv[1]).read())' "$T/log.json"
	# runc also prints the bare message on stderr: containerd's shim puts stderr in its error
	assert_eq "$stderr" 'config.json: process.cwd: "rel" is not an absolute path' "stderr"
	assert_no_container
}

@test "logs: the log file is appended to, and created 0644" {
	bad_cwd
	brun --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	brun --log "$T/log.json" --log-format json state "$ID"
	assert_status 1
	assert_eq "$(wc -l <"$T/log.json")" 2 "lines after two failures"
	assert_eq "$(jq -r .msg "$T/log.json" | tail -n1)" "container does not exist" "second msg"
	assert_eq "$(jq -r .msg "$T/log.json" | head -n1)" 'config.json: process.cwd: "rel" is not an absolute path' "first msg kept"
	assert_eq "$(stat -c %a "$T/log.json")" 644 "mode"
}

@test "logs: a failure inside the container's init is one line too" {
	set_args nosuchbinary
	brun --log "$T/log.json" --log-format json run -d --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(wc -l <"$T/log.json")" 1 "lines in the log"
	assert_eq "$(jq -r 'select(.level == "error") | .msg' "$T/log.json")" 'exec: "nosuchbinary": executable file not found in $PATH' "msg"
	assert_no_container
}

@test "logs: a successful lifecycle writes nothing at default verbosity" {
	local f
	set_args sleep 100
	for f in json text; do
		rm -f "$T/log"
		brun --log "$T/log" --log-format "$f" create --bundle "$BUNDLE" "$ID"
		assert_status 0
		brun --log "$T/log" --log-format "$f" start "$ID"
		assert_status 0
		brun --log "$T/log" --log-format "$f" state "$ID"
		assert_status 0
		brun --log "$T/log" --log-format "$f" kill "$ID" KILL
		assert_status 0
		wait_status stopped
		brun --log "$T/log" --log-format "$f" delete "$ID"
		assert_status 0
		assert_eq "$stderr" "" "stderr of delete"
		[[ -e $T/log && ! -s $T/log ]] || {
			echo "--log-format $f: log not created or not empty: $(cat "$T/log" 2>&1)" >&2
			return 1
		}
	done
}

@test "logs: --log-format text writes logrus text lines" {
	local line
	bad_cwd
	brun --log "$T/log.txt" --log-format text create --bundle "$BUNDLE" "$ID"
	assert_status 1
	assert_eq "$(wc -l <"$T/log.txt")" 1 "lines in the log"
	line=$(cat "$T/log.txt")
	assert_match "$line" '^time="[^"]+" level=error msg=".*"$' "line"
	assert_match "$(sed -E 's/^time="([^"]+)".*/\1/' <<<"$line")" "$RFC3339" "time"
	assert_eq "${line#* level=error }" 'msg="config.json: process.cwd: \"rel\" is not an absolute path"' "msg"
	assert_eq "$stderr" 'config.json: process.cwd: "rel" is not an absolute path' "stderr"
}

@test "logs: --log-format json without --log writes the JSON line to stderr" {
	brun --log-format json state "nosuch-$ID"
	assert_status 1
	assert_eq "$(jq -c '[.level, .msg]' <<<"$stderr")" '["error","container does not exist"]' "stderr"
	assert_match "$(jq -r .time <<<"$stderr")" "$RFC3339" "time"
}

@test "logs: without --log the error is a logrus text line on stderr, as runc prints it" {
	runc_run state "nosuch-$ID"
	assert_status 1
	assert_match "$stderr" '^time="[^"]+" level=error msg="container does not exist"$' "runc's stderr"
	brun state "nosuch-$ID"
	assert_status 1
	assert_match "$stderr" '^time="[^"]+" level=error msg="container does not exist"$' "berth's stderr"
}

@test "logs: --log-format bogus fails" {
	brun --log-format bogus list
	assert_status 1
	assert_contains "$(errmsg)" "invalid log-format: bogus"
	brun --log-format=bogus list
	assert_status 1
	assert_contains "$(errmsg)" "invalid log-format: bogus"
}

@test "logs: --debug adds debug lines that are still valid JSON with RFC 3339 times" {
	bad_cwd
	brun --debug --log "$T/log.json" --log-format json create --bundle "$BUNDLE" "$ID"
	assert_status 1
	jq -e -s 'all(.[]; (.level | type == "string") and (.msg | type == "string") and (.time | type == "string"))' "$T/log.json" >/dev/null
	jq -r '.time' "$T/log.json" | while read -r t; do
		assert_match "$t" "$RFC3339" "time"
	done
	# containerd takes the msg of the last "error" line
	assert_eq "$(jq -r 'select(.level == "error") | .msg' "$T/log.json" | tail -n1)" \
		'config.json: process.cwd: "rel" is not an absolute path' "last error msg"
}
