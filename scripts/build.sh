#!/usr/bin/env bash
# Builds everything from nothing, incrementally: the native core and its tests,
# the wasm module and the wasm tests, and the npm package in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

generator=()
command -v ninja >/dev/null && generator=(-G Ninja)

if [ ! -f build/native/CMakeCache.txt ]; then
  cmake -S . -B build/native "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug >/dev/null
fi
cmake --build build/native

if [ ! -f build/wasm/CMakeCache.txt ]; then
  # emcmake's default emulator passes a flag node 20 rejects: ctest runs the
  # wasm tests with plain node instead.
  emcmake cmake -S . -B build/wasm "${generator[@]}" -DCMAKE_BUILD_TYPE=MinSizeRel \
    -DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node >/dev/null
fi
cmake --build build/wasm

node scripts/bundle.mjs
