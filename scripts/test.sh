#!/usr/bin/env bash
# Every test, from nothing: installs what is missing, builds, then runs the
# native Catch2 tests, the same tests compiled to wasm under node, the
# sanitizer build, brief fuzzing of every parser, the consumer's tests (with
# nats-server, which they start on loopback ports), the
# package in Node, the package's types against TIDAL's, and the browser
# tests (the packed package in Vite, webpack and plain apps among them) in
# Chromium, and the ones written for every engine in Firefox and WebKit too.
# Ends with one "N passed, N failed" line.
set -uo pipefail
cd "$(dirname "$0")/.."

passed=0
failed=0
failures=()
failure_tails=""

# Runs one stage; its output goes to the terminal and to a log for counting.
stage() {
  local name=$1
  shift
  echo
  echo "=== $name"
  local log
  log=$(mktemp)
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local p f
  # ctest: "100% tests passed, 0 tests failed out of 12"
  if grep -qE 'tests passed, [0-9]+ tests? failed out of' "$log"; then
    f=$(grep -oE '[0-9]+ tests? failed out of [0-9]+' "$log" | tail -1 | grep -oE '^[0-9]+')
    local total
    total=$(grep -oE 'out of [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+')
    p=$((total - f))
  # node --test: "# pass 12" / "# fail 0"
  elif grep -qE '^ℹ pass [0-9]+|^# pass [0-9]+' "$log"; then
    p=$(grep -oE '^(ℹ|#) pass [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
    f=$(grep -oE '^(ℹ|#) fail [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+$')
  # fuzzing: one "check" per target
  else
    p=$([ "$status" -eq 0 ] && echo 1 || echo 0)
    f=$([ "$status" -eq 0 ] && echo 0 || echo 1)
  fi
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [ "$status" -ne 0 ]; then
    failures+=("$name")
    [ "${f:-0}" -eq 0 ] && failed=$((failed + 1))
    # A CI log is often read from its end: the end repeats each failed
    # stage's last lines, which hold its finding.
    local failing_tests
    failing_tests=$(grep -A 8 -E '^\s*not ok' "$log" | head -n 60)
    failure_tails+="=== failed: $name: its failing tests with their errors, then its last 80 lines"$'\n'
    [ -n "$failing_tests" ] && failure_tails+="$failing_tests"$'\n'
    failure_tails+="$(tail -n 80 "$log")"$'\n'
  fi
  rm -f "$log"
}

bash scripts/setup.sh || { echo "setup failed"; exit 1; }
bash scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

stage "native unit tests (Catch2, ctest)" ctest --test-dir build/native --output-on-failure -j2
stage "wasm unit tests (the same tests compiled with em++, run by node)" ctest --test-dir build/wasm --output-on-failure -j2
stage "sanitizer build (ASan + UBSan)" bash scripts/sanitize.sh
stage "fuzzing (libFuzzer, brief)" bash scripts/fuzz.sh "${FUZZ_SECONDS:-15}"
stage "static checks of the core (clang-tidy, .clang-tidy)" bash scripts/lint-cpp.sh
stage "C++ formatting (clang-format --dry-run -Werror, .clang-format)" bash scripts/check-cpp-format.sh
stage "static checks of the page and worker JS (tsc --noEmit, strictNullChecks and noImplicitAny, tsconfig.json)" npx --no-install tsc -p tsconfig.json
stage "JS formatting (Prettier, .prettierrc.json)" npx --no-install prettier --check "**/*.{js,mjs}"
stage "worker and page modules with fake timers; the error catalog, config table and docs against the code (node --test)" node --test --test-reporter=tap tests/worker/ tests/web/ tests/docs/
stage "reference consumer, its JetStream sink against nats-server on loopback (node --test)" node --test --test-reporter=tap tests/consumer/
stage "package in Node, as server-side rendering imports it (node --test)" node --test --test-reporter=tap tests/package/
stage "types: an app written against TIDAL's types compiles against the packed package; a wrong call of the wasm exports fails tsc (node --test)" node --test --test-reporter=tap tests/types/
# Every browser test in Chromium; the tests written once for every engine
# (those on tests/browser/engines.mjs) also in Firefox ESR and WebKitGTK.
# Each stage ends with the engine's line: version, counts and seconds.
stage "browser tests in Chromium (every test, node --test)" node tests/browser/run-in-engine.mjs --engine chromium --test-reporter=tap
stage "browser tests in Firefox (the tests for every engine, node --test)" node tests/browser/run-in-engine.mjs --engine firefox --test-reporter=tap
stage "browser tests in WebKit (WebKitGTK MiniBrowser, the tests for every engine, node --test)" node tests/browser/run-in-engine.mjs --engine webkit --test-reporter=tap

echo
if [ ${#failures[@]} -gt 0 ]; then
  printf '%s' "$failure_tails"
  echo "failed stages: ${failures[*]}"
fi
echo "tests: $passed passed, $failed failed"
[ ${#failures[@]} -eq 0 ]
