#!/bin/sh
# <harness>_repro: reproduce crash files on this machine.
#   bazel run //<pkg>:<harness>_repro -- FILE...
# Prints each input's program and its finding report; exit 0 when every file reproduced,
# 1 when one did not, 2 on a missing, empty or unreadable file. Arguments: tool, then FILEs.
set -eu
tool=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")  # absolute: we cd below
shift
if [ $# -eq 0 ]; then
    echo "usage: bazel run <harness>_repro -- FILE..." >&2
    exit 2
fi
cd "${BUILD_WORKING_DIRECTORY:-.}"
exec "$tool" repro "$@"
