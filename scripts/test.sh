#!/usr/bin/env bash
# Installs what is missing (PyTorch included, for fresh reference fixtures, and Chromium,
# for the web pages' tests) and runs the test suite on whatever WebGPU adapter is present
# (lavapipe on machines without a GPU).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh --torch --chromium
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}" DENO_NO_UPDATE_CHECK=1
deno --version | head -1
deno task test
