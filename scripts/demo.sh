#!/usr/bin/env bash
# The demo from nothing: installs and builds what is missing, then starts the
# reference consumer and the demo page. Extra arguments go to demo/serve.mjs
# (--port, --host, --data-dir, --sink: `--sink nats` also starts a nats-server).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
echo "demo: building the package (the first time takes a minute)"
bash scripts/build.sh --package >/dev/null
exec node demo/serve.mjs "$@"
