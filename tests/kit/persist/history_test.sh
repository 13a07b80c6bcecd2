#!/bin/sh
# A finding that needs earlier inputs of the process: four inputs replayed in one process
# (a ping, alice's session, bob's, carol's) break the server's check on the last; the kit
# writes the runs before it as a history file; in a fresh process the last input alone
# does not reproduce, with the history it does, and repro and minimize name the two runs it
# needs. Argument: the server harness's tool.
set -eu
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
fail() { echo "FAIL: $*" >&2; exit 1; }
dir=${TEST_TMPDIR:-$(mktemp -d)}
cd "$dir"
printf 'threads 1\nt0 srv.ping\n' >0.txt
for name in alice bob carol; do printf 'threads 1\nt0 srv.open "%s"\n' "$name" >"$name.txt"; done
OB_HISTORY_PREFIX="$dir/" "$tool" replay 0.txt alice.txt bob.txt carol.txt >replay.log 2>&1 &&
    fail "no finding: $(cat replay.log)"
grep -q 'carol.txt: invariant' replay.log || fail "not found on carol: $(tail -5 replay.log)"
history=$(ls "$dir"/history-*.txt) || fail "no history file: $(cat replay.log)"
grep -q "history: this process made .* runs before this input" replay.log || fail "no note"
"$tool" repro carol.txt >alone.log 2>&1 && fail "reproduced alone: $(cat alone.log)"
grep -q '^did not reproduce' alone.log || fail "alone: $(cat alone.log)"
"$tool" repro --history "$history" carol.txt >with.log 2>&1 || fail "with history: $(cat with.log)"
grep -q '^reproduced: invariant' with.log || fail "with: $(cat with.log)"
grep -q '^history-dependent: in a fresh process carol.txt needs 2 of the ' with.log ||
    fail "not labelled: $(cat with.log)"
grep -q '"alice"' carol.txt.history.txt && grep -q '"bob"' carol.txt.history.txt ||
    fail "needed runs: $(cat carol.txt.history.txt)"
if grep -q 'srv.ping' carol.txt.history.txt; then fail "the ping kept"; fi
"$tool" repro --history carol.txt.history.txt carol.txt >short.log 2>&1 || fail "$(cat short.log)"
"$tool" minimize --history "$history" carol.txt >min.log 2>&1 || fail "minimize: $(cat min.log)"
grep -q 'needs 2 of the ' min.log || fail "minimize without history: $(cat min.log)"
[ -s carol.txt.min.history.txt ] || fail "no history beside the minimized input"
echo "PASS: history-dependent finding reproduced in a fresh process with 2 of its earlier runs"
