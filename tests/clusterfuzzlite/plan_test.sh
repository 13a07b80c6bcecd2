#!/bin/sh
# The checked-in .clusterfuzzlite/plan.tsv, which build.sh compiles from, must be what the
# Bazel targets generate now, and must hold every harness that has a corpus of its own but
# the real libraries' (the arguments), whose sources come from Debian's archive.
set -eu

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

plan=.clusterfuzzlite/plan.tsv
generated=.clusterfuzzlite/generated_plan.tsv
[ -s "$plan" ] || fail "$plan is missing from the runfiles"
[ -s "$generated" ] || fail "$generated is missing from the runfiles"

if ! cmp -s "$plan" "$generated"; then
  diff -u "$plan" "$generated" >&2 || true
  fail "$plan is stale (the harnesses' BUILD files changed): bazel run //.clusterfuzzlite:update_plan"
fi

# Clean harnesses own corpus/<name>; seeded-defect harnesses borrow a clean one's.
outside=" $* "
corpora=$(find corpus -path 'corpus/*/seeds/*.txt' | cut -d/ -f2 | sort -u |
    while read -r c; do case $outside in *" $c "*) ;; *) echo "$c" ;; esac; done)
planned=$(awk -F'\t' '$1 == "harness" { print $2 }' "$plan" | sort)
[ -n "$corpora" ] || fail "no corpus/*/seeds/*.txt in the runfiles"
if [ "$corpora" != "$planned" ]; then
  echo "corpora with seeds: $(echo $corpora)" >&2
  echo "harnesses in plan:  $(echo $planned)" >&2
  fail "add the new harness's <name>_info to .clusterfuzzlite/BUILD, then bazel run //.clusterfuzzlite:update_plan"
fi
echo "plan.tsv matches Bazel: $(echo $planned)"
