import { RecurError } from '@recur/core';
import { describeBackends } from '@recur/test-utils';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint, fit, type SequenceBatch } from '@recur/train';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { sumData, tinyRnn } from './helpers/tiny-rnn.js';

const adam = { kind: 'adam', learningRate: 0.01 } as const;

async function withModel<T>(seed: number, body: (m: ReturnType<typeof tinyRnn>) => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const m = tinyRnn(seed);
  try {
    return await body(m);
  } finally {
    m.dispose();
    expect(tf.memory().numTensors, 'tensors leaked by fit').toBe(before);
  }
}

describeBackends('fit', () => {
  it('should reduce the loss and report batch events with throughput', async () => {
    const data = sumData(4, 8, 6);
    const events: number[] = [];
    await withModel(1, async (m) => {
      const r = await fit(m, data, {
        epochs: 8,
        optimizer: adam,
        seed: 3,
        callbacks: { onBatchEnd: (e) => void events.push(e.tokensPerSecond) },
      });
      expect(r.steps).toBe(32);
      expect(r.history[7]?.loss).toBeLessThan((r.history[0]?.loss as number) * 0.7);
      expect(r.history[0]?.validation.val_loss).toBeGreaterThan(0);
      expect(r.history[0]?.validation.val_mae).toBeGreaterThan(0);
    });
    expect(events).toHaveLength(32);
    expect(events.every((t) => t > 0)).toBe(true);
  });

  it('should give a bit-identical loss curve for the same seed', async () => {
    const run = (seed: number) =>
      withModel(5, async (m) => (await fit(m, sumData(3, 4, 5), { epochs: 3, optimizer: adam, seed })).losses);
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('should resume from a checkpoint at step n with the loss curve of a run that never stopped', async () => {
    const data = sumData(4, 4, 5);
    const options = {
      epochs: 3,
      optimizer: adam,
      seed: 21,
      schedule: { kind: 'cosine', rate: 0.02, decaySteps: 12 },
    } as const;
    const saved: Uint8Array[] = [];
    const full = await withModel(9, async (m) =>
      fit(m, data, {
        ...options,
        checkpoint: { every: 3, save: async (c: Checkpoint) => void saved.push(await encodeCheckpoint(c)) },
      }),
    );
    // Step 6 lies inside epoch 1: the resumed run must skip that epoch's first batches.
    const atSix = await decodeCheckpoint(saved[1] as Uint8Array);
    expect(atSix.step).toBe(6);
    const resumed = await withModel(1234, async (m) => fit(m, data, { ...options, resumeFrom: atSix }));
    expect(resumed.losses).toEqual(full.losses);
    expect(resumed.history.at(-1)).toEqual(full.history.at(-1));
  });

  it('should give exactly the gradients of full BPTT when the TBPTT chunk is the whole sequence', async () => {
    const data = sumData(2, 4, 6);
    const run = (tbptt?: { k: number }) =>
      withModel(4, async (m) => {
        const r = await fit(m, data, {
          epochs: 1,
          optimizer: { kind: 'sgd', learningRate: 0.1 },
          seed: 2,
          ...(tbptt ? { tbptt } : {}),
        });
        return { losses: r.losses, values: m.values() };
      });
    const full = await run();
    const same = await run({ k: 6 });
    expect(same).toEqual(full);
    const chunked = await run({ k: 2 });
    expect(chunked.losses).toHaveLength(6); // three chunks per batch, one update each
    expect(chunked.values).not.toEqual(full.values);
  });

  it('should carry the state between chunks but cut the gradient there', async () => {
    await withModel(3, async (m) => {
      const seen: (number | undefined)[] = [];
      const spy = {
        variables: m.variables,
        loss(batch: SequenceBatch, ctx: Parameters<typeof m.loss>[1]) {
          seen.push(ctx.state === undefined ? undefined : tf.sum(tf.abs(ctx.state.h)).dataSync()[0]);
          return m.loss(batch, ctx);
        },
      };
      await fit(spy, sumData(1, 2, 4), { epochs: 1, optimizer: adam, tbptt: { k: 2 } });
      expect(seen[0]).toBeUndefined();
      expect(seen[1]).toBeGreaterThan(0);
    });
  });

  it('should skip a step whose loss is not finite and count it, when asked', async () => {
    const data = sumData(3, 4, 5);
    const poisoned = { ...data, train: (rng: Parameters<typeof data.train>[0], e: number) => data.train(rng, e, 1) };
    await withModel(6, async (m) => {
      const r = await fit(m, poisoned, { epochs: 1, optimizer: adam, nonFinite: 'skip' });
      expect(r.skippedSteps).toBe(1);
      expect(Number.isNaN(r.losses[1])).toBe(true);
      expect(Object.values(m.values()).flat().every(Number.isFinite)).toBe(true);
    });
  });

  it('should stop with NAN_LOSS naming the step, weights untouched by it', async () => {
    const data = sumData(3, 4, 5);
    const poisoned = { ...data, train: (rng: Parameters<typeof data.train>[0], e: number) => data.train(rng, e, 1) };
    await withModel(6, async (m) => {
      let afterFirst: Record<string, number[]> = {};
      const error = await fit(m, poisoned, {
        epochs: 1,
        optimizer: adam,
        callbacks: {
          onBatchEnd: () => {
            afterFirst = m.values();
          },
        },
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RecurError);
      expect((error as RecurError).code).toBe('NAN_LOSS');
      expect((error as RecurError).message).toMatch(/step 1: non-finite loss NaN/);
      expect(m.values()).toEqual(afterFirst);
    });
  });

  it('should stop early and restore the weights of the best epoch', async () => {
    const data = sumData(2, 4, 5);
    const script = [3, 2, 1, 2, 3, 4, 5, 6];
    let epoch = -1;
    const snapshots: Record<string, number[]>[] = [];
    await withModel(8, async (m) => {
      const scripted = {
        variables: m.variables,
        loss(batch: SequenceBatch, ctx: Parameters<typeof m.loss>[1]) {
          if (ctx.training) return m.loss(batch, ctx);
          return { loss: tf.scalar(script[epoch] as number) as tf.Scalar };
        },
      };
      const r = await fit(
        scripted,
        {
          train: data.train,
          validation: () => {
            epoch++;
            return data.validation();
          },
        },
        {
          epochs: 8,
          optimizer: adam,
          earlyStopping: { monitor: 'val_loss', patience: 2 },
          callbacks: { onEpochEnd: () => void snapshots.push(m.values()) },
        },
      );
      expect(r.stoppedEarly).toBe(true);
      expect(r.epochs).toBe(5);
      expect(r.bestEpoch).toBe(2);
      expect(m.values()).toEqual(snapshots[2]);
    });
  });

  it('should leak no tensor over 200 steps', async () => {
    await withModel(2, async (m) => {
      const r = await fit(m, sumData(20, 2, 3), {
        epochs: 10,
        optimizer: { kind: 'rmsprop', learningRate: 0.01 },
        clip: { globalNorm: 1 },
        tbptt: { k: 2 },
      });
      expect(r.steps).toBe(400);
    });
  });
});

describe('fit with bad options', () => {
  it('should refuse bad epochs, optimizer kinds and TBPTT sizes before training', async () => {
    const m = tinyRnn(1);
    const data = sumData(1, 2, 3);
    await expect(fit(m, data, { epochs: 0, optimizer: adam })).rejects.toThrow(
      /epochs: expected a positive integer, received 0/,
    );
    await expect(fit(m, data, { optimizer: { kind: 'lamb' } as never })).rejects.toThrow(
      /optimizer.kind: expected one of 'sgd', 'adam', 'adamw', 'rmsprop', 'adagrad', received 'lamb'/,
    );
    await expect(fit(m, data, { optimizer: adam, tbptt: { k: 0 } })).rejects.toThrow(
      /tbptt.k: expected a positive integer/,
    );
    m.dispose();
  });
});
