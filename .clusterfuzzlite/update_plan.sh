#!/bin/sh
# bazel run //.clusterfuzzlite:update_plan: writes the generated plan over .clusterfuzzlite/plan.tsv.
set -eu
if [ -z "${BUILD_WORKSPACE_DIRECTORY:-}" ]; then
  echo "update_plan: run me with bazel run //.clusterfuzzlite:update_plan" >&2
  exit 2
fi
cp "$1" "$BUILD_WORKSPACE_DIRECTORY/.clusterfuzzlite/plan.tsv"
chmod 644 "$BUILD_WORKSPACE_DIRECTORY/.clusterfuzzlite/plan.tsv"
echo "wrote .clusterfuzzlite/plan.tsv"
