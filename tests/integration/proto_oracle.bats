#!/usr/bin/env bats
# proto/ against containerd's own .proto files as Debian ships them (interfaces.md §8): every
# message, field, enum and method of berth's copies must match field by field, so the shim and
# berthd stay wire-compatible with containerd 1.6 and the Any type_urls resolve. The oracle is
# tests/helpers/proto_oracle.py; it needs protoc, python3-protobuf,
# golang-github-containerd-containerd-dev, golang-github-containerd-cgroups-dev and
# golang-github-gogo-protobuf-dev (contrib/install-deps.sh). A missing one fails the test.

# shellcheck disable=SC2154 # status/output come from bats
load helpers

ORACLE=$IT_HELPERS/proto_oracle.py

@test "proto: berth's .proto files match containerd 1.6's field by field" {
	run "$ORACLE" --ours "$IT_REPO/proto"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"proto_oracle: no differences: 9 files, "* ]]
}

@test "proto: the oracle catches a renumbered field, a retyped field and a changed method" {
	cp -r "$IT_REPO/proto" "$BATS_TEST_TMPDIR/proto"
	local shim=$BATS_TEST_TMPDIR/proto/containerd/task/v2/shim.proto
	local metrics=$BATS_TEST_TMPDIR/proto/cgroups/v1/metrics.proto
	sed -i 's/^\(  string parent_checkpoint =\) 9;/\1 19;/' "$shim"
	sed -i 's/^  rpc Wait(WaitRequest) returns (WaitResponse);/  rpc Wait(WaitRequest) returns (StateResponse);/' "$shim"
	sed -i 's/^  uint64 pg_fault = 9;/  uint32 pg_fault = 9;/' "$metrics"
	run "$ORACLE" --ours "$BATS_TEST_TMPDIR/proto"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"containerd.task.v2.CreateTaskRequest.parent_checkpoint: number: berth 19, containerd 9"* ]]
	[[ $output == *"containerd.task.v2.Task/Wait: output_type: berth .containerd.task.v2.StateResponse, containerd .containerd.task.v2.WaitResponse"* ]]
	[[ $output == *"io.containerd.cgroups.v1.MemoryStat.pg_fault: type: berth uint32, containerd uint64"* ]]
	[[ $output == *"proto_oracle: 4 differences"* ]]
}

@test "proto: a .proto file outside the oracle's table is refused" {
	cp -r "$IT_REPO/proto" "$BATS_TEST_TMPDIR/proto"
	printf 'syntax = "proto3";\npackage berth.extra;\nmessage X { string a = 1; }\n' \
		>"$BATS_TEST_TMPDIR/proto/extra.proto"
	run "$ORACLE" --ours "$BATS_TEST_TMPDIR/proto"
	echo "$output"
	[ "$status" -eq 2 ]
	[[ $output == *"proto/extra.proto has no counterpart in the oracle's table"* ]]
}
