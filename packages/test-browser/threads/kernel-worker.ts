/**
 * A module Web Worker that runs tfjs and Recur as a browser app runs them when it wants
 * threads: tfjs in a worker (whose thread may block in `Atomics.wait`), on a page served
 * cross-origin isolated. Each request activates a plug-in with a thread count, runs the
 * fused LSTM and GRU kernels forward and backward on a batch that splits, and answers
 * with what `capabilities()` says, how many calls the pool split, and the values.
 */
import { cpuWith } from '@recur/backend-cpu';
import { wasmWith } from '@recur/backend-wasm';
import { KERNEL_DESCRIPTORS, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { cpuPools } from '../../backend-cpu/src/threads/split-rows.js';
import { poolFor } from '../../backend-wasm/src/threads/backend-pools.js';
import { kernelCaseValues } from '../../test-utils/src/kernel-case-values.js';

/** What the page asks: a plug-in, its threads, and the example's seed and shapes. */
export interface KernelRequest {
  readonly backend: 'wasm' | 'cpu';
  /** Undefined: the plug-in's default, the cores available. */
  readonly threads?: number;
  readonly seed: number;
  readonly pins: Readonly<Record<string, number | boolean>>;
  /** Where tfjs fetches its `.wasm` files (the test server's path to the installed package). */
  readonly wasmPaths?: string;
}

/** What the worker answers: the plug-in's report, the split calls, leaks, and values by kernel name. */
export type KernelReply =
  | {
      readonly ok: true;
      readonly crossOriginIsolated: boolean;
      readonly threads: unknown;
      readonly threadsReason: unknown;
      readonly details: Readonly<Record<string, unknown>>;
      readonly poolThreads: number;
      readonly splitCalls: number;
      readonly leakedTensors: number;
      readonly values: Readonly<Record<string, number[][]>>;
    }
  | { readonly ok: false; readonly error: string };

/** The recurrent kernels the test holds to their 1-thread results. */
const KERNELS = ['RecurLstmSequence', 'RecurGruSequence'];

async function answer(request: KernelRequest): Promise<KernelReply> {
  const plugin =
    request.backend === 'wasm'
      ? wasmWith({ threads: request.threads, wasmPaths: request.wasmPaths })
      : cpuWith({ threads: request.threads });
  await useBackend(plugin);
  const pool = request.backend === 'wasm' ? poolFor(tf.backend()) : cpuPools.get(tf.backend());
  let splitCalls = 0;
  if (pool !== undefined) {
    const run = pool.run.bind(pool) as (...args: unknown[]) => never;
    (pool as { run: unknown }).run = (...args: unknown[]) => {
      splitCalls++;
      return run(...args);
    };
  }
  const before = tf.memory().numTensors;
  const values: Record<string, number[][]> = {};
  try {
    for (const descriptor of KERNEL_DESCRIPTORS.filter((d) => KERNELS.includes(d.name))) {
      values[descriptor.name] = kernelCaseValues({ descriptor, seed: request.seed, pins: request.pins });
    }
  } finally {
    if (pool !== undefined) delete (pool as { run?: unknown }).run;
  }
  const { details } = plugin.capabilities();
  return {
    ok: true,
    crossOriginIsolated: self.crossOriginIsolated,
    threads: details.threads,
    threadsReason: details.threadsReason,
    details,
    poolThreads: pool?.threads ?? 1,
    splitCalls,
    leakedTensors: tf.memory().numTensors - before,
    values,
  };
}

self.onmessage = async (event: MessageEvent<KernelRequest>) => {
  const reply = await answer(event.data).catch(
    (error: unknown): KernelReply => ({
      ok: false,
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
  );
  self.postMessage(reply);
};
