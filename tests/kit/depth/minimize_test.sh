#!/bin/sh
# Repeated pieces shrink under minimization: ten thousand brackets that overflow the fiber
# come back as the fewest opening brackets that still do (a bisection of the count), with
# the closing ones dropped. Argument: the nest harness's tool.
set -eu
tool=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
# Stack overflows are reported by AddressSanitizer; a ThreadSanitizer build has none.
if grep -q __tsan_init "$tool"; then
    echo "SKIP: stack overflow reports need the AddressSanitizer build"
    exit 0
fi
dir=${TEST_TMPDIR:-$(mktemp -d)}
printf 'threads 1\nt0 parse "["*5000 + "1" + "]"*5000\n' >"$dir/deep.txt"
"$tool" assemble "$dir/deep.txt" "$dir/deep"
size=$(wc -c <"$dir/deep")
[ "$size" -lt 40 ] || fail "10001 bytes of argument took $size bytes of input"
sig=$("$tool" signature "$dir/deep" 2>/dev/null) && rc=0 || rc=$?
[ "$rc" -eq 1 ] || fail "signature exited $rc: $sig"
"$tool" minimize "$dir/deep" >"$dir/min.log" 2>&1 || { cat "$dir/min.log" >&2; fail "minimize"; }
line=$(grep '^t0 parse' "$dir/deep.min.txt") || fail "no parse line in $(cat "$dir/deep.min.txt")"
count=$(echo "$line" | sed -n 's/^t0 parse "\["\*\([0-9]*\).*/\1/p')
[ -n "$count" ] || fail "not a repeated bracket: $line"
[ "$count" -lt 5000 ] && [ "$count" -gt 50 ] || fail "count $count: not bisected"
case $line in *']'*) fail "closing brackets kept: $line" ;; esac
[ "$("$tool" signature "$dir/deep.min" 2>/dev/null)" = "$sig" ] || fail "another signature"
# One bracket fewer no longer overflows: the count is the smallest that does.
printf 'threads 1\nt0 parse "["*%s\n' "$((count - 1))" >"$dir/less.txt"
"$tool" assemble "$dir/less.txt" "$dir/less"
[ "$("$tool" signature "$dir/less" 2>/dev/null)" != "$sig" ] || fail "$((count - 1)) still overflows"
echo "PASS: $sig: 5000 + 1 + 5000 -> $line"
