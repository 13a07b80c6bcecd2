#!/bin/sh
# Runs .clusterfuzzlite/build.sh as OSS-Fuzz's `compile` does for SANITIZER ($1: address or
# undefined), in a copy of the sources laid out as the Dockerfile lays them out, then checks
# $OUT against the plan and against what Bazel built, and fuzzes every harness for a few
# hundred runs on its seed corpus. The copy gives calc a dictionary, so that path is used too.
set -eu

sanitizer=$1
runs=500

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# base-builder's flags: its CFLAGS, then SANITIZER_FLAGS_<sanitizer>, then COVERAGE_FLAGS.
base="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"
ubsan=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null
ubsan=$ubsan,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow
case $sanitizer in
  address) flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  undefined)
    flags="-fsanitize=$ubsan,unsigned-integer-overflow,unreachable,vla-bound,vptr"
    flags="$flags -fno-sanitize-recover=$ubsan,unreachable,vla-bound,vptr"
    ;;
  *) fail "usage: build_sh_test.sh address|undefined" ;;
esac
cflags="$base $flags -fsanitize=fuzzer-no-link"

tmp=${TEST_TMPDIR:?}/cflite-$sanitizer
rm -rf "$tmp"
mkdir -p "$tmp/src" "$tmp/work" "$tmp/out" "$tmp/run"
src=$tmp/src
repo=$src/ouroboros
out=$tmp/out
expect=$PWD/.clusterfuzzlite/generated_plan.expect.tsv
bazel_root=$PWD

# Dockerfile: COPY . $SRC/ouroboros; COPY .clusterfuzzlite/build.sh $SRC/.
cp -RL . "$repo"
cp .clusterfuzzlite/build.sh "$src/build.sh"
plan=$repo/.clusterfuzzlite/plan.tsv
dict=tests/clusterfuzzlite/calc.dict
mkdir -p "$repo/tests/clusterfuzzlite"
printf '# calc words\nkw_def="def"\nkw_if="if"\n"return"\n' >"$repo/$dict"
awk -F'\t' -v OFS='\t' -v d="$dict" '$1 == "harness" && $2 == "calc" { $6 = d } { print }' \
  "$plan" >"$plan.new"
mv "$plan.new" "$plan"
harnesses=$(awk -F'\t' '$1 == "harness" { print $2 }' "$plan")
[ -n "$harnesses" ] || fail "no harness in $plan"

# base-builder runs `bash -eux $SRC/build.sh` from the WORKDIR. CXXFLAGS there add
# -stdlib=libc++, which the image's clang ships; Debian's clang-19 links libstdc++.
start=$(date +%s)
if ! (cd "$repo" && env -i PATH=/usr/bin:/bin HOME="$tmp" SRC="$src" WORK="$tmp/work" OUT="$out" \
  CC=/usr/bin/clang-19 CXX=/usr/bin/clang++-19 CCC=/usr/bin/clang++-19 \
  CFLAGS="$cflags" CXXFLAGS="$cflags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer \
  SANITIZER="$sanitizer" FUZZING_ENGINE=libfuzzer FUZZING_LANGUAGE=c ARCHITECTURE=x86_64 \
  bash -eux "$src/build.sh") >"$tmp/build.log" 2>&1; then
  tail -n 60 "$tmp/build.log" >&2
  fail "build.sh failed ($sanitizer)"
fi
echo "build.sh ($sanitizer): $(($(date +%s) - start)) s"

# Exactly these files in $OUT.
want=$(for h in $harnesses; do
  printf '%s\n%s.options\n%s_seed_corpus.zip\n' "$h" "$h" "$h"
done
echo calc.dict)
have=$(ls -A "$out")
[ "$(echo "$want" | sort)" = "$(echo "$have" | sort)" ] ||
  fail "\$OUT holds: $(echo $have); want: $(echo $want)"
cmp -s "$out/calc.dict" "$repo/$dict" || fail "calc.dict is not the harness's dictionary"

field() { awk -F'\t' -v h="$1" -v f="$2" '$1 == "harness" && $2 == h { print $f }' "$plan"; }

check_binary() {
  h=$1
  [ -x "$out/$h" ] || fail "$h is not executable"
  syms=$(nm "$out/$h")
  # The kit's hooks override the runtimes' weak defaults only if linked into the binary.
  for s in LLVMFuzzerTestOneInput __asan_default_options __ubsan_default_options \
    __sanitizer_report_error_summary; do
    echo "$syms" | grep -q " T $s\$" || fail "$h: $s is not defined in the binary"
  done
  echo "$syms" | grep -q " [RD] ob_harness_settings\$" || fail "$h: no ob_harness_settings"
  case $sanitizer in
    address) echo "$syms" | grep -q " __asan_init\$" || fail "$h: not built with ASan" ;;
    undefined)
      echo "$syms" | grep -q " __ubsan_handle_" || fail "$h: not built with UBSan"
      echo "$syms" | grep -q " __asan_init\$" && fail "$h: ASan in an UBSan build"
      ;;
  esac
  # The kit's __<tool>_default_options are in effect: they set the symbolizer path.
  upper=$(echo "$sanitizer" | sed 's/address/ASAN/; s/undefined/UBSAN/')
  env "${upper}_OPTIONS=help=1" "$out/$h" -runs=0 >"$tmp/run/$h.help" 2>&1 || true
  grep -A1 '^[[:space:]]*external_symbolizer_path$' "$tmp/run/$h.help" |
    grep -q 'Current Value: /' || fail "$h: the kit's default $upper options are not in effect"
}

