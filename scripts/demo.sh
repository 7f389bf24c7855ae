#!/usr/bin/env bash
# The main job: installs what is missing, trains the tiny preset on the built-in shapes
# data set for a few minutes, and ends with a generated video (runs/demo/generated.mp4).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}" DENO_NO_UPDATE_CHECK=1
steps="${STEPS:-300}"
if [[ -f runs/demo/latest.safetensors ]]; then
  # Run again: continue the earlier demo run (a no-op once it has the steps asked for).
  deno run -A cli.ts train --resume runs/demo --steps "$steps"
else
  deno run -A cli.ts train --preset tiny --data shapes --steps "$steps" --out runs/demo \
    --sample-every 100 --checkpoint-every 100
fi
deno run -A cli.ts generate --checkpoint runs/demo/latest.safetensors --count 4 --frames 32 \
  --scale 4 --out runs/demo/generated.mp4
echo "wrote runs/demo/generated.mp4 (play it: ffplay runs/demo/generated.mp4)" >&2
