/**
 * The suite every backend with a worker pool runs: each fused kernel split by batch rows
 * over 2 and 3 threads equals the 1-thread kernel (forward 1e-5, gradients 1e-4), is
 * bit-identical across runs, reads masks cast from bool, and keeps a batch of one on the
 * calling thread.
 */
import { type BackendPlugin, KERNEL_DESCRIPTORS, useBackend } from '@recur/core';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { castMaskOutputs, kernelCaseValues } from './kernel-case-values.js';
import { checkLeaks } from './leaks.js';
import { expectClose } from './tolerance.js';

/** A backend's pool as the suite sees it: its size and the method every split call goes through. */
export interface SplitPool {
  readonly threads: number;
  run(...args: never[]): unknown;
}

export interface ThreadSplitSuite {
  /** The plug-in with `threads` threads. */
  readonly plugin: (threads: number) => BackendPlugin;
  /** The active backend's pool, if it runs more than one thread. */
  readonly pool: (backend: tf.KernelBackend) => SplitPool | undefined;
  /** Split calls in one pass over the descriptors: forward and backward of each kernel that splits. */
  readonly splitCalls: number;
  readonly seed: number;
  /** Further checks of the pool's recorded calls (e.g. which row kernels ran). */
  readonly checkCalls?: (calls: readonly unknown[][]) => void;
}

/** Runs the suite under `describe(name)`: the cases above, on the plug-in `s` makes. */
export function describeThreadSplit(name: string, s: ThreadSplitSuite): void {
  const values = (batch: number): Map<string, number[][]> =>
    new Map(
      KERNEL_DESCRIPTORS.map((descriptor) => [
        descriptor.name,
        kernelCaseValues({ descriptor, seed: s.seed, pins: { batch } }),
      ]),
    );
  const valuesOn = async (threads: number, batch: number) => {
    await useBackend(s.plugin(threads));
    return values(batch);
  };

  describe(name, () => {
    checkLeaks();
    let single: Map<string, number[][]>;
    beforeAll(async () => {
      single = await valuesOn(1, 7);
    });
    afterAll(async () => {
      await useBackend(s.plugin(1));
    });

    for (const threads of [2, 3]) {
      it(`should equal the 1-thread kernels on ${threads} threads (forward 1e-5, gradients 1e-4), batch 7`, async () => {
        await useBackend(s.plugin(threads));
        const pool = s.pool(tf.backend());
        expect(pool?.threads).toBe(threads);
        // Every split kernel goes through the pool: forward and backward of each that splits.
        const run = vi.spyOn(pool as SplitPool, 'run');
        const split = values(7);
        expect(run.mock.calls.length).toBeGreaterThanOrEqual(s.splitCalls);
        s.checkCalls?.(run.mock.calls);
        run.mockRestore();
        for (const descriptor of KERNEL_DESCRIPTORS) {
          const expected = single.get(descriptor.name) as number[][];
          const actual = split.get(descriptor.name) as number[][];
          expect(actual.length, descriptor.name).toBe(expected.length);
          for (const [i, output] of actual.entries()) {
            const tolerance = i < descriptor.outputs.length ? { rtol: 1e-5, atol: 1e-5 } : { rtol: 1e-4, atol: 1e-4 };
            expectClose(output, expected[i] as number[], tolerance);
          }
        }
      });

      it(`should give bit-identical results in two runs on ${threads} threads`, async () => {
        const first = await valuesOn(threads, 5);
        const second = await valuesOn(threads, 5);
        expect(second).toEqual(first);
      });
    }

    it('should read masks cast from bool (one byte per step on cpu) as one thread does', async () => {
      const outputs = async (threads: number) => {
        await useBackend(s.plugin(threads));
        return KERNEL_DESCRIPTORS.map((descriptor) =>
          castMaskOutputs({ descriptor, seed: 3, pins: { batch: 5, masked: true, initial: true } }),
        );
      };
      const alone = await outputs(1);
      const split = await outputs(3);
      const masked = KERNEL_DESCRIPTORS.filter((d) => d.inputs.includes('mask'));
      expect(alone.filter((o) => o !== undefined).length).toBe(masked.length);
      for (const [i, output] of split.entries()) {
        for (const [j, values] of (output ?? []).entries()) {
          expectClose(values, alone[i]?.[j] as number[], { rtol: 1e-5, atol: 1e-5 });
        }
      }
    });

    it('should run a batch of one on the calling thread alone, as one thread does', async () => {
      const split = await valuesOn(2, 1);
      const alone = await valuesOn(1, 1);
      expect(split).toEqual(alone);
    });
  });
}
