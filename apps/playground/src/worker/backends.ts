import { cpu } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { webgl } from '@recur/backend-webgl';
import { webgpu } from '@recur/backend-webgpu';
import type { BackendPlugin } from '@recur/core';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import type { BackendName } from '../protocol.js';

/** The plug-ins the page offers; the wasm files are served as assets of this build. */
export const PLUGINS: Readonly<Record<BackendName, BackendPlugin>> = {
  cpu,
  wasm: wasmWith({
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
    },
  }),
  webgl,
  webgpu,
};
