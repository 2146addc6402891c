#!/usr/bin/env bash
# Installs what the GPU and browser tests need, once: Debian's Chromium (headless, with
# SwiftShader, a software Vulkan GPU serving WebGL and WebGPU) and the Vulkan loader that
# Dawn (npm `webgpu`) loads in Node. Quiet, and a no-op when both are there.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -f /usr/lib/chromium/vk_swiftshader_icd.json ] &&
  dpkg -s chromium libvulkan1 >/dev/null 2>&1; then
  exit 0
fi

SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi

echo 'Installing chromium and libvulkan1 for the browser and WebGPU tests...'
$SUDO apt-get update -qq >/dev/null
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium libvulkan1 >/dev/null
/usr/bin/chromium --version
