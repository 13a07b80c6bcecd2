#!/bin/sh
# A crash saved before an operation was added to the table still reproduces after: its
# program text does, by operation names, and its minimized bytes are reported stale with
# what they decode to now, never as "does not reproduce". Arguments: the tool before and
# after the change.
set -eu
old=$1 new=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
dir=${TEST_TMPDIR:-$(mktemp -d)}
printf 'threads 1\nt0 kv.put "a"\nt0 kv.put "b"\nt0 kv.del "c"\nt0 kv.put "d"\n' >"$dir/crash.txt"
"$old" assemble "$dir/crash.txt" "$dir/crash"
"$old" minimize "$dir/crash" >"$dir/min.log" 2>&1 || { cat "$dir/min.log" >&2; fail "minimize"; }
grep -q 'kv.del' "$dir/crash.min.txt" || fail "minimized to $(cat "$dir/crash.min.txt")"
sig=$("$old" signature "$dir/crash.min" 2>/dev/null) && rc=0 || rc=$?
[ "$rc" -eq 1 ] || fail "the old tool's signature exited $rc"
# The newer table: the text reproduces with the same signature.
"$new" repro "$dir/crash.min.txt" >"$dir/text.log" 2>&1 || { cat "$dir/text.log" >&2; fail "text"; }
grep -q '^reproduced: invariant' "$dir/text.log" || fail "text: $(cat "$dir/text.log")"
[ "$("$new" signature "$dir/crash.min.txt" 2>/dev/null)" = "$sig" ] || fail "another signature"
# The bytes saved for the old table are stale, and say what they decode to now.
"$new" repro "$dir/crash.min" >"$dir/bytes.log" 2>&1 && rc=0 || rc=$?
grep -q 'is stale: it was saved for an operation table with fingerprint' "$dir/bytes.log" ||
    fail "no stale notice: $(cat "$dir/bytes.log")"
grep -q '^t0 kv\.' "$dir/bytes.log" || fail "no program decoded now"
if grep -q 'runs clean on this build' "$dir/bytes.log"; then fail "stale taken for clean"; fi
# Replaying it (the regression test's way) is an error, not a pass.
"$new" replay "$dir/crash.min" >"$dir/replay.log" 2>&1 && rc=0 || rc=$?
[ "$rc" -eq 2 ] || fail "replay of a stale input exited $rc"
# The old tool still takes its own bytes.
[ "$("$old" signature "$dir/crash.min" 2>/dev/null)" = "$sig" ] || fail "old bytes, old tool"
echo "PASS: $sig reproduced from text after the table changed; bytes reported stale"