check_settings() {
  h=$1
  bazel_file=$bazel_root/$(awk -F'\t' -v h="$h" '$1 == "settings" && $2 == h { print $3 }' "$expect")
  line='^const char ob_harness_settings\[\]'
  [ "$(grep "$line" "$tmp/work/ouroboros/settings/$h.c")" = "$(grep "$line" "$bazel_file")" ] ||
    fail "$h: build.sh's ob_harness_settings differs from Bazel's ($bazel_file)"
}

check_options() {
  h=$1
  printf '[libfuzzer]\nmax_len = %s\ntimeout = %s\n' "$(field "$h" 4)" "$(field "$h" 5)" >"$tmp/run/$h.want"
  cmp -s "$out/$h.options" "$tmp/run/$h.want" || fail "$h.options: $(cat "$out/$h.options")"
}

# The zip holds the seeds Bazel assembles (the <name>_corpus targets), byte for byte.
check_seeds() {
  h=$1
  zip=$out/${h}_seed_corpus.zip
  [ -s "$zip" ] || fail "$h: empty seed corpus"
  mkdir -p "$tmp/run/$h.corpus"
  unzip -q "$zip" -d "$tmp/run/$h.corpus"
  seeds=$(awk -F'\t' -v h="$h" '$1 == "seeds" && $2 == h { for (i = 3; i <= NF; i++) print $i }' "$expect")
  [ -n "$seeds" ] || fail "$h: Bazel assembled no seeds"
  nseeds=$(echo "$seeds" | wc -l)
  [ "$(ls -A "$tmp/run/$h.corpus" | sort)" = "$(for s in $seeds; do basename "$s"; done | sort)" ] ||
    fail "$h: the zip holds $(ls -A "$tmp/run/$h.corpus"); Bazel assembled $(echo $seeds)"
  for s in $seeds; do
    cmp -s "$tmp/run/$h.corpus/$(basename "$s")" "$bazel_root/$s" ||
      fail "$h: $(basename "$s") differs from Bazel's $s"
  done
}

# Fuzz as ClusterFuzz does: the .options flags, the dictionary, the unzipped seed corpus.
# ClusterFuzz's UBSAN_OPTIONS silence unsigned overflow, which OSS-Fuzz's flags instrument
# as a coverage signal.
check_fuzz() {
  h=$1
  set -- -runs=$runs -seed=1
  set -- "$@" $(sed -n 's/^\([a-z_]*\) = \(.*\)$/-\1=\2/p' "$out/$h.options")
  [ -f "$out/$h.dict" ] && set -- "$@" "-dict=$out/$h.dict"
  log=$tmp/run/$h.log
  if ! (cd "$tmp/run" &&
    UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}silence_unsigned_overflow=1" \
      "$out/$h" "$@" "$tmp/run/$h.corpus") >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    fail "$h: fuzzing its seeds failed"
  fi
  grep -q "Done $runs runs" "$log" || fail "$h: did not run $runs inputs"
  grep -q '==ouroboros== FINDING' "$log" && fail "$h: a finding on a clean harness"
  if [ -f "$out/$h.dict" ]; then
    grep -q 'Dictionary: [1-9][0-9]* entries' "$log" || fail "$h: libFuzzer did not load $h.dict"
  fi
  echo "$h: $(sed -n "s/ = /=/p" "$out/$h.options" | tr "\n" " ")$nseeds seeds," \
    "$(grep -o 'Done [0-9]* runs in [0-9]* second(s)' "$log")"
}

for h in $harnesses; do
  check_binary "$h"
  check_settings "$h"
  check_options "$h"
  check_seeds "$h"
  check_fuzz "$h"
done
ls "$tmp/run" | grep -E '^(crash|leak|timeout|oom)-' && fail "libFuzzer wrote crash files"
echo "PASS: build.sh ($sanitizer) built $(echo $harnesses)"
