import { describeBackends } from '@recur/test-utils';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, type FitOptions, fit } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sumData, tinyRnn } from './helpers/tiny-rnn.js';

// 4 batches of 4 sequences of 6 steps; TBPTT k = 2 makes 3 chunks per batch, 12 steps per epoch.
const data = sumData(4, 4, 6);
const base: FitOptions = {
  epochs: 3,
  optimizer: { kind: 'adam', learningRate: 0.02 },
  schedule: { kind: 'cosine', rate: 0.02, decaySteps: 30 },
  earlyStopping: { monitor: 'val_loss', patience: 10 },
  tbptt: { k: 2 },
  seed: 17,
};

interface Run {
  readonly steps: number;
  readonly stopReason: string;
  readonly position: object;
  readonly losses: number[];
  /** Every checkpoint saved, through the file format (what a crash leaves behind). */
  readonly saved: Checkpoint[];
}

async function run(options: Partial<FitOptions>, resumeFrom?: Checkpoint): Promise<Run> {
  const before = tf.memory().numTensors;
  const m = tinyRnn(99);
  const saved: Checkpoint[] = [];
  try {
    const r = await fit(m, data, {
      ...base,
      ...options,
      ...(resumeFrom === undefined ? {} : { resumeFrom }),
      checkpoint: { every: 5, save: async (c) => void saved.push(await decodeCheckpoint(await encodeCheckpoint(c))) },
    });
    return { steps: r.steps, stopReason: r.stopReason, position: r.position, losses: r.losses, saved };
  } catch (error) {
    return { steps: -1, stopReason: String(error), position: {}, losses: [], saved };
  } finally {
    m.dispose();
    expect(tf.memory().numTensors, 'tensors leaked by fit').toBe(before);
  }
}

/** Weights, optimizer slots and the optimizer's hidden scalars as raw bits. */
function bits(c: Checkpoint) {
  const raw = (v: Float32Array | Int32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));
  return {
    step: c.step,
    weights: Object.fromEntries(Object.entries(c.weights).map(([k, t]) => [k, raw(t.values)])),
    optimizer: c.optimizer.map((t) => raw(t.values)),
    scalars: (c.extra as { optimizerScalars: unknown }).optimizerScalars,
  };
}

const final = (r: Run) => r.saved.at(-1) as Checkpoint;

afterEach(() => vi.restoreAllMocks());

describeBackends('fit resumed after a stop', () => {
  let reference: Run | undefined;
  const uninterrupted = async () => {
    reference ??= await run({});
    return reference;
  };

  // 5 and 22: inside a batch (TBPTT chunk 2 and 1); 12: an epoch boundary; 21: a batch boundary mid-epoch.
  describe.each([5, 12, 21, 22])('at step %i', (stopAt) => {
    const stops: [string, () => Partial<FitOptions>][] = [
      ['maxSteps', () => ({ maxSteps: stopAt })],
      [
        'an aborted signal',
        () => {
          const controller = new AbortController();
          return {
            signal: controller.signal,
            callbacks: { onBatchEnd: (e) => (e.step === stopAt ? controller.abort() : undefined) },
          };
        },
      ],
      [
        'the time budget',
        () => {
          let now = 0;
          vi.spyOn(performance, 'now').mockImplementation(() => now);
          return {
            timeBudgetSeconds: 60,
            callbacks: {
              onBatchEnd: (e) => {
                if (e.step === stopAt) now = 61_000;
              },
            },
          };
        },
      ],
      [
        'shouldStop',
        () => {
          let stop = false;
          const onBatchEnd = (e: { step: number }) => {
            stop = e.step === stopAt;
          };
          return { callbacks: { onBatchEnd, shouldStop: () => stop } };
        },
      ],
    ];
    it.each(stops)('should stop exactly there on %s and resume bit for bit', async (_, stop) => {
      const full = await uninterrupted();
      const first = await run(stop());
      vi.restoreAllMocks();
      expect(first.steps).toBe(stopAt);
      expect(first.stopReason).not.toBe('completed');
      expect(final(first).step).toBe(stopAt);
      const resumed = await run({}, final(first));
      expect(resumed.stopReason).toBe('completed');
      expect(bits(final(resumed))).toEqual(bits(final(full)));
      expect(resumed.losses.slice(-10)).toEqual(full.losses.slice(-10));
    });
  });

  it('should resume bit for bit from the last checkpoint after a crash', async () => {
    const full = await uninterrupted();
    const crashed = await run({
      callbacks: {
        onBatchEnd: (e) => {
          if (e.step === 13) throw new Error('power cut');
        },
      },
    });
    expect(crashed.stopReason).toMatch(/power cut/);
    const last = final(crashed);
    expect(last.step).toBe(10); // saved every 5 steps; step 10 ends chunk 0 of batch 3
    expect(last.extra).toMatchObject({ position: { batch: 3, chunk: 1 } });
    const resumed = await run({}, last);
    expect(bits(final(resumed))).toEqual(bits(final(full)));
  });

  it('should resume bit for bit without truncated BPTT too, mid-epoch', async () => {
    const plain = { tbptt: undefined, epochs: 4 } as const;
    const full = await run(plain);
    const first = await run({ ...plain, maxSteps: 6 });
    expect(first.position).toEqual({ epoch: 1, batch: 2, chunk: 0 });
    const resumed = await run(plain, final(first));
    expect(bits(final(resumed))).toEqual(bits(final(full)));
  });

  it('should run exactly maxSteps steps with TBPTT, not up to the end of the batch', async () => {
    const r = await run({ maxSteps: 2 });
    expect(r.steps).toBe(2);
    expect(r.losses).toHaveLength(2);
    expect(r.position).toEqual({ epoch: 0, batch: 0, chunk: 2 });
    expect(r.stopReason).toBe('maxSteps');
  });
});
