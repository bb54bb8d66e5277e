#!/bin/bash
# tests/run-all.sh: the whole test suite, as the README gives it and .ci/run runs it (as root,
# from the source tree):
#   1. build with gcc and install (the integration tests run the installed binaries)
#   2. unit tests (cmocka)
#   3. build with clang, -Werror
#   4. build with -fsanitize=address,undefined and run the unit tests under the sanitizers
#   5. integration tests (bats) against the installed berth
#   6. the conformance suite against runc, then against berth
#   7. the conformance files that involve cgroups again, against runc and berth, in a private
#      cgroup2-only view (conformance/run.sh CONF_CGROUP_VIEW=v2): berth's cgroup v2 code on a
#      hybrid or legacy host
# Ends with the line "N passed, N failed, N skipped"; exits non-zero if anything failed.
set -u
cd "$(dirname "$0")/.."
top=$PWD
work=$(mktemp -d /tmp/berth-tests.XXXXXX)
trap 'rm -rf "$work"' EXIT
passed=0 failed=0 skipped=0
jobs=$(nproc 2>/dev/null || echo 2)

say() { printf '\n=== %s\n' "$*"; }

# One pass/fail for a whole command (builds).
check() {
        local name=$1
        shift
        if "$@" >"$work/out" 2>&1; then
                echo "ok - $name"
                passed=$((passed + 1))
        else
                echo "not ok - $name"
                tail -n 40 "$work/out" | sed 's/^/#   /'
                failed=$((failed + 1))
        fi
}

# Count the TAP lines of a command's output (bats, cmocka with CMOCKA_MESSAGE_OUTPUT=TAP).
# A command that fails without reporting a failed test counts as one failure itself.
tap() {
        local name=$1
        shift
        local out="$work/tap.$RANDOM" rc p f s
        "$@" >"$out" 2>&1
        rc=$?
        cat "$out"
        s=$(grep -cE '^ok .*# ?[Ss][Kk][Ii][Pp]' "$out")
        p=$(grep -E '^ok ' "$out" | grep -cvE '# ?[Ss][Kk][Ii][Pp]')
        f=$(grep -cE '^not ok ' "$out")
        passed=$((passed + p))
        failed=$((failed + f))
        skipped=$((skipped + s))
        if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
                echo "not ok - $name exited with status $rc without a failed test"
                failed=$((failed + 1))
        fi
        if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
                echo "not ok - $name ran no test"
                failed=$((failed + 1))
        fi
}

# A copy of the tracked sources, for out-of-tree builds with other compilers and flags.
copy_tree() {
        mkdir -p "$1"
        git ls-files -co --exclude-standard -z | grep -zvE '^(bench/results|tests/unit/test_[a-z_]+$)' |
                tar -c --null -T - | tar -x -C "$1"
}

unit_tests() { # dir
        local t rc=0
        for t in "$1"/tests/unit/test_*; do
                [ -x "$t" ] && [ -f "$t" ] || continue
                case "$t" in *.c | *.o | *.log | *.trs) continue ;; esac
                CMOCKA_MESSAGE_OUTPUT=TAP "$t" || rc=1
        done
        return $rc
}

say "build (gcc) and install"
check "build with gcc -Werror" sh -c './autogen.sh && ./configure -q && make -s -j'"$jobs"' && make -s -j'"$jobs"' check TESTS= && make -s install'
BERTH=$(command -v berth || echo /usr/local/sbin/berth)
export BERTH
echo "# installed: $BERTH ($("$BERTH" --version | head -n1))"

say "unit tests (cmocka)"
tap "unit tests" unit_tests "$top"

say "build (clang)"
copy_tree "$work/clang"
check "build with clang -Werror" sh -c "cd '$work/clang' && ./autogen.sh && ./configure -q CC=clang && make -s -j$jobs && make -s -j$jobs check TESTS="

say "unit tests under address and undefined-behaviour sanitizers"
copy_tree "$work/asan"
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all -g -O1"
check "build with sanitizers" sh -c "cd '$work/asan' && ./autogen.sh && ./configure -q CFLAGS='$san' LDFLAGS='-fsanitize=address,undefined' && make -s -j$jobs && make -s -j$jobs check TESTS="
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 tap "sanitized unit tests" unit_tests "$work/asan"

say "integration tests (bats) against $BERTH"
tap "integration tests" tests/integration/run.sh

say "conformance suite against runc"
RUNTIME=$(command -v runc) tap "conformance (runc)" conformance/run.sh

say "conformance suite against berth"
RUNTIME=$BERTH tap "conformance (berth)" conformance/run.sh

# The files that create, read or remove cgroups. resources.bats skips, naming the controller, what
# the view's cgroup2 hierarchy lacks. devices_v2.bats is not repeated here: it already runs every
# test in a cgroup2 view of its own in the run above, the same view this one would give it.
v2_files=
for f in cgroups devices events exec kill lifecycle namespaces pause resources; do
        [ -f "conformance/$f.bats" ] && v2_files="$v2_files conformance/$f.bats"
done

say "conformance (cgroup files) in a cgroup2 view, against runc"
# shellcheck disable=SC2086
CONF_CGROUP_VIEW=v2 RUNTIME=$(command -v runc) tap "conformance v2 view (runc)" conformance/run.sh $v2_files

say "conformance (cgroup files) in a cgroup2 view, against berth"
# shellcheck disable=SC2086
CONF_CGROUP_VIEW=v2 RUNTIME=$BERTH tap "conformance v2 view (berth)" conformance/run.sh $v2_files

echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
