#!/usr/bin/env bash
# Runs every libFuzzer target for the given seconds each (default 15) from its
# seed corpus. `npm run fuzz` runs them longer. A crash fails the run and
# leaves the input in build/fuzz/crashes/ to turn into a regression test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-15}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f build/fuzz/CMakeCache.txt ]; then
  cmake -S . -B build/fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTEP_FUZZ=ON \
    -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
fi
targets=()
for source in tests/fuzz/*_fuzz.cpp; do targets+=("$(basename "$source" .cpp)"); done
cmake --build build/fuzz --target "${targets[@]}"
rm -rf build/fuzz/crashes && mkdir -p build/fuzz/crashes
for source in tests/fuzz/*_fuzz.cpp; do
  target=$(basename "$source" .cpp)
  corpus=build/fuzz/corpus/$target
  mkdir -p "$corpus"
  seeds=tests/fuzz/corpus/${target%_fuzz}
  [ -d "$seeds" ] && cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
  echo "fuzzing $target for ${seconds}s"
  "build/fuzz/$target" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix=build/fuzz/crashes/ "$corpus" 2>&1 | grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' || true
  # libFuzzer exits non-zero on a finding; the artifact is the evidence.
  if ls build/fuzz/crashes/*-* >/dev/null 2>&1; then
    echo "fuzzing found a crash in $target: see build/fuzz/crashes/"
    exit 1
  fi
done
