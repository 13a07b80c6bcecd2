#!/bin/sh
# debian_source (//:debian_source.bzl) against the real archive, in a workspace of its own
# with its own output base and repository cache: the four errors a user can meet, each
# with its message, then a fetch, then the same fetch offline from the repository cache
# and from a --distdir folder. The archive is the machine's (its deb entries); "offline" is
# a source list whose only archive refuses connections.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bazel=$here/../../bazelw
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here/workspace"

b() { "$bazel" --output_base="$tmp/base" "$@"; }
build() { b build --nosandbox_debug --repository_cache="$tmp/$1" "@$2//:sources"; }

failures=0
expect_failure() { # cache repository message
    if build "$1" "$2" >"$tmp/log" 2>&1; then
        echo "FAIL: @$2 was fetched; it should fail with: $3" >&2
        failures=$((failures + 1))
    elif ! grep -q -- "$3" "$tmp/log"; then
        echo "FAIL: @$2 failed without saying: $3" >&2
        tail -20 "$tmp/log" >&2
        failures=$((failures + 1))
    else
        echo "ok: @$2: $(grep -m1 -o -- "$3.*" "$tmp/log")"
    fi
}
expect_success() { # cache repository what
    if build "$1" "$2" >"$tmp/log" 2>&1; then
        echo "ok: @$2 $3"
    else
        echo "FAIL: @$2 $3 failed" >&2
        tail -20 "$tmp/log" >&2
        failures=$((failures + 1))
    fi
}

expect_failure rc unknown_package "has no source package named \"ouroboros-no-such-package\""
expect_failure rc unknown_version "has no version with upstream version 0.0.1; the archive has: 2.14"
expect_failure rc wrong_checksum "checksum mismatch for jansson_2.14.orig.tar.gz"

printf 'deb http://127.0.0.1:9/debian bookworm main\n' >"$tmp/unreachable.list"
export OUROBOROS_DEBIAN_SOURCES="$tmp/unreachable.list"
start=$(date +%s)
expect_failure empty-rc good "apt-get update failed"
echo "   (the unreachable archive failed the fetch in $(($(date +%s) - start)) s)"

unset OUROBOROS_DEBIAN_SOURCES
expect_success rc good "fetched from the archive"
b clean --expunge >/dev/null 2>&1
export OUROBOROS_DEBIAN_SOURCES="$tmp/unreachable.list"
expect_success rc good "fetched again offline, from the repository cache"

# --distdir: the tarball under its Debian name, taken from the cache folder.
mkdir -p "$tmp/dist"
find "$tmp/rc" -type f -name file -exec cp {} "$tmp/dist/jansson_2.14.orig.tar.gz" \; -quit
b clean --expunge >/dev/null 2>&1
if b build --nosandbox_debug --repository_cache="$tmp/rc2" --distdir="$tmp/dist" @good//:sources \
    >"$tmp/log" 2>&1; then
    echo "ok: @good fetched offline from a --distdir folder"
else
    echo "FAIL: @good from --distdir" >&2
    tail -20 "$tmp/log" >&2
    failures=$((failures + 1))
fi
b shutdown >/dev/null 2>&1 || true

[ "$failures" -eq 0 ] || { echo "debian_source test: $failures failed" >&2; exit 1; }
echo "debian_source test: all passed"
