import type { BackendCapabilities, BackendPlugin } from '@recur/core';
import { RecurError } from '@recur/core';
import { kernelConfigs } from '@recur/core/kernel-api';
import { MathBackendWebGL } from '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import { WEBGL_KERNELS } from './kernels/registry.js';

export { WEBGL_KERNELS } from './kernels/registry.js';

/** tfjs' own priority for webgl, so an app that never calls `useBackend` sees tfjs' order. */
const TFJS_PRIORITY = 2;

let facts: Record<string, string | number | boolean> = {};
let exactFloat32 = false;

/** True in a page or a worker: where tfjs can make a WebGL context (a canvas or an OffscreenCanvas). */
function inBrowser(): boolean {
  const scope = globalThis as { document?: unknown; WorkerGlobalScope?: unknown };
  return scope.document != null || typeof scope.WorkerGlobalScope !== 'undefined';
}

function rendererName(backend: tf.KernelBackend): string {
  const gl = (backend as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  if (gl == null) return '';
  // The unmasked renderer needs the debug extension; browsers may withhold it.
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(debug === null ? gl.RENDERER : debug.UNMASKED_RENDERER_WEBGL) ?? '');
}

/**
 * The tfjs WebGL backend (GLSL shaders on textures), for browsers and workers
 * (`OffscreenCanvas`). WebGL has no Node implementation that computes correctly; in Node
 * use `@recur/backend-webgpu`, `-wasm` or `-cpu`.
 *
 * ```ts
 * import { useBackend } from '@recur/core';
 * import { webgl } from '@recur/backend-webgl';
 * await useBackend(webgl);
 * ```
 */
export const webgl: BackendPlugin = {
  name: 'webgl',
  setup() {
    if (tf.findBackend('webgl') != null) return;
    if (!inBrowser()) {
      throw new RecurError(
        'BACKEND_UNAVAILABLE',
        'WebGL runs in browsers and workers only (no canvas here); in Node use @recur/backend-webgpu, -wasm or -cpu',
      );
    }
    // Asking for the version makes tfjs create a test context, so a browser without WebGL
    // fails here with a reason instead of inside tfjs' factory.
    if (tf.env().getNumber('WEBGL_VERSION') === 0) {
      throw new RecurError(
        'BACKEND_UNAVAILABLE',
        'no WebGL context could be created: WebGL is disabled in this browser, or it has no GPU and no software ' +
          'renderer (headless Chromium: --enable-unsafe-swiftshader or --use-angle=swiftshader)',
      );
    }
    // tfjs registers its factory on import only when it sees a browser; a bundle evaluated
    // early (or a removed backend) needs it again.
    if (tf.findBackendFactory('webgl') == null) {
      tf.registerBackend('webgl', () => new MathBackendWebGL(), TFJS_PRIORITY);
    }
  },
  activated(backend: tf.KernelBackend) {
    const env = tf.env();
    exactFloat32 = env.getBool('WEBGL_RENDER_FLOAT32_ENABLED');
    facts = {
      webglVersion: env.getNumber('WEBGL_VERSION'),
      float32Textures: exactFloat32,
      maxTextureSize: env.getNumber('WEBGL_MAX_TEXTURE_SIZE'),
      renderer: rendererName(backend),
    };
  },
  capabilities(): BackendCapabilities {
    return {
      // Recur's sequence kernels run as core's reference (plain tfjs ops) here: no fused
      // GLSL kernel is registered.
      fusedKernels: kernelConfigs(WEBGL_KERNELS).map((c) => c.kernelName),
      environments: ['browser', 'worker'],
      // tfjs falls back to 16-bit float textures on GPUs that cannot render to 32-bit ones.
      exactFloat32,
      details: {
        implementation: 'WebGL (tfjs-backend-webgl, GLSL on textures); sequence kernels: Recur core reference ops',
        ...facts,
      },
    };
  },
};
