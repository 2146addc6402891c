/** The wasm backends' thread pools: which pool serves which backend object, and starting one. */
import { BackendPools, planThreads, type ThreadPlan } from '@recur/core/kernel-api';
import { sharedKernelsModule } from '../kernels/module.js';
import { ThreadPool } from './thread-pool.js';

const pools = new BackendPools<ThreadPool>();

/** The pool of `backend`, if it runs more than one thread. */
export function poolFor(backend: object): ThreadPool | undefined {
  return pools.get(backend);
}

/**
 * Gives `backend` a pool of `requested` threads (undefined: the cores available), where
 * the environment allows it, and returns the plan with its reason. One thread: no pool.
 */
export async function startThreads(backend: object, requested: number | undefined): Promise<ThreadPlan> {
  let plan = await planThreads(requested);
  const module = sharedKernelsModule();
  if (plan.count > 1 && module === undefined) {
    plan = { count: 1, reason: 'this engine has no WebAssembly threads (shared memory, atomics)' };
  }
  // Activating the backend again with the same count and kernel build keeps its workers.
  const running = pools.get(backend);
  if (running !== undefined && running.threads === plan.count && running.module === module) return plan;
  await pools.stop(backend);
  if (plan.count > 1 && module !== undefined) pools.set(backend, await ThreadPool.start(plan.count, module));
  return plan;
}
