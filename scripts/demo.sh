#!/usr/bin/env bash
# The demo from nothing: installs and builds what is missing, then starts the
# reference consumer and the demo page. Extra arguments go to demo/serve.mjs
# (--port, --host, --data-dir).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
exec node demo/serve.mjs "$@"
