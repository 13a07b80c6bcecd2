#!/bin/sh
# <name>_oss_fuzz: the archive holds what OSS-Fuzz expects in $OUT for the harness (the
# fuzzer, its seed zip, its options), and the fuzzer runs its seeds. Argument: the tar.
set -eu
tar=$1 name=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
tar -xf "$tar" -C "$out"
members=$(cd "$out" && find . -type f | sort | tr '\n' ' ')
[ "$members" = "./$name ./$name.options ./${name}_seed_corpus.zip " ] || fail "members: $members"
[ -x "$out/$name" ] || fail "$name is not executable"
grep -qx '\[libfuzzer\]' "$out/$name.options" || fail "no [libfuzzer] section"
grep -qx 'max_len = [0-9]*' "$out/$name.options" || fail "no max_len"
grep -qx 'timeout = [0-9]*' "$out/$name.options" || fail "no timeout"
mkdir "$out/seeds"
unzip -q "$out/${name}_seed_corpus.zip" -d "$out/seeds"
[ -n "$(ls "$out/seeds")" ] || fail "empty seed zip"
"$out/$name" -runs=50 "$out/seeds" >"$out/log" 2>&1 || { cat "$out/log" >&2; fail "the fuzzer failed"; }
grep -q "Done 50 runs" "$out/log" || { cat "$out/log" >&2; fail "the fuzzer did not run"; }
echo "PASS: ${name}_oss_fuzz: $members"
