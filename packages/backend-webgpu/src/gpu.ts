import { RecurError } from '@recur/core';

/**
 * The slice of the WebGPU API this plug-in touches. Declared here rather than taken
 * from `@webgpu/types` so that the published types need no extra package.
 */
export interface GpuAdapterInfoLike {
  readonly vendor?: string;
  readonly architecture?: string;
  readonly device?: string;
  readonly description?: string;
}

export interface GpuAdapterLike {
  readonly features: { has(name: string): boolean };
  readonly limits: Readonly<Record<string, number>>;
  readonly info?: GpuAdapterInfoLike;
  requestDevice(descriptor?: object): Promise<unknown>;
}

/** `navigator.gpu`, or the object `create()` from the npm `webgpu` package returns in Node. */
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

/** What the npm `webgpu` package (Dawn) exports. */
interface DawnModule {
  create(flags: string[]): GpuLike;
  globals: Record<string, unknown>;
}

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export function isNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof proc?.versions?.node === 'string' && !('document' in globalThis);
}

function navigatorGpu(): GpuLike | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator;
  return nav?.gpu ?? undefined;
}

/**
 * `navigator.gpu` in a browser or worker. In Node without one, Dawn from the npm
 * `webgpu` package provides it: `navigator.gpu` and the WebGPU constants tfjs reads as
 * globals (`GPUBufferUsage`, `GPUMapMode`, ...) are defined from it, as a browser has them.
 */
export async function findGpu(): Promise<GpuLike> {
  const existing = navigatorGpu();
  if (existing !== undefined) return existing;
  if (!isNode()) {
    throw new RecurError(
      'BACKEND_UNAVAILABLE',
      'this browser exposes no navigator.gpu: WebGPU needs a browser that has it, a secure context ' +
        '(https or localhost), and in Chromium a GPU that is not blocklisted (or --enable-unsafe-webgpu)',
    );
  }
  const dawn = await importDawn();
  const gpu = dawn.create([]);
  for (const [key, value] of Object.entries(dawn.globals)) {
    if (!(key in globalThis)) Object.defineProperty(globalThis, key, { value, configurable: true, writable: true });
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  if (nav === undefined) {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  } else {
    Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true, writable: true });
  }
  return gpu;
}

async function importDawn(): Promise<DawnModule> {
  const name = 'webgpu';
  try {
    return (await import(/* @vite-ignore */ /* webpackIgnore: true */ name)) as DawnModule;
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new RecurError(
      'MISSING_DEPENDENCY',
      `WebGPU in Node needs Dawn from the npm package 'webgpu', which failed to load (${why}). ` +
        'Install it with: npm install webgpu',
      { cause },
    );
  }
}

/** An adapter, or an error that says why there is none and what to try. */
export async function requestAdapter(
  gpu: GpuLike,
  powerPreference: 'low-power' | 'high-performance',
): Promise<GpuAdapterLike> {
  const adapter = await gpu.requestAdapter({ powerPreference });
  if (adapter != null) return adapter;
  let hint = 'the browser found no usable GPU (blocklisted driver, or WebGPU disabled)';
  if (isNode()) {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
    const icd = env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES;
    hint =
      icd === undefined
        ? 'Dawn found no Vulkan driver; without a GPU, point VK_ICD_FILENAMES at a software one, e.g. ' +
          `SwiftShader from Debian's chromium package: VK_ICD_FILENAMES=${SWIFTSHADER_ICD}`
        : `Dawn found no Vulkan device through VK_ICD_FILENAMES=${icd} (is the file there, and libvulkan1 installed?)`;
  }
  throw new RecurError('BACKEND_UNAVAILABLE', `no WebGPU adapter found: ${hint}`);
}
