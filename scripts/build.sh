#!/usr/bin/env bash
# Builds everything from nothing, incrementally: the native core and its tests,
# the wasm module and the wasm tests, and the npm package in dist/.
# With --package, only what the package needs (the wasm module and dist/).
set -euo pipefail
cd "$(dirname "$0")/.."
package_only=false
[ "${1:-}" = "--package" ] && package_only=true

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

if ! $package_only; then
  if [ ! -f build/native/CMakeCache.txt ]; then
    cmake -S . -B build/native "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug >/dev/null
  fi
  cmake --build build/native
fi

if [ ! -f build/wasm/CMakeCache.txt ]; then
  # emcmake's default emulator passes a flag node 20 rejects: ctest runs the
  # wasm tests with plain node instead.
  emcmake cmake -S . -B build/wasm "${generator[@]}" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
fi
if $package_only; then
  cmake --build build/wasm --target core
else
  cmake --build build/wasm
fi

node scripts/bundle.mjs
