#!/usr/bin/env bash
# The native tests built with AddressSanitizer and UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
if [ ! -f build/sanitize/CMakeCache.txt ]; then
  cmake -S . -B build/sanitize "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DTEP_SANITIZE=ON \
    -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
fi
cmake --build build/sanitize
# halt_on_error: a finding fails the run instead of scrolling by.
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --test-dir build/sanitize --output-on-failure -j2
