#!/bin/sh
# The consumer example as CI runs it (the README's test command): its regression tests;
# libFuzzer alone on the harness, which must find the library's seeded bug (exit 1) within
# 30 s (inputs in findings/tagset/, ignored by git); then a 20-second campaign that must
# find it with its class (--defects: exit 0 only then), writing to a temporary folder.
# --nosandbox_debug quiets Debian's /etc/bazel/bazelrc, which turns sandbox debugging on.
set -eu
cd "$(dirname "$0")"
bazel=../../bazelw
$bazel test --nosandbox_debug //...
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
rc=0
$bazel run --nosandbox_debug //fuzz:tagset_run -- --time 30 || rc=$?
if [ "$rc" -ne 1 ]; then
    echo "test.sh: tagset_run exited $rc; 1 (a finding) was expected" >&2
    exit 1
fi
$bazel run --nosandbox_debug //fuzz:seeded -- --defects --time 20s --workspace "$out"
