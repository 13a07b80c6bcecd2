#!/bin/sh
# libFuzzer on the ownership fixtures with their harnesses as written: the clean tree and
# the refcounted values find nothing in a fixed number of runs (no false finding from the
# kit's bookkeeping), and the tree's seeded ownership bug (a child with two parents) is
# found as the double free or use after free it is. Arguments: tree_bin rc_bin tree_bug_bin.
set -eu
tree=$1 rc=$2 bug=$3
fail() { echo "FAIL: $*" >&2; exit 1; }
# The seeded bug is a use after free: AddressSanitizer's to see.
if grep -q __tsan_init "$bug"; then
    echo "SKIP: the seeded bug needs the AddressSanitizer build"
    exit 0
fi
dir=${TEST_TMPDIR:-$(mktemp -d)}
for bin in "$tree" "$rc"; do
    name=$(basename "$bin")
    mkdir -p "$dir/$name"
    "$bin" -runs=20000 -seed=1 -max_len=128 -artifact_prefix="$dir/$name/" "$dir/$name" \
        >"$dir/$name.log" 2>&1 || { tail -60 "$dir/$name.log" >&2; fail "$name found something"; }
done
mkdir -p "$dir/bug"
if "$bug" -runs=200000 -seed=1 -max_len=128 -artifact_prefix="$dir/bug/" "$dir/bug" \
    >"$dir/bug.log" 2>&1; then
    fail "the seeded ownership bug was not found in 200000 runs"
fi
grep -Eq 'attempting double-free|heap-use-after-free' "$dir/bug.log" ||
    { tail -40 "$dir/bug.log" >&2; fail "the bug was found as something else"; }
grep -q 'tree_delete\|free_subtree' "$dir/bug.log" || fail "no tree frame in the report"
echo "PASS: clean fixtures quiet; seeded bug: $(grep -Eo 'attempting double-free|heap-use-after-free' "$dir/bug.log" | head -1)"
