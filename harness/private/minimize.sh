#!/bin/sh
# <harness>_minimize: shrink a failing input to the smallest program with the same signature.
#   bazel run //<pkg>:<harness>_minimize -- FILE
# First structure-aware (the tool: threads, operations, schedule, arguments), then
# libFuzzer's -minimize_crash over the bytes, kept only when the signature is unchanged.
# Writes FILE.min and FILE.min.txt. Arguments: bin tool, then FILE.
set -eu
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
bin=$(abs "$1") tool=$(abs "$2") # absolute: we cd below
shift 2
if [ $# -ne 1 ]; then
    echo "usage: bazel run <harness>_minimize -- FILE" >&2
    exit 2
fi
cd "${BUILD_WORKING_DIRECTORY:-.}"
file=$1
# Every detector on every run, as in a regression run, so each try can reproduce.
export OB_DETECT="${OB_DETECT:-growth_every=1 lsan=1}"
"$tool" minimize "$file"
sig=$("$tool" signature "$file.min" || true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if "$bin" -minimize_crash=1 -runs=2000 -exact_artifact_path="$tmp/bytes" "$file.min" \
    >"$tmp/log" 2>&1 && [ -s "$tmp/bytes" ]; then
    if [ "$("$tool" signature "$tmp/bytes" || true)" = "$sig" ] &&
        [ "$(wc -c <"$tmp/bytes")" -lt "$(wc -c <"$file.min")" ]; then
        cp "$tmp/bytes" "$file.min.tmp" && mv "$file.min.tmp" "$file.min"
        "$tool" print "$file.min" >"$file.min.txt.tmp" && mv "$file.min.txt.tmp" "$file.min.txt"
        echo "libFuzzer -minimize_crash: $(wc -c <"$file.min") bytes, same signature" >&2
    fi
fi
echo "minimized: $file.min ($(wc -c <"$file.min") bytes), $file.min.txt; signature $sig" >&2
