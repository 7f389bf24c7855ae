#!/usr/bin/env bash
# Installs what this project needs and is missing, on Debian or Ubuntu:
# Deno 2.9 (from the npm registry), ffmpeg, and a Vulkan driver (Mesa's, which includes
# the CPU adapter lavapipe) when no GPU driver is present. With --torch it also installs
# Debian's CPU PyTorch, used by the parity tests for fresh reference fixtures and by the
# benchmarks. With --chromium it also installs Debian's Chromium, which the tests of the
# web pages drive headless. Uses sudo when not root.
set -euo pipefail
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
need=()
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v ffprobe >/dev/null || need+=(ffmpeg)
# Any Vulkan driver manifest means a driver is installed (NVIDIA's, AMD's, Intel's, Mesa's).
# (Each folder is checked alone: `ls` over both fails when either has none.)
if ! compgen -G "/usr/share/vulkan/icd.d/*.json" >/dev/null &&
  ! compgen -G "/etc/vulkan/icd.d/*.json" >/dev/null; then
  need+=(mesa-vulkan-drivers)
fi
torch=0 chromium=0
for arg in "$@"; do
  case "$arg" in
    --torch) torch=1 ;;
    --chromium) chromium=1 ;;
    *) echo "error: unknown option $arg (use --torch, --chromium)" >&2; exit 2 ;;
  esac
done
if [ $torch = 1 ] && ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  need+=(python3-torch)
fi
if [ $chromium = 1 ] && ! command -v chromium >/dev/null; then need+=(chromium); fi
if ! command -v npm >/dev/null && ! command -v deno >/dev/null; then need+=(npm); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
if ! command -v deno >/dev/null || ! deno --version | grep -q '^deno 2\.9'; then
  echo "installing: deno 2.9.6 (npm)" >&2
  $sudo npm install -g deno@2.9.6 >/dev/null 2>&1
fi
