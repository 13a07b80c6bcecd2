#!/bin/sh
# The consumer example as CI runs it (the README's test command): its regression tests, then
# a 20-second campaign that must find the library's seeded bug with its class. Findings go
# to a temporary workspace folder, so the source tree stays as it was. (--nosandbox_debug
# quiets Debian's /etc/bazel/bazelrc, which turns sandbox debugging on.)
set -eu
cd "$(dirname "$0")"
../../bazelw test --nosandbox_debug //...
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
../../bazelw run --nosandbox_debug //fuzz:seeded -- --defects --time 20s --workspace "$out"
