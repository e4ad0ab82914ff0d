#!/usr/bin/env bash
# Installs what building and testing need, and nothing twice: Debian packages
# (Emscripten, nlohmann/json, Catch2, the three browser engines, clang runtime
# for fuzzers and sanitizers, nats-server) and the npm dev dependencies. Fast when
# everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=(
  emscripten          # em++ 3.1.6 with clang-14, lld, binaryen: builds the wasm core
  nlohmann-json3-dev  # JSON for the core (events, config, counters)
  catch2              # v2 single-header test framework for the native and wasm tests
  chromium            # the browser that runs every browser test (driven by playwright-core)
  firefox-esr         # Firefox, for the browser tests' Firefox run (puppeteer-core over WebDriver BiDi)
  webkit2gtk-driver   # WebKitWebDriver and WebKitGTK's MiniBrowser, for the WebKit run (selenium-webdriver)
  xvfb                # a virtual display: MiniBrowser has no headless mode
  xauth               # xvfb-run needs it to authorise the virtual display
  clang-14            # libFuzzer targets and sanitizer builds of the core
  clang-tidy          # the core's static checks (.clang-tidy, scripts/lint-cpp.sh)
  clang-format        # the C++ formatting check (.clang-format, scripts/check-cpp-format.sh)
  libclang-rt-14-dev  # clang's fuzzer/ASan/UBSan runtimes
  ninja-build         # faster incremental builds than make
  nats-server         # NATS with JetStream: the consumer's JetStream sink, its tests and `npm run demo -- --sink nats`
  cmake
)

missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm dev dependencies (playwright-core, puppeteer-core and selenium-webdriver,
# which drive Debian's browsers and never download one; esbuild and terser,
# which bundle and minify the package; the TIDAL package for comparisons).
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ package.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error 2>/dev/null || npm install --no-audit --no-fund --loglevel=error
  touch node_modules/.package-lock.json  # "up to date" leaves it alone; mark this check done
fi
