#!/bin/sh
# calibrate: a 600-deep document is more than the 64 KiB fibers' budget allows; calibrate
# says so, names the input and the fiber size that fits it, and with that size the
# regression replay passes. A shallow one fits the default. Argument: the nest tool.
set -eu
tool=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
if grep -q __tsan_init "$tool"; then
    echo "SKIP: stack budgets are measured in the AddressSanitizer build"
    exit 0
fi
dir=${TEST_TMPDIR:-$(mktemp -d)}
mkdir -p "$dir/in"
printf 'threads 1\nt0 parse "["*600 + "1" + "]"*600\n' >"$dir/in/deep.txt"
printf 'threads 1\nt0 parse "[1,2]"\n' >"$dir/in/small.txt"
rc=0
"$tool" calibrate "$dir/in" >"$dir/out" 2>"$dir/err" || rc=$?
cat "$dir/out"
[ "$rc" -eq 1 ] || fail "calibrate exited $rc; 1 (fibers too small) was expected"
grep -q "deep.txt)$" "$dir/out" || fail "the deepest input is not named"
kib=$(sed -n 's/.*set fiber_stack = \([0-9]*\) (KiB).*/\1/p' "$dir/out")
[ -n "$kib" ] && [ "$kib" -gt 64 ] || fail "no fiber size advised: $(cat "$dir/out")"
"$tool" replay "$dir/in/deep.txt" >/dev/null 2>&1 && fail "deep.txt passes on 64 KiB fibers"
OB_DETECT="fiber_stack=$kib" "$tool" replay "$dir/in/deep.txt" >/dev/null 2>&1 ||
    fail "deep.txt still fails with fiber_stack=$kib"
"$tool" calibrate "$dir/in/small.txt" | grep -q ": enough$" || fail "small.txt does not fit"
echo "PASS: fiber_stack = $kib KiB advised and enough"
