import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecurError, Rng } from '@recur/core';
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from '@recur/train';
import { loadCheckpoint, saveCheckpoint } from '@recur/train/node';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';

function sample(step = 7): Checkpoint {
  return {
    step,
    epoch: 1,
    config: { cell: 'lstm', units: 3 },
    rng: new Rng(5).state(),
    weights: {
      'lstm/kernel': { shape: [2, 3], dtype: 'float32', values: Float32Array.from([1, -2, 3.5, 4, 5, 6e-8]) },
      'dense/bias': { shape: [3], dtype: 'float32', values: Float32Array.from([0, 0.25, -1]) },
    },
    optimizer: [
      { name: 'iter', shape: [], dtype: 'int32', values: Int32Array.from([7]) },
      { name: 'lstm/kernel/m', shape: [2, 3], dtype: 'float32', values: new Float32Array(6).fill(0.5) },
    ],
    extra: { best: 0.25 },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'recur-ckpt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('checkpoint format', () => {
  it('should round-trip weights, optimizer state, step, RNG state and config exactly', async () => {
    const c = sample();
    const back = await decodeCheckpoint(await encodeCheckpoint(c));
    expect(back).toEqual(c);
  });

  it('should refuse every truncation and every single-byte change', async () => {
    const bytes = await encodeCheckpoint(sample());
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: bytes.length - 1 }),
        fc.integer({ min: 1, max: 255 }),
        async (at, flip) => {
          const altered = bytes.slice();
          altered[at] = (altered[at] as number) ^ flip;
          await expect(decodeCheckpoint(altered)).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT' });
          await expect(decodeCheckpoint(bytes.slice(0, at))).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT' });
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should name what is wrong', async () => {
    await expect(
      decodeCheckpoint(new TextEncoder().encode('{"not":"a checkpoint"} padding padding padding padding')),
    ).rejects.toThrow(/not a Recur checkpoint: wrong magic bytes/);
    const bytes = await encodeCheckpoint(sample());
    await expect(decodeCheckpoint(bytes.slice(0, -1))).rejects.toThrow(/checksum mismatch/);
  });
});

describe('checkpoint files', () => {
  it('should write atomically and read back what was written', async () => {
    const path = join(dir, 'a', 'model.ckpt');
    await saveCheckpoint(path, sample(1));
    await saveCheckpoint(path, sample(2));
    expect((await loadCheckpoint(path)).step).toBe(2);
    expect(readdirSync(join(dir, 'a'))).toEqual(['model.ckpt']);
  });

  it('should leave the previous checkpoint in place when a save fails', async () => {
    const path = join(dir, 'b.ckpt');
    await saveCheckpoint(path, sample(3));
    const broken = sample(4);
    (broken.weights as Record<string, unknown>).bad = { shape: [2], dtype: 'float32', values: new Float32Array(3) };
    await expect(saveCheckpoint(path, broken)).rejects.toThrow(RecurError);
    expect((await loadCheckpoint(path)).step).toBe(3);
    expect(readdirSync(dir).filter((f) => f.startsWith('b.ckpt'))).toEqual(['b.ckpt']);
  });

  it('should refuse a truncated or altered file with CORRUPT_CHECKPOINT', async () => {
    const path = join(dir, 'c.ckpt');
    await saveCheckpoint(path, sample());
    const good = readFileSync(path);
    writeFileSync(join(dir, 'truncated.ckpt'), good.subarray(0, good.length - 10));
    await expect(loadCheckpoint(join(dir, 'truncated.ckpt'))).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT' });
    const altered = Buffer.from(good);
    altered[40] = (altered[40] as number) ^ 1;
    writeFileSync(join(dir, 'altered.ckpt'), altered);
    await expect(loadCheckpoint(join(dir, 'altered.ckpt'))).rejects.toMatchObject({ code: 'CORRUPT_CHECKPOINT' });
    await expect(loadCheckpoint(join(dir, 'missing.ckpt'))).rejects.toThrow(/cannot read/);
  });
});
