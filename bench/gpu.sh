#!/usr/bin/env bash
# One prepared run on a lent NVIDIA GPU (see ../shared/gpu/README.md): prints the
# adapter, runs the kernel and PyTorch-parity tests on it (all tests with FULL=1), then
# benchmarks against CUDA PyTorch in the same run. .gpu/ must also hold the GL loader
# packages (libegl1 libglvnd0 libopengl0 libgl1 libglx0 libgles2: the NVIDIA Vulkan
# driver needs them) and a copy of mocogan_ref.py:
#   bash .gpu/run.sh bash bench/gpu.sh "$OUT"
set -uo pipefail
out="${1:-/tmp/gpu_out}"
mkdir -p "$out"
export MOCOGAN_REFERENCE="$PWD/.gpu/mocogan_ref.py" MOCOGAN_TORCH_PYTHON="$(command -v python3)"
deno eval --cached-only 'const a = await navigator.gpu.requestAdapter(); console.log("adapter:", a?.info.description || a?.info.device, a?.info.vendor, a?.info.architecture)' 2>&1 | tee "$out/adapter.txt"
tests=(tests/tensor/ops/conv_test.ts tests/mocogan/parity_test.ts)
[ -n "${FULL:-}" ] && tests=(tests/tensor tests/nn tests/mocogan)
timeout 240 deno test --cached-only -A --parallel "${tests[@]}" 2>&1 | tee "$out/tests.txt" | grep -E "FAILED|passed|failed|error" | tail -15
timeout 300 deno run --cached-only -A bench/main.ts --presets small,paper,seed --steps 3 --warmup 1 \
  --reference .gpu/mocogan_ref.py --torch-python "$MOCOGAN_TORCH_PYTHON" --device cuda \
  --json "$out/bench.json" 2>&1 | tee "$out/bench.txt" | tail -25
