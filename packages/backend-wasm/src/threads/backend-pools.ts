/**
 * Which thread pool serves which tfjs wasm backend. The kernels are registered once for
 * every backend called 'wasm'; each live backend object gets the pool its plug-in asked
 * for, and the pool goes when the backend is disposed or another pool replaces it.
 */

import { planThreads, type ThreadPlan } from '@recur/core/kernel-api';
import { sharedKernelsModule } from '../kernels/module.js';
import { ThreadPool } from './thread-pool.js';

const pools = new WeakMap<object, ThreadPool>();
const hooked = new WeakSet<object>();

/** The pool of `backend`, if it runs more than one thread. */
export function poolFor(backend: object): ThreadPool | undefined {
  return pools.get(backend);
}

/** Disposes `backend`'s pool, if any; resolves once its workers have exited. */
export function stopThreads(backend: object): Promise<void> {
  const pool = pools.get(backend);
  pools.delete(backend);
  return pool?.dispose() ?? Promise.resolve();
}

/**
 * Gives `backend` a pool of `requested` threads (undefined: the cores available), where
 * the environment allows it, and returns the plan with its reason.
 */
export async function startThreads(backend: object, requested: number | undefined): Promise<ThreadPlan> {
  await stopThreads(backend);
  let plan = await planThreads(requested);
  const module = sharedKernelsModule();
  if (plan.count > 1 && module === undefined) {
    plan = { count: 1, reason: 'this engine has no WebAssembly threads (shared memory, atomics)' };
  }
  if (plan.count > 1 && module !== undefined) pools.set(backend, await ThreadPool.start(plan.count, module));
  hookDispose(backend);
  return plan;
}

/** Makes tfjs' `backend.dispose()` (tf.removeBackend, engine reset) dispose the pool too. */
function hookDispose(backend: object): void {
  if (hooked.has(backend)) return;
  hooked.add(backend);
  const target = backend as { dispose?: () => void };
  const dispose = target.dispose?.bind(backend);
  target.dispose = () => {
    // tfjs' dispose is synchronous: the workers are told to stop now and exit soon after.
    void stopThreads(backend);
    dispose?.();
  };
}
