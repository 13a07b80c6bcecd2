#!/bin/sh
# Bounded or unbounded (harness/kit/ob_depth.h): the same deep inputs to a parser without a
# nesting limit and to its twin with a limit of 1000, which is deeper than 64 KiB fibers
# hold. The unlimited one is the bug (stack-overflow, stack-budget); the limited one is
# stack-bounded, with the fiber size that holds it, and that size makes it pass.
# Argument: the nest tool.
set -eu
tool=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
if grep -q __tsan_init "$tool"; then
    echo "SKIP: stack reports need the AddressSanitizer build"
    exit 0
fi
dir=${TEST_TMPDIR:-$(mktemp -d)}
class_of() { # op count -> class
    printf 'threads 1\nt0 %s "["*%s\n' "$1" "$2" >"$dir/$1-$2.txt"
    "$tool" assemble "$dir/$1-$2.txt" "$dir/$1-$2"
    "$tool" signature "$dir/$1-$2" 2>/dev/null | cut -d' ' -f1
}
check() { # op count class
    got=$(class_of "$1" "$2")
    [ "$got" = "$3" ] || fail "$1 \"[\"*$2: $got, not $3"
    echo "ok: $1 \"[\"*$2 is $3"
}
check parse 5000 stack-overflow
check parse 500 stack-budget
check parse.limited 5000 stack-bounded
check parse.limited 500 stack-bounded
"$tool" signature "$dir/parse.limited-5000" >"$dir/log" 2>&1 && fail "no finding"
kib=$(sed -n 's/.*(fiber_stack = \([0-9]*\)).*/\1/p' "$dir/log" | head -1)
[ -n "$kib" ] || fail "no fiber size in the stack-bounded report: $(grep -m3 . "$dir/log")"
OB_DETECT="fiber_stack=$kib" "$tool" replay "$dir/parse.limited-5000" >/dev/null 2>&1 ||
    fail "fiber_stack=$kib does not hold the limited parser"
OB_DETECT="fiber_stack=$kib" "$tool" replay "$dir/parse-5000" >/dev/null 2>&1 &&
    fail "fiber_stack=$kib hides the unlimited parser's overflow"
echo "PASS: bounded at fiber_stack = $kib KiB; the unbounded twin still fails there"
