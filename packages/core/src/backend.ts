import * as tf from '@tensorflow/tfjs-core';
import { badArgument, describeValue, RecurError } from './errors.js';

/** What a backend plug-in can do, so callers and tests can ask instead of guessing. */
export interface BackendCapabilities {
  /** Recur kernel names this plug-in registers a fused implementation for. */
  readonly fusedKernels: readonly string[];
  /** Environments the plug-in can start in. */
  readonly environments: readonly ('node' | 'browser' | 'worker')[];
  /** Whether float32 arithmetic is IEEE single precision (false for WebGL on some GPUs). */
  readonly exactFloat32: boolean;
  /** Free-form facts worth showing a user (SIMD, threads, adapter...). */
  readonly details: Readonly<Record<string, string | number | boolean>>;
}

/**
 * A backend plug-in: the tfjs backend it activates and Recur's kernels for it.
 * `setup()` registers the tfjs backend factory and kernels; it must be idempotent.
 */
export interface BackendPlugin {
  /** The tfjs backend name this plug-in activates (`'cpu'`, `'wasm'`, `'webgpu'`, ...). */
  readonly name: string;
  setup(): void | Promise<void>;
  /** Called once the tfjs backend is active, to adjust the live backend object. */
  activated?(backend: tf.KernelBackend): void | Promise<void>;
  /** Valid after a successful `useBackend`. */
  capabilities(): BackendCapabilities;
}

let active: BackendPlugin | undefined;

function validatePlugin(plugin: unknown): asserts plugin is BackendPlugin {
  const p = plugin as Partial<BackendPlugin> | null | undefined;
  if (
    p == null ||
    typeof p !== 'object' ||
    typeof p.name !== 'string' ||
    p.name.length === 0 ||
    typeof p.setup !== 'function' ||
    typeof p.capabilities !== 'function'
  ) {
    throw badArgument(
      'BACKEND_UNAVAILABLE',
      'useBackend(plugin)',
      'a BackendPlugin ({ name: string, setup(), capabilities() }) such as `cpu` from @recur/backend-cpu',
      plugin,
    );
  }
}

/**
 * Activates exactly the backend `plugin` names, or throws
 * `RecurError('BACKEND_UNAVAILABLE')` with the reason. tfjs falls back to another
 * backend silently when one fails to start; Recur never does: on failure the previous
 * backend stays active and nothing else changes.
 */
export async function useBackend(plugin: BackendPlugin): Promise<void> {
  validatePlugin(plugin);
  const name = plugin.name;
  try {
    await plugin.setup();
  } catch (cause) {
    throw new RecurError('BACKEND_UNAVAILABLE', `useBackend: backend '${name}' failed to set up: ${reason(cause)}`, {
      cause,
    });
  }
  if (tf.findBackendFactory(name) == null && tf.findBackend(name) == null) {
    throw new RecurError(
      'BACKEND_UNAVAILABLE',
      `useBackend: plug-in '${name}' registered no tfjs backend called '${name}' (registered: ${registeredBackends()})`,
    );
  }
  // Read the field, not tf.getBackend(): with no backend set, that call would start one.
  const previous = (tf.engine() as unknown as { backendName: string | null }).backendName;
  // tfjs reports a failed initialisation only through console.warn; keep what it says.
  const warnings: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    warnings.push(args.map((a) => (a instanceof Error ? a.message : String(a))).join(' '));
  };
  let ok = false;
  let failure: unknown;
  try {
    ok = await tf.setBackend(name);
  } catch (cause) {
    failure = cause;
  } finally {
    console.warn = warn;
  }
  if (!ok || tf.getBackend() !== name) {
    // A failed tf.setBackend leaves the engine naming the failed backend with no
    // instance, and the next op would silently start whatever backend tfjs prefers.
    await restore(previous);
    const why =
      failure !== undefined ? reason(failure) : warnings.length > 0 ? warnings.join('; ') : 'tfjs gave no reason';
    throw new RecurError('BACKEND_UNAVAILABLE', `useBackend: backend '${name}' failed to start: ${why}`, {
      cause: failure,
    });
  }
  await tf.ready();
  try {
    await plugin.activated?.(tf.backend());
  } catch (cause) {
    throw new RecurError(
      'BACKEND_UNAVAILABLE',
      `useBackend: backend '${name}' started but its plug-in failed: ${reason(cause)}`,
      {
        cause,
      },
    );
  }
  active = plugin;
}

/** The plug-in last activated by `useBackend`, if it is still the active tfjs backend. */
export function activeBackend(): BackendPlugin | undefined {
  return active !== undefined && tf.getBackend() === active.name ? active : undefined;
}

async function restore(previous: string | null): Promise<void> {
  if (previous !== null && (await tf.setBackend(previous).catch(() => false))) return;
  (tf.engine() as unknown as { backendName: string | null }).backendName = null;
}

function registeredBackends(): string {
  const names = Object.keys(tf.engine().registryFactory);
  return names.length > 0 ? names.join(', ') : 'none';
}

function reason(cause: unknown): string {
  return cause instanceof Error ? cause.message : describeValue(cause);
}
