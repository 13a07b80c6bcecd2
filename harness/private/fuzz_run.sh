#!/bin/sh
# <harness>_run: fuzz one harness with libFuzzer for a bounded time, then say what it found.
#   bazel run //<pkg>:<harness>_run -- [--time SECONDS] [--jobs N] [libFuzzer flags...]
# The corpus grows in <corpus folder>/inputs/ of the workspace (seed programs are read from
# the build); crash inputs land in findings/<harness>/. Exit 0 when nothing was found, 1
# on a finding, libFuzzer's own code when it failed without one. Arguments: bin tool
# harness seeds_dir corpus_dir ("-": none in this workspace), the BUILD file's libFuzzer
# flags (-max_len, -timeout, -dict) up to --end-of-harness-flags, then the user's.
set -eu
bin=$1 tool=$2 name=$3 seeds=$4 corpus_dir=$5
shift 5
harness_flags=
while [ "$1" != --end-of-harness-flags ]; do
    harness_flags="$harness_flags $1"
    shift
done
shift
ws=${BUILD_WORKSPACE_DIRECTORY:-$PWD}
time=60 jobs=1
while [ $# -gt 0 ]; do
    case $1 in
    --time) time=${2:?--time needs seconds}; shift 2 ;;
    --jobs) jobs=${2:?--jobs needs a count}; shift 2 ;;
    --help | -h)
        sed -n '2,8p' "$0" >&2
        exit 0 ;;
    *) break ;;
    esac
done
case $time$jobs in *[!0-9]*) echo "$name: --time and --jobs take whole numbers" >&2; exit 2 ;; esac
if [ ! -d "$seeds" ]; then
    echo "$name: no seed folder $seeds in the runfiles" >&2
    exit 2
fi
if [ "$corpus_dir" = - ]; then
    corpus=$ws/findings/.corpus/$name
else
    corpus=$ws/$corpus_dir/inputs
fi
findings=$ws/findings/$name
mkdir -p "$corpus" "$findings"
before=$(ls "$findings" | wc -l)
parallel=
[ "$jobs" -gt 1 ] && parallel=-fork=$jobs
echo "$name: fuzzing for ${time}s on $jobs process(es); corpus $corpus, findings $findings" >&2
set +e
# shellcheck disable=SC2086 # harness_flags holds several flags, none with spaces
"$bin" -max_total_time="$time" -rss_limit_mb=4096 $harness_flags \
    -use_value_profile=1 -print_final_stats=1 -artifact_prefix="$findings/" $parallel \
    "$@" "$corpus" "$seeds"
rc=$?
set -e
after=$(ls "$findings" | wc -l)
echo "$name: libFuzzer exited $rc; $((after - before)) new finding(s) in $findings" >&2
for f in $(ls -t "$findings" | head -n $((after - before))); do
    echo "--- $findings/$f" >&2
    "$tool" print "$findings/$f" >&2 || true
done
[ "$after" -gt "$before" ] && exit 1
# libFuzzer refused to run (a bad flag or folder) or died without writing an input.
[ "$rc" -eq 0 ] || exit "$rc"
