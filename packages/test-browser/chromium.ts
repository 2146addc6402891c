/**
 * Headless Chromium as the browser tests and the playground's end-to-end test launch it:
 * Debian's `chromium` package (installed by .ci/install-browser.sh), never a browser that
 * playwright downloads.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * SwiftShader (a software Vulkan GPU) serves WebGL and WebGPU. Without Vulkan compositing
 * (`--enable-features=Vulkan --use-vulkan=swiftshader`) a WebGPU canvas reads back as
 * zeros, and tfjs' synchronous webgpu reads (`dataSync`) go through one; ANGLE on
 * SwiftShader keeps WebGL available beside it. The last flags keep Chromium off the
 * network, which this machine closes.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-gl=angle',
  '--use-angle=swiftshader',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
