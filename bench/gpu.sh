#!/usr/bin/env bash
# One prepared run on a lent NVIDIA GPU (see ../shared/gpu/README.md): prints the
# adapter, runs the op and PyTorch-parity tests on it, then benchmarks against CUDA
# PyTorch in the same run. Run it through .gpu/run.sh with .gpu/mocogan_ref.py copied in:
#   bash .gpu/run.sh bash bench/gpu.sh "$OUT"
set -uo pipefail
out="${1:-/tmp/gpu_out}"
mkdir -p "$out"
export MOCOGAN_REFERENCE="$PWD/.gpu/mocogan_ref.py" MOCOGAN_TORCH_PYTHON="$(command -v python3)"
deno eval --cached-only 'const a = await navigator.gpu.requestAdapter(); console.log("adapter:", a?.info.description || a?.info.device, a?.info.vendor, a?.info.architecture)' 2>&1 | tee "$out/adapter.txt"
timeout 240 deno test --cached-only -A tests/tensor tests/nn tests/mocogan 2>&1 | tee "$out/tests.txt" | grep -E "FAILED|passed|failed|error" | tail -15
timeout 300 deno run --cached-only -A bench/main.ts --presets small,paper,seed --steps 3 --warmup 1 \
  --reference .gpu/mocogan_ref.py --torch-python "$MOCOGAN_TORCH_PYTHON" --device cuda \
  --json "$out/bench.json" 2>&1 | tee "$out/bench.txt" | tail -25
