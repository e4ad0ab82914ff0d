#!/usr/bin/env bash
# The native tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
# TEP_SANITIZE_BUILD_DIR picks the build folder (default build/sanitize).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TEP_SANITIZE_BUILD_DIR:-build/sanitize}
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f "$build_dir/CMakeCache.txt" ]; then
  cmake -S . -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DTEP_SANITIZE=ON \
    -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
fi
cmake --build "$build_dir"
# halt_on_error: a finding fails the run instead of scrolling by.
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir "$build_dir" --output-on-failure -j2
