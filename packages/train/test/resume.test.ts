import type { RecurError } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import {
  type Checkpoint,
  decodeCheckpoint,
  encodeCheckpoint,
  type FitOptions,
  type FitResult,
  fit,
  RECENT_LOSSES_KEPT,
} from '@recur/train';
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
  readonly summary: FitResult['lossSummary'];
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
    return {
      steps: r.steps,
      stopReason: r.stopReason,
      position: r.position,
      losses: r.losses,
      summary: r.lossSummary,
      saved,
    };
  } catch (error) {
    // Only the crash test's own error is a result; anything else fails the test.
    if (!(error instanceof Error && error.message === 'power cut')) throw error;
    const summary = { steps: 0, finiteSteps: 0, sum: 0, min: Number.NaN, max: Number.NaN };
    return { steps: -1, stopReason: error.message, position: {}, losses: [], summary, saved };
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
        'the CPU time budget',
        () => {
          let micros = 0;
          vi.spyOn(process, 'cpuUsage').mockImplementation(() => ({ user: micros, system: 0 }));
          return {
            timeBudgetSeconds: 60,
            timeBudgetClock: 'cpu' as const,
            callbacks: {
              onBatchEnd: (e) => {
                if (e.step === stopAt) micros = 61e6;
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

describeBackends('fit loss history', () => {
  it('should resume a 200,000-step loss list and then keep only a bounded summary in checkpoints', async () => {
    const start = final(await run({ maxSteps: 3 }));
    const losses = Array.from({ length: 200_000 }, (_, i) => (i % 1000 === 7 ? null : 1 + (i % 3)));
    // As format 1 stored it: every loss in the JSON header, NaN (skipped) as null.
    const legacy: Checkpoint = {
      ...start,
      step: 200_000,
      epoch: 0,
      extra: { batchInEpoch: 0, progress: { losses, skippedSteps: 200, epochLoss: 0, epochSteps: 0 } },
    };
    delete (legacy as { auxiliary?: unknown }).auxiliary;
    const long = await run({ maxSteps: 200_002 }, legacy);
    expect(long.steps).toBe(200_002);
    expect(long.losses).toHaveLength(200_002);
    const bytes = await encodeCheckpoint(final(long));
    expect(bytes.length).toBeLessThan(48 * 1024); // 10,000 recent losses at 4 bytes, plus a few weights
    const again = await run({ maxSteps: 200_004 }, await decodeCheckpoint(bytes));
    expect(again.losses).toHaveLength(RECENT_LOSSES_KEPT + 2);
    expect(again.losses.slice(0, RECENT_LOSSES_KEPT)).toEqual(long.losses.slice(-RECENT_LOSSES_KEPT));
    expect(again.summary).toMatchObject({ steps: 200_004, finiteSteps: 200_004 - 200, max: 3 });
    expect(again.summary.sum).toBeGreaterThan(399_000);
  });

  it('should resume from a checkpoint that holds only weights and a step, as other code writes them', async () => {
    const start = final(await run({ maxSteps: 3, tbptt: undefined }));
    const weightsOnly: Checkpoint = { ...start, optimizer: [], extra: undefined };
    delete (weightsOnly as { auxiliary?: unknown }).auxiliary;
    const r = await run({ maxSteps: 5, tbptt: undefined }, weightsOnly);
    expect([r.steps, r.losses.length, r.summary.steps]).toEqual([5, 2, 5]);
  });

  it('should refuse a checkpoint whose position or carried state was tampered with, changing no weight', async () => {
    const mid = final(await run({ maxSteps: 4 }));
    const cases: [unknown, RegExp][] = [
      [{ ...(mid.extra as object), position: { batch: -1, chunk: 0 } }, /the position is \{"batch":-1,"chunk":0\}/],
      [{ ...(mid.extra as object), carry: undefined }, /the carried state at chunk 1/],
      [{ ...(mid.extra as object), carry: { h: { $tensor: 5 } } }, /carried state has no tensor 5/],
      [{ ...(mid.extra as object), progress: { losses: { steps: 3 } } }, /loss summary .* does not fit step 4/],
    ];
    for (const [extra, message] of cases) {
      const before = tf.memory().numTensors;
      const m = tinyRnn(5);
      const values = m.values();
      const error = await fit(m, data, { ...base, resumeFrom: { ...mid, extra } }).catch((e: unknown) => e);
      expect((error as RecurError).code).toBe('CORRUPT_CHECKPOINT');
      expect((error as RecurError).message).toMatch(message);
      expect(m.values()).toEqual(values);
      m.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});
