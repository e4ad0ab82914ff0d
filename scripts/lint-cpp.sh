#!/usr/bin/env bash
# Runs clang-tidy with the checks of .clang-tidy over the core (src/*.cpp and
# the headers they include from src/), with the compile commands of a native
# build. Exits non-zero on any warning.
# TEP_LINT_BUILD_DIR picks the build folder (default build/lint), configured
# here if it holds no compile_commands.json yet.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TEP_LINT_BUILD_DIR:-build/lint}
clang_tidy=${CLANG_TIDY:-clang-tidy}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build_dir/compile_commands.json" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null
fi
# The symlinked third-party headers (nlohmann/, catch2/) live in the build
# folder: create them without building anything.
[ -d "$build_dir/third_party_include/nlohmann" ] || cmake "$build_dir" >/dev/null

reports=$(mktemp -d)
trap 'rm -rf "$reports"' EXIT
status=0
# One clang-tidy per core at a time: each source is a separate run, and a
# full pass takes minutes on one core. --quiet drops the "N warnings
# generated" chatter; the findings remain.
export clang_tidy build_dir reports
printf '%s\n' src/*.cpp | xargs -P "$(nproc)" -I{} sh -c \
  '"$clang_tidy" --quiet -p "$build_dir" "$1" >"$reports/$(basename "$1").txt" 2>/dev/null' _ {} || status=1
report="$reports/all.txt"
cat "$reports"/*.cpp.txt >"$report"
if grep -qE ': (warning|error):' "$report"; then
  cat "$report"
  echo "clang-tidy: $(grep -cE ': (warning|error):' "$report" | tr -d ' ') findings" >&2
  exit 1
fi
if [ "$status" -ne 0 ]; then
  cat "$report"
  echo "clang-tidy failed" >&2
  exit 1
fi
echo "clang-tidy: no findings in src/"
