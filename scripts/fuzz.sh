#!/usr/bin/env bash
# Runs every libFuzzer target for the given seconds each (default 15) from its
# seed corpus. `npm run fuzz` runs them longer. A finding fails the run and
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
  log=build/fuzz/$target.log
  # -timeout: a unit running 30 s is a hang, and a finding, instead of
  # holding CI for libFuzzer's default 20 minutes. No unit of these targets
  # comes near 1 s (measured with -report_slow_units=1), so 30 s leaves room
  # for a shared machine that stalls.
  status=0
  "build/fuzz/$target" -max_total_time="$seconds" -timeout=30 -print_final_stats=1 \
    -artifact_prefix=build/fuzz/crashes/ "$corpus" >"$log" 2>&1 || status=$?
  grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' "$log" || true
  # libFuzzer's exit status is its verdict: a crash, a failed check, a leak,
  # an out-of-memory or a hang. A slow unit is written down too, but is no
  # failure. A finding on a CI machine exists only in its log, so the log
  # keeps the report (the stack) and each input, in base64, to reproduce it:
  #   base64 -d > input && build/fuzz/<target> input
  if [ "$status" -ne 0 ] || ls build/fuzz/crashes/*-* >/dev/null 2>&1; then
    [ "$status" -ne 0 ] && echo "fuzzing found a problem in $target (exit $status: a crash, failed check, leak, out-of-memory or hang): see build/fuzz/crashes/"
    grep -v -E '^#[0-9]+\s+(NEW|REDUCE|pulse|INITED|RELOAD)' "$log" | tail -n 60 || true
    for artifact in build/fuzz/crashes/*-*; do
      [ -e "$artifact" ] || continue
      echo "input $(basename "$artifact"), $(stat -c %s "$artifact") bytes, base64:"
      head -c 8192 "$artifact" | base64 -w 0
      echo
    done
    [ "$status" -ne 0 ] && exit 1
    rm -f build/fuzz/crashes/slow-unit-*
  fi
done
